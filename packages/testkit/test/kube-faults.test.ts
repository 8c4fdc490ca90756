import { connect } from 'node:net';
import { CoreV1Api, makeInformer, type V1Pod, Watch } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type KubeEmulator, startKubeEmulator } from '../src/index.js';

function tcpConnect(port: number): Promise<'connected' | string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

describe('Kubernetes API emulator fault injection', () => {
  let emu: KubeEmulator;

  beforeEach(async () => {
    emu = await startKubeEmulator();
    emu.createPod({ name: 'amq-0', labels: { app: 'amq' } });
  });
  afterEach(async () => {
    await emu.close();
  });

  it('setDown refuses connections and comes back on the same port', async () => {
    const core = emu.kubeConfig().makeApiClient(CoreV1Api);
    const port = emu.port;
    await emu.setDown(true);
    expect(emu.isDown).toBe(true);
    expect(await tcpConnect(port)).toBe('ECONNREFUSED');
    await expect(core.listNamespacedPod({ namespace: 'default' })).rejects.toThrow();
    await emu.setDown(false);
    expect(emu.port).toBe(port);
    expect((await core.listNamespacedPod({ namespace: 'default' })).items).toHaveLength(1);
  });

  it('down(ms) in reset mode drops connections, then serves again', async () => {
    const core = emu.kubeConfig().makeApiClient(CoreV1Api);
    const outage = emu.down(300, 'reset');
    await emu.waitFor(() => emu.isDown);
    await expect(core.readNamespacedPod({ name: 'amq-0', namespace: 'default' })).rejects.toThrow();
    await outage;
    expect(
      (await core.readNamespacedPod({ name: 'amq-0', namespace: 'default' })).metadata?.name,
    ).toBe('amq-0');
  });

  it('cutWatches ends a client-node watch with an error; an injected reset fails one request', async () => {
    const errors: unknown[] = [];
    await new Watch(emu.kubeConfig()).watch(
      '/api/v1/namespaces/default/pods',
      {},
      () => {},
      (err) => errors.push(err),
    );
    await emu.waitFor(() => emu.openWatches === 1);
    expect(emu.cutWatches()).toBe(1);
    await emu.waitFor(() => errors.length === 1);
    expect(errors[0]).toBeInstanceOf(Error);
    expect(emu.openWatches).toBe(0);

    emu.failNext(1, { status: 'reset', verb: 'get' });
    const core = emu.kubeConfig().makeApiClient(CoreV1Api);
    await expect(core.readNamespacedPod({ name: 'amq-0', namespace: 'default' })).rejects.toThrow();
    expect(
      (await core.readNamespacedPod({ name: 'amq-0', namespace: 'default' })).metadata?.name,
    ).toBe('amq-0');
  });

  it('an informer recovers from a cut watch and from 410 Expired by relisting', async () => {
    const core = emu.kubeConfig().makeApiClient(CoreV1Api);
    const informer = makeInformer(emu.kubeConfig(), '/api/v1/namespaces/default/pods', () =>
      core.listNamespacedPod({ namespace: 'default' }),
    );
    const seen = new Set<string>();
    informer.on('add', (p: V1Pod) => seen.add(p.metadata?.name ?? ''));
    informer.on('error', () => {
      // ListWatch stops on errors other than 410/timeouts; restart it, as callers must.
      setTimeout(() => void informer.start(), 10);
    });
    await informer.start();
    await emu.waitFor(() => seen.has('amq-0') && emu.openWatches === 1);
    const lists = emu.countRequests({ verb: 'list', resource: 'pods' });
    emu.compactHistory();
    emu.cutWatches('graceful');
    emu.createPod({ name: 'amq-1' });
    emu.compactHistory();
    await emu.waitFor(() => seen.has('amq-1'), { timeoutMs: 10_000 });
    expect(emu.countRequests({ verb: 'list', resource: 'pods' })).toBeGreaterThan(lists);
    await informer.stop();
  });

  it('added latency delays matching requests only', async () => {
    const core = emu.kubeConfig().makeApiClient(CoreV1Api);
    await core.readNamespacedPod({ name: 'amq-0', namespace: 'default' }); // warm the connection
    emu.setLatency(800, { verb: 'get' });
    let t = performance.now();
    await core.readNamespacedPod({ name: 'amq-0', namespace: 'default' });
    expect(performance.now() - t).toBeGreaterThanOrEqual(790);
    t = performance.now();
    await core.listNamespacedPod({ namespace: 'default' });
    expect(performance.now() - t).toBeLessThan(790);
    emu.setLatency(0);
  });
});
