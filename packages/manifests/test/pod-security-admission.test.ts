// Pod Security "restricted" as a real kube-apiserver enforces it: the overlay's own Namespace
// (labelled enforce=restricted), then the whole overlay applied with the real
// `kubectl apply --server-side`, and the real deployment and replicaset controllers creating the
// pods, which the PodSecurity admission plugin (in the API server's default chain) admits or
// refuses. On Deployments that plugin only warns; on pods it refuses.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  type BaseOptions,
  type OverlayOptions,
  overlayDefaults,
  renderBase,
  renderOverlay,
  resolveBaseOptions,
  writeTree,
} from '@activemq-ha/manifests';
import {
  type ControlPlane,
  pollUntil,
  startControlPlane,
  TEST_CONTROLLERS,
} from '@activemq-ha/testkit';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { KUBECTL, tempDir } from './helpers/kustomize.js';

const run = promisify(execFile);

const credentials = {
  brokerPassword: 'broker-pw-0123456789',
  consolePassword: 'console-pw-0123456789',
};

/** The CRDs the optional parts use, as open schemas: this test is about pods, not about them. */
const CRDS = [
  ['cert-manager.io', 'Certificate', 'certificates'],
  ['monitoring.coreos.com', 'PodMonitor', 'podmonitors'],
].map(([group, kind, plural]) => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${plural}.${group}` },
  spec: {
    group,
    scope: 'Namespaced',
    names: { kind, plural, singular: kind?.toLowerCase(), listKind: `${kind}List` },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        },
      },
    ],
  },
}));

interface Combination {
  readonly namespace: string;
  readonly base: BaseOptions;
  readonly overlay?: Pick<OverlayOptions, 'monitoring'>;
}

const RWX = { storageClassName: 'nfs-csi' } as const;

/** The options that change the pod: containers, volumes, ports, probes, env. */
const COMBINATIONS: readonly Combination[] = [
  { namespace: 'psa-defaults', base: { storage: RWX } },
  {
    namespace: 'psa-nfs-lb-every-protocol',
    base: {
      protocols: ['openwire', 'stomp', 'amqp', 'mqtt', 'ws'],
      service: { type: 'LoadBalancer', exposeConsole: true },
      networkPolicy: { externalCidrs: ['203.0.113.0/24'] },
      antiAffinity: 'required',
      replicas: 3,
      storage: { nfs: { server: 'nfs.example.com', path: '/mq' } },
    },
  },
  {
    namespace: 'psa-tls-security-metrics',
    base: {
      protocols: ['openwire-tls', 'stomp-tls'],
      tls: { certManager: { issuerName: 'ca' } },
      security: {
        users: [{ username: 'shop', groups: ['shop'] }],
        authorization: [{ queue: 'orders.>', write: ['shop'], read: ['users'] }],
      },
      metrics: { enabled: true },
      storage: RWX,
    },
    overlay: { monitoring: true },
  },
  {
    namespace: 'psa-stomp-no-console-jetty12',
    base: {
      protocols: ['stomp'],
      console: { enabled: false },
      networkPolicy: { enabled: false },
      broker: { version: '6.3.1', redelivery: false },
      storage: RWX,
    },
  },
];

describe('Pod Security "restricted" enforced by a real API server', () => {
  let cp: ControlPlane;
  const kubectl = async (...args: string[]) =>
    run(KUBECTL, [`--kubeconfig=${cp.kubeconfigPath}`, ...args], {
      timeout: 90_000,
      maxBuffer: 16 * 1024 * 1024,
    });

  beforeAll(async () => {
    cp = await startControlPlane({
      controllers: [...TEST_CONTROLLERS, 'deployment-controller', 'replicaset-controller'],
    });
    await using dir = await tempDir();
    const file = join(dir.path, 'crds.json');
    await writeTree(dir.path, {
      'crds.json': JSON.stringify({ kind: 'List', apiVersion: 'v1', items: CRDS }),
    });
    await kubectl('apply', '--server-side', '-f', file);
    await kubectl('wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all');
  }, 240_000);
  afterAll(async () => {
    await cp?.stop();
  });

  it('is on: a pod that breaks the profile is refused in the namespace the overlay creates', async () => {
    onTestFailed(() => cp.dumpLogs());
    await using dir = await tempDir();
    const overlay = renderOverlay({ namespace: 'psa-probe', credentials });
    await writeTree(dir.path, overlay);
    await kubectl('apply', '--server-side', '-k', join(dir.path, 'namespace'));
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'careless', namespace: 'psa-probe' },
      // No securityContext at all, as a chart written without thought would have it.
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    };
    await writeTree(dir.path, { 'pod.json': JSON.stringify(pod) });
    const refused = kubectl('apply', '--server-side', '-f', join(dir.path, 'pod.json'));
    await expect(refused).rejects.toThrow(
      /violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false.*runAsNonRoot != true.*seccompProfile/s,
    );
  });

  for (const c of COMBINATIONS) {
    it(`admits every pod of ${c.namespace}`, async () => {
      onTestFailed(() => cp.dumpLogs());
      await using dir = await tempDir();
      const base = renderBase(c.base);
      const consoleEnabled = c.base.console?.enabled ?? true;
      const overlay = renderOverlay({
        ...overlayDefaults(resolveBaseOptions(c.base)),
        namespace: c.namespace,
        ...c.overlay,
        credentials: {
          brokerPassword: credentials.brokerPassword,
          ...(consoleEnabled ? { consolePassword: credentials.consolePassword } : {}),
          userPasswords: Object.fromEntries(
            (c.base.security?.users ?? []).map((u) => [u.username, `${u.username}-pw-0123456789`]),
          ),
        },
      });
      await writeTree(join(dir.path, 'base'), base);
      const overlayDir = join(dir.path, 'overlays', 'test');
      await writeTree(overlayDir, overlay);

      const ns = await kubectl('apply', '--server-side', '-k', join(overlayDir, 'namespace'));
      expect(ns.stdout).toContain(`namespace/${c.namespace} serverside-applied`);
      const labels = JSON.parse(
        (await kubectl('get', 'namespace', c.namespace, '-o', 'json')).stdout,
      ).metadata.labels as Record<string, string>;
      expect(labels['pod-security.kubernetes.io/enforce']).toBe('restricted');

      const applied = await kubectl(
        'apply',
        '--server-side',
        '--field-manager=activemq-ha-test',
        '-k',
        overlayDir,
      );
      // The plugin checks the Deployment's pod template too, but only warns there.
      expect(applied.stderr).not.toMatch(/PodSecurity/);
      expect(applied.stdout).toMatch(/deployment\.apps\/activemq serverside-applied/);

      const replicas = c.base.replicas ?? 2;
      const pods = await pollUntil(
        async () => {
          const list = JSON.parse(
            (await kubectl('get', 'pods', '-n', c.namespace, '-o', 'json')).stdout,
          ) as { items: { metadata: { name: string } }[] };
          return list.items.length >= replicas ? list.items : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 250 },
        () => new Error(`fewer than ${replicas} pods in ${c.namespace} after 60 s`),
      ).catch(async (error: unknown) => {
        // The ReplicaSet says why pods were not created (a PodSecurity refusal names the rule).
        const events = await kubectl('get', 'events', '-n', c.namespace, '-o', 'wide');
        throw new Error(`${(error as Error).message}\n${events.stdout}`);
      });
      expect(pods).toHaveLength(replicas);
    });
  }
});
