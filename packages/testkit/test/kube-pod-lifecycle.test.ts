// Graceful pod deletion and Nodes over the emulator's REST API, through client-node as a
// cluster's clients use it: what a kubelet, a `kubectl delete pod` and the EndpointSlice
// controller see.
import { request } from 'node:https';
import { CoreV1Api, PatchStrategy, setHeaderOptions, Watch } from '@kubernetes/client-node';

const SMP = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

import { afterEach, describe, expect, it } from 'vitest';
import { type KubeEmulator, startKubeEmulator } from '../src/index.js';

let emu: KubeEmulator;
afterEach(async () => {
  await emu?.close();
});

const ns = 'default';

async function bootstrap() {
  emu = await startKubeEmulator({ endpointSliceLag: 'none' });
  const core = emu.kubeConfig().makeApiClient(CoreV1Api);
  await core.createNode({ body: { metadata: { name: 'node-a' } } });
  await core.createNamespacedService({
    namespace: ns,
    body: {
      metadata: { name: 'amq' },
      spec: {
        selector: { app: 'amq' },
        ports: [{ name: 'stomp', port: 61613, targetPort: 'stomp' as never }],
      },
    },
  });
  const pod = (name: string, nodeName: string) =>
    core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name, labels: { app: 'amq' } },
        spec: {
          nodeName,
          terminationGracePeriodSeconds: 20,
          containers: [{ name: 'c', image: 'x', ports: [{ name: 'stomp', containerPort: 61613 }] }],
        },
      },
    });
  const running = (name: string, ip: string) =>
    core.patchNamespacedPodStatus(
      {
        name,
        namespace: ns,
        body: {
          status: {
            phase: 'Running',
            podIP: ip,
            podIPs: [{ ip }],
            conditions: [{ type: 'Ready', status: 'True' }],
          },
        },
      },
      SMP,
    );
  return { core, pod, running };
}

/** HTTP status of a GET with the emulator's token and CA. */
function statusOf(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${emu.url}${path}`,
      { ca: emu.caCert, headers: { authorization: `Bearer ${emu.token}` } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** `name ready/serving/terminating` of the Service's endpoints. */
function endpoints(): string[] {
  return emu
    .endpointSlices('amq')
    .flatMap(
      (s) =>
        (s.endpoints as
          | { targetRef: { name: string }; conditions: Record<string, boolean> }[]
          | undefined) ?? [],
    )
    .map(
      (e) =>
        `${e.targetRef.name} ${e.conditions.ready}/${e.conditions.serving}/${e.conditions.terminating}`,
    )
    .sort();
}

describe('Nodes', () => {
  it('are cluster-scoped: create, get, patch status, list; 404 under a namespace path', async () => {
    const { core } = await bootstrap();
    const node = await core.readNode({ name: 'node-a' });
    expect(node.metadata?.namespace).toBeUndefined();
    await core.patchNodeStatus(
      {
        name: 'node-a',
        body: { status: { conditions: [{ type: 'Ready', status: 'True' }] } },
      },
      SMP,
    );
    expect((await core.readNode({ name: 'node-a' })).status?.conditions?.[0]?.type).toBe('Ready');
    expect((await core.listNode()).items.map((n) => n.metadata?.name)).toEqual(['node-a']);
    // A cluster-scoped resource has no namespaced path.
    expect(await statusOf(`/api/v1/namespaces/${ns}/nodes/node-a`)).toBe(404);
    expect(await statusOf('/api/v1/nodes/node-a')).toBe(200);
  });

  it('a pod on a Node that does not exist stays out of the EndpointSlice until the Node registers', async () => {
    const { core, pod, running } = await bootstrap();
    await pod('amq-0', 'node-a');
    await running('amq-0', '10.0.0.1');
    await pod('amq-1', 'node-b');
    await running('amq-1', '10.0.0.2');
    await emu.waitFor(() => endpoints().length === 1);
    expect(endpoints()).toEqual(['amq-0 true/true/false']);
    await core.createNode({ body: { metadata: { name: 'node-b' } } });
    // The failed sync is retried with back-off (1 s), not on the Node event.
    await emu.waitFor(() => endpoints().length === 2, { timeoutMs: 5000 });
    expect(endpoints()).toEqual(['amq-0 true/true/false', 'amq-1 true/true/false']);
  });
});

describe('graceful pod deletion', () => {
  it('DELETE sets deletionTimestamp = now + grace and keeps the pod; grace 0 removes it (MODIFIED, DELETED)', async () => {
    const { core, pod, running } = await bootstrap();
    await pod('amq-0', 'node-a');
    await running('amq-0', '10.0.0.1');
    await emu.waitFor(() => endpoints().length === 1);
    const events: string[] = [];
    const ctl = await new Watch(emu.kubeConfig()).watch(
      `/api/v1/namespaces/${ns}/pods`,
      { resourceVersion: String(emu.resourceVersion) },
      (type, obj: { metadata?: { deletionGracePeriodSeconds?: number } }) =>
        events.push(`${type} grace=${obj.metadata?.deletionGracePeriodSeconds ?? '-'}`),
      () => undefined,
    );
    try {
      const before = Date.now();
      const answer = await core.deleteNamespacedPod({ name: 'amq-0', namespace: ns });
      expect(answer.metadata?.deletionGracePeriodSeconds).toBe(20);
      const deadline = answer.metadata?.deletionTimestamp?.getTime() ?? 0;
      expect(deadline).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 20_000);
      expect(deadline).toBeLessThanOrEqual(Date.now() + 20_000);
      // Still there, Terminating; the endpoint turns not-ready but serving and terminating.
      expect((await core.readNamespacedPod({ name: 'amq-0', namespace: ns })).metadata?.uid).toBe(
        answer.metadata?.uid,
      );
      await emu.waitFor(() => endpoints()[0]?.endsWith('/true'));
      expect(endpoints()).toEqual(['amq-0 false/true/true']);
      // A second DELETE with a longer grace period changes nothing.
      const again = await core.deleteNamespacedPod({
        name: 'amq-0',
        namespace: ns,
        body: { gracePeriodSeconds: 60 },
      });
      expect(again.metadata?.resourceVersion).toBe(answer.metadata?.resourceVersion);
      // The kubelet's final delete: grace 0, with the uid as precondition.
      await core.deleteNamespacedPod({
        name: 'amq-0',
        namespace: ns,
        body: { gracePeriodSeconds: 0, preconditions: { uid: answer.metadata?.uid } },
      });
      await expect(core.readNamespacedPod({ name: 'amq-0', namespace: ns })).rejects.toMatchObject({
        code: 404,
      });
      await emu.waitFor(() => events.length >= 3);
      expect(events).toEqual(['MODIFIED grace=20', 'MODIFIED grace=0', 'DELETED grace=0']);
      await emu.waitFor(() => endpoints().length === 0);
    } finally {
      ctl.abort();
    }
  });

  it('an unscheduled pod goes at once; the query form of gracePeriodSeconds counts too', async () => {
    const { core, pod } = await bootstrap();
    await core.createNamespacedPod({
      namespace: ns,
      body: { metadata: { name: 'pending' }, spec: { containers: [{ name: 'c', image: 'x' }] } },
    });
    await core.deleteNamespacedPod({ name: 'pending', namespace: ns });
    await expect(core.readNamespacedPod({ name: 'pending', namespace: ns })).rejects.toMatchObject({
      code: 404,
    });
    await pod('amq-0', 'node-a');
    await core.deleteNamespacedPod({ name: 'amq-0', namespace: ns, gracePeriodSeconds: 0 });
    await expect(core.readNamespacedPod({ name: 'amq-0', namespace: ns })).rejects.toMatchObject({
      code: 404,
    });
  });
});
