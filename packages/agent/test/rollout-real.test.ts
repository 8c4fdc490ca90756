// Rollouts on the real control plane: the Deployment exactly as `@activemq-ha/manifests` renders it
// (probes, minReadySeconds, RollingUpdate maxSurge 0 / maxUnavailable 1, the check-store init
// container), rolled by the REAL deployment and replicaset controllers. The kubelet stand-in binds
// the pods the ReplicaSets create and runs them from its images (haImages): real brokers on one
// shared KahaDB, the real agent bundle, the real `check-store`. The emulator twin with a scripted
// Deployment controller is rollout-safety.test.ts; the assertions are the same.
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generatePassword, renderObjects } from '@activemq-ha/manifests';
import {
  allocatePodIPs,
  type BrokerGroup,
  type ControlPlane,
  type HaImages,
  haImages,
  type LocalContainer,
  leaderNames,
  podNetwork,
  poll,
  RealTarget,
  ROLLOUT_CONTROLLERS,
  startBrokerGroup,
  startControlPlane,
} from '@activemq-ha/testkit';
import {
  AppsV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type V1Deployment,
  type V1Pod,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { requireAgentBundle } from './agent-entrypoint.js';

const NS = 'rollout';
const GROUP = { 'app.kubernetes.io/name': 'activemq' };
const BROKEN_IMAGE = 'apache/activemq-classic:broken';
const UNPRIVILEGED = 65534;
// The manifests set no progressDeadlineSeconds (the API's default is 600 s); a test cannot wait
// ten minutes, so this one is shorter. Everything else is as rendered.
const PROGRESS_DEADLINE_SECONDS = 45;
const SMP = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

let controlPlane: ControlPlane | undefined;
let target: RealTarget | undefined;
let brokers: BrokerGroup<'openwire' | 'stomp'> | undefined;
let ha: HaImages;
let apps: AppsV1Api;
let core: CoreV1Api;
let deploymentName: string;
/** The most ready endpoints the Service ever listed at once (one routable leader at all times). */
let mostEndpoints = 0;

function renderDeployment(): V1Deployment {
  const objects = renderObjects({
    // Without the takeover warm-up: the stand-in's broker containers are the test ground's
    // pre-started brokers, which load no -javaagent from the pod's emptyDir, so its install-warmup
    // init container has nothing to serve (takeover-warmup.test.ts runs the warm-up on real brokers).
    base: {
      name: 'activemq',
      storage: { storageClassName: 'nfs-rwx' },
      broker: { takeoverWarmup: false },
    },
    overlay: {
      name: 'activemq',
      namespace: NS,
      createNamespace: false,
      credentials: { brokerPassword: generatePassword(), consolePassword: generatePassword() },
    },
  }).map((m) => m.object);
  const deployment = objects.find((o) => o.kind === 'Deployment') as V1Deployment | undefined;
  if (!deployment?.spec) throw new Error('the generated manifests define no Deployment');
  return deployment;
}

beforeAll(async () => {
  const deployment = renderDeployment();
  const spec = deployment.spec as NonNullable<V1Deployment['spec']>;
  const containers = spec.template.spec?.containers ?? [];
  const brokerImage = containers.find((c) => c.name === 'broker')?.image ?? '';
  const agentImage = containers.find((c) => c.name === 'agent')?.image ?? '';
  controlPlane = await startControlPlane({ controllers: ROLLOUT_CONTROLLERS });
  const network = await podNetwork();
  const replicas = spec.replicas ?? 2;
  // One member more than replicas: a terminating pod keeps its broker until it exited.
  brokers = await startBrokerGroup({
    size: replicas + 1,
    protocols: ['openwire', 'stomp'],
    takeover: 'fast',
    ...(network.kind === 'routable' ? { hosts: allocatePodIPs(replicas + 1) } : {}),
  });
  // The pods start the brokers.
  for (const b of brokers.brokers) if (b.running) await brokers.kill(b.id, 'SIGTERM');
  const agentEnv: NodeJS.ProcessEnv = {};
  const uid = process.getuid?.() ?? 0;
  ha = haImages({
    brokers,
    agentEntrypoint: requireAgentBundle(),
    brokerImage,
    agentImage,
    agentEnv,
    dir: join(brokers.dir, 'pods'),
    // The brokers here run as this process's uid: the generated runAsUser maps to it.
    uid: (u) => (u === spec.template.spec?.securityContext?.runAsUser ? uid : u),
  });
  const broken = async (ctx: { container: { name: string } }): Promise<LocalContainer> => ({
    name: ctx.container.name,
    running: false,
    exitCode: 1,
    terminationMessage: 'Error: Could not find or load main class org.apache.activemq.console.Main',
    stop: async () => undefined,
  });
  target = await RealTarget.start({
    namespace: NS,
    groupLabels: GROUP,
    service: {
      name: 'activemq',
      selector: { ...GROUP, leader: 'yes' },
      ports: [
        { name: 'openwire', port: 61616, targetPort: 'openwire' },
        { name: 'stomp', port: 61613, targetPort: 'stomp' },
      ],
    },
    controlPlane,
    images: { ...ha.images, [BROKEN_IMAGE]: broken },
    podHost: ha.podHost,
    restartBackOff: { initialMs: 1000, maxMs: 5000 },
  });
  Object.assign(agentEnv, {
    KUBECONFIG: target.agentKubeconfigPath,
    ACTIVEMQ_HA_TOKEN_FILE: target.tokenFile.file,
  });
  target.kubelet.onPodRemoved((name) => ha.release(name));
  target.slices.onSync(() => {
    mostEndpoints = Math.max(mostEndpoints, target?.slices.endpoints().length ?? 0);
  });
  apps = target.adminKubeConfig.makeApiClient(AppsV1Api);
  core = target.adminKubeConfig.makeApiClient(CoreV1Api);
  deploymentName = deployment.metadata?.name ?? 'activemq';
  await apps.createNamespacedDeployment({
    namespace: NS,
    body: {
      ...deployment,
      metadata: { ...deployment.metadata, namespace: NS },
      spec: { ...spec, progressDeadlineSeconds: PROGRESS_DEADLINE_SECONDS },
    },
  });
  await rolledOut();
}, 300_000);

afterAll(async () => {
  await target?.kubelet.stopAndKill();
  await target?.close();
  await brokers?.stop();
  await controlPlane?.stop();
}, 120_000);

async function readDeployment(): Promise<V1Deployment> {
  return apps.readNamespacedDeployment({ name: deploymentName, namespace: NS });
}

const progressing = (d: V1Deployment) =>
  d.status?.conditions?.find((c) => c.type === 'Progressing');

/** The Deployment controller's own verdict: the new ReplicaSet is available (kubectl rollout status). */
async function rolledOut(): Promise<V1Deployment> {
  return poll(
    async () => {
      const d = await readDeployment();
      const want = d.spec?.replicas ?? 0;
      const s = d.status;
      return (s?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
        s?.updatedReplicas === want &&
        s?.availableReplicas === want &&
        (s?.replicas ?? 0) === want &&
        progressing(d)?.reason === 'NewReplicaSetAvailable'
        ? d
        : undefined;
    },
    { timeoutMs: 240_000, intervalMs: 500, description: 'the rollout completes' },
  );
}

/** The Deployment controller gave up: Progressing=False, ProgressDeadlineExceeded. */
async function deadlineExceeded(): Promise<V1Deployment> {
  return poll(
    async () => {
      const d = await readDeployment();
      const p = progressing(d);
      return p?.status === 'False' && p.reason === 'ProgressDeadlineExceeded' ? d : undefined;
    },
    {
      timeoutMs: (PROGRESS_DEADLINE_SECONDS + 90) * 1000,
      intervalMs: 1000,
      description: 'ProgressDeadlineExceeded',
    },
  );
}

async function pods(): Promise<V1Pod[]> {
  return (await core.listNamespacedPod({ namespace: NS })).items;
}

async function dumpState(): Promise<void> {
  process.stderr.write(`${await describeState()}\n`);
}

async function describeState(): Promise<string> {
  const d = await readDeployment().catch(() => undefined);
  const lines = (await pods().catch(() => [])).map((p) => {
    const statuses = [
      ...(p.status?.initContainerStatuses ?? []),
      ...(p.status?.containerStatuses ?? []),
    ]
      .map(
        (c) =>
          `${c.name}:${Object.keys(c.state ?? {})[0]}${c.state?.waiting?.reason ? `(${c.state.waiting.reason})` : ''}${c.state?.terminated?.reason ? `(${c.state.terminated.reason})` : ''}/r${c.restartCount}`,
      )
      .join(',');
    return `${p.metadata?.name} ${p.status?.phase} leader=${p.metadata?.labels?.leader} ${statuses}`;
  });
  return `deployment ${JSON.stringify(d?.status)}; pods: ${lines.join('; ')}`;
}

/** The one pod labelled leader is the only endpoint, and its broker serves. */
async function masterServesBehindTheService(): Promise<string> {
  const active = await brokers!.waitForActive({ timeoutMs: 60_000 });
  return poll(
    async () => {
      const all = await pods();
      const live = all.filter((p) => !p.metadata?.deletionTimestamp);
      const leaders = leaderNames(live);
      const eps = target!.slices.endpoints().map((e) => e.pod);
      const master = live.find((p) => ha.member(p.metadata?.name ?? '')?.id === active.broker.id);
      const name = master?.metadata?.name;
      return name &&
        leaders.length === 1 &&
        leaders[0] === name &&
        eps.length === 1 &&
        eps[0] === name
        ? name
        : undefined;
    },
    {
      timeoutMs: 60_000,
      intervalMs: 250,
      description: 'one leader, the master, the only endpoint',
    },
  );
}

async function patchTemplate(patch: object): Promise<void> {
  await apps.patchNamespacedDeployment(
    { name: deploymentName, namespace: NS, body: { spec: { template: patch } } },
    SMP,
  );
}

describe('rollouts of the generated Deployment on the real control plane', () => {
  it('a good template change rolls every pod, with one routable leader at all times', async () => {
    onTestFailed(dumpState);
    const before = new Set((await pods()).map((p) => p.metadata?.name));
    await masterServesBehindTheService();
    mostEndpoints = 0;
    await patchTemplate({ metadata: { annotations: { 'activemq-ha.test/rollout': '1' } } });
    await rolledOut();
    const after = (await pods()).filter((p) => !p.metadata?.deletionTimestamp);
    expect(after.every((p) => !before.has(p.metadata?.name))).toBe(true);
    await masterServesBehindTheService();
    expect(mostEndpoints).toBe(1);
    expect(target!.podWatch.overlaps()).toEqual([]);
  }, 300_000);

  it('a broken broker image stops the rollout: ProgressDeadlineExceeded, the master the only endpoint', async () => {
    onTestFailed(dumpState);
    const master = await masterServesBehindTheService();
    await patchTemplate({ spec: { containers: [{ name: 'broker', image: BROKEN_IMAGE }] } });
    const d = await deadlineExceeded();
    expect(d.status?.updatedReplicas).toBe(1);
    const stuck = (await pods()).find((p) =>
      p.spec?.containers.some((c) => c.image === BROKEN_IMAGE),
    );
    const broker = stuck?.status?.containerStatuses?.find((c) => c.name === 'broker');
    expect(broker?.ready).toBe(false);
    expect((broker?.restartCount ?? 0) >= 1 || broker?.state?.terminated !== undefined).toBe(true);
    expect(await masterServesBehindTheService()).toBe(master);
    // Roll back (kubectl rollout undo): the old template again.
    await patchTemplate({
      spec: { containers: [{ name: 'broker', image: renderImage('broker') }] },
    });
    await rolledOut();
    await masterServesBehindTheService();
  }, 400_000);

  it('an unwritable store stops the rollout at check-store (Init:Error names path and uid); the master serves on', async () => {
    onTestFailed(dumpState);
    const master = await masterServesBehindTheService();
    await patchTemplate({
      spec: {
        securityContext: {
          runAsUser: UNPRIVILEGED,
          runAsGroup: UNPRIVILEGED,
          fsGroup: UNPRIVILEGED,
        },
      },
    });
    await deadlineExceeded();
    const stuck = (await pods()).find((p) => p.spec?.securityContext?.runAsUser === UNPRIVILEGED);
    expect(stuck?.status?.phase).toBe('Pending');
    const check = stuck?.status?.initContainerStatuses?.find((c) => c.name === 'check-store');
    const terminated = check?.state?.terminated ?? check?.lastState?.terminated;
    expect(terminated?.exitCode).toBe(1);
    expect(terminated?.message).toContain(`as uid ${UNPRIVILEGED} gid ${UNPRIVILEGED}`);
    expect(terminated?.message).toContain(brokers!.sharedDataDir);
    expect(await masterServesBehindTheService()).toBe(master);
    const runAsUser = renderDeployment().spec?.template.spec?.securityContext?.runAsUser;
    await patchTemplate({
      spec: { securityContext: { runAsUser, runAsGroup: runAsUser, fsGroup: runAsUser } },
    });
    await rolledOut();
    await masterServesBehindTheService();
  }, 400_000);

  it("a broker whose liveness probe fails (the manifests' exec probe) is killed and restarted; the labels follow", async () => {
    onTestFailed(dumpState);
    const master = await masterServesBehindTheService();
    // The agent's split-brain brake is the stop marker the broker's liveness probe checks; set
    // here by hand, the probe fails 3 times 10 s apart, and the kubelet restarts the container.
    await writeFile(join(ha.runDir(master), 'stop-broker'), '');
    const restarted = await poll(
      async () => {
        const pod = (await pods()).find((p) => p.metadata?.name === master);
        const broker = pod?.status?.containerStatuses?.find((c) => c.name === 'broker');
        return (broker?.restartCount ?? 0) >= 1 ? pod : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500, description: 'the broker container restarted' },
    );
    await rm(join(ha.runDir(master), 'stop-broker'), { force: true });
    expect(
      restarted.status?.containerStatuses?.find((c) => c.name === 'broker')?.lastState?.terminated,
    ).toBeDefined();
    // Another pod took over; one leader, the new master, the only endpoint.
    const next = await masterServesBehindTheService();
    expect(next).not.toBe(master);
    expect(target!.podWatch.overlaps()).toEqual([]);
  }, 300_000);
});

function renderImage(container: string): string {
  return (
    renderDeployment().spec?.template.spec?.containers.find((c) => c.name === container)?.image ??
    ''
  );
}
