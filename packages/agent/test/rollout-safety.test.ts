import { join } from 'node:path';
import { type HaCluster, type HaPod, runToExit, startHaCluster } from '@activemq-ha/testkit';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { requireAgentBundle } from './agent-entrypoint.js';

// A rolling update scripted as the Deployment controller runs it with the generated manifests
// (maxSurge 0, maxUnavailable 1, minReadySeconds, the leader's pod last by its deletion cost):
// replace one pod, wait until the new one is Ready for minReadySeconds, then the next; stop when
// progressDeadlineSeconds pass without that. The emulator has no graceful deletion yet (emu3),
// so "replacing" a pod here is: stop its agent and broker, run the new template's init
// container (the real `check-store`), then its containers — a real broker, or none for a broken
// image — and the agent with the new pod's empty log directory.
const MIN_READY_MS = 2_000;
const PROGRESS_DEADLINE_MS = 45_000;
const UNPRIVILEGED = 65534;

let cluster: HaCluster;
let generation = 0;

function agentEnv(pod: HaPod, log = pod.broker.logFile): NodeJS.ProcessEnv {
  return {
    ACTIVEMQ_HA_BROKER_LOG: log,
    ACTIVEMQ_HA_BROKER_PROCESS: `-Dactivemq.base=${pod.broker.dir}`,
  };
}

beforeAll(async () => {
  cluster = await startHaCluster({ agentEntrypoint: requireAgentBundle(), size: 2, agents: false });
  for (const pod of cluster.pods) await cluster.startAgent(pod.name, { env: agentEnv(pod) });
});
afterAll(async () => {
  await cluster?.close();
});

const ready = (name: string) =>
  (
    cluster.kube.getPod(name)?.status as { conditions?: { type: string; status: string }[] }
  )?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

/** `check-store` as the new template's uid, as the init container runs it. */
function initContainer(
  store: string,
  uid: number,
): Promise<{ code: number | null; stderr: string }> {
  return runToExit(requireAgentBundle(), ['check-store', store], uid);
}

type Template = { readonly brokerStarts: boolean; readonly uid: number };

/** Replaces `pod` with one of `template`; resolves whether it became available in time. */
async function replace(
  pod: HaPod,
  template: Template,
): Promise<{ available: boolean; why: string }> {
  await pod.agent?.kill('SIGTERM');
  if (pod.broker.running) await cluster.brokers.kill(pod.broker.id, 'SIGTERM');
  const store = join(cluster.brokers.dir, 'shared');
  const init = await initContainer(store, template.uid);
  if (init.code !== 0) return { available: false, why: `Init:Error ${init.stderr.trim()}` };
  if (template.brokerStarts) await cluster.brokers.restart(pod.broker.id);
  // A new pod: its log emptyDir starts empty (the broken image never writes one).
  const log = template.brokerStarts
    ? pod.broker.logFile
    : join(cluster.brokers.dir, `empty-${++generation}.log`);
  await cluster.startAgent(pod.name, { env: agentEnv(pod, log) });
  const deadline = Date.now() + PROGRESS_DEADLINE_MS;
  let readySince: number | undefined;
  while (Date.now() < deadline) {
    readySince = ready(pod.name) ? (readySince ?? Date.now()) : undefined;
    if (readySince !== undefined && Date.now() - readySince >= MIN_READY_MS) {
      return { available: true, why: 'Ready for minReadySeconds' };
    }
    await new Promise((r) => setTimeout(r, 100)); // the controller's resync, not a synchronisation
  }
  const readyz = await fetch(`http://127.0.0.1:${pod.agent!.httpPort}/readyz`).then(
    (r) => r.text(),
    (e: Error) => e.message,
  );
  return { available: false, why: `ProgressDeadlineExceeded (/readyz: ${readyz.trim()})` };
}

/** The rollout: standbys first, the leader's pod last; stops at the first pod not available. */
async function rollOut(
  template: Template,
): Promise<{ replaced: string[]; stoppedAt?: string; why?: string }> {
  const leader = cluster.leaders()[0];
  const order = [...cluster.pods].sort(
    (a, b) => Number(a.name === leader) - Number(b.name === leader),
  );
  const replaced: string[] = [];
  for (const pod of order) {
    const r = await replace(pod, template);
    if (!r.available) return { replaced, stoppedAt: pod.name, why: r.why };
    replaced.push(pod.name);
  }
  return { replaced };
}

async function masterServesBehindTheService(): Promise<string> {
  const active = await cluster.brokers.waitForActive();
  const master = cluster.podOfBroker(active.broker.id).name;
  await cluster.kube.waitFor(
    () => {
      const eps = cluster.kube.readyEndpoints(cluster.serviceName, { portName: 'openwire' });
      return eps.length === 1 && eps[0]!.pod === master;
    },
    { timeoutMs: 30_000, description: `only ${master} behind the Service` },
  );
  expect(cluster.leaders()).toEqual([master]);
  return master;
}

async function healStandby(): Promise<void> {
  const master = await masterServesBehindTheService();
  for (const pod of cluster.pods.filter((p) => p.name !== master)) {
    await replace(pod, { brokerStarts: true, uid: 0 });
    await cluster.brokers.waitForSlave(pod.broker.id);
  }
}

describe('a rolling update with a bad template stops at the first new pod; the master serves on', () => {
  it('a broken broker image (its broker never starts): the new pod is never Ready', async () => {
    onTestFailed(cluster.dumpLogs);
    const master = await masterServesBehindTheService();
    const rollout = await rollOut({ brokerStarts: false, uid: 0 });
    expect(rollout.replaced).toEqual([]);
    expect(rollout.stoppedAt).not.toBe(master);
    expect(rollout.why).toContain('ProgressDeadlineExceeded');
    expect(await masterServesBehindTheService()).toBe(master);
    await healStandby();
  }, 180_000);

  it('an unwritable store (the new template runs as another uid): Init:Error names path and uid', async () => {
    onTestFailed(cluster.dumpLogs);
    const master = await masterServesBehindTheService();
    const rollout = await rollOut({ brokerStarts: true, uid: UNPRIVILEGED });
    expect(rollout.replaced).toEqual([]);
    expect(rollout.stoppedAt).not.toBe(master);
    expect(rollout.why).toContain('Init:Error');
    expect(rollout.why).toContain(`as uid ${UNPRIVILEGED} gid ${UNPRIVILEGED}`);
    expect(rollout.why).toContain(join(cluster.brokers.dir, 'shared'));
    expect(await masterServesBehindTheService()).toBe(master);
    await healStandby();
  }, 180_000);

  it('a good template rolls every pod, the leader last, and ends with one endpoint', async () => {
    onTestFailed(cluster.dumpLogs);
    const master = await masterServesBehindTheService();
    const rollout = await rollOut({ brokerStarts: true, uid: 0 });
    expect(rollout.stoppedAt, rollout.why).toBeUndefined();
    expect(rollout.replaced.at(-1)).toBe(master);
    await masterServesBehindTheService();
  }, 180_000);
});
