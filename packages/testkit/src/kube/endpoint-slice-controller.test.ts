import { afterEach, describe, expect, it, vi } from 'vitest';
import { EndpointSliceController } from './endpoint-slice-controller.js';
import { managedByLabel, serviceNameLabel } from './endpoint-slice-reconciler.js';
import { ObjectRegistry } from './object-registry.js';
import { ObjectStore } from './object-store.js';
import { storageDef } from './resources.js';
import { buildNode, buildPod, buildService } from './test-objects.js';
import type { KubeObject } from './types.js';

const ns = 'default';

function world(lag: ConstructorParameters<typeof EndpointSliceController>[1]) {
  const store = new ObjectStore(1000);
  const registry = new ObjectRegistry(store);
  const controller = new EndpointSliceController(store, lag);
  controller.start();
  const create = (resource: 'pods' | 'services', obj: KubeObject) =>
    registry.create(storageDef(resource), ns, obj, { keepStatus: true });
  const label = (pod: string, labels: Record<string, string | null>) =>
    registry.patch(storageDef('pods'), ns, pod, 'merge', { metadata: { labels } }, undefined);
  const slices = () =>
    store.list('endpointslices', ns).filter((s) => s.metadata.labels?.[serviceNameLabel] === 'amq');
  /** Pod names the Service's slices list as ready. */
  const ready = () =>
    slices().flatMap((s) =>
      ((s.endpoints as { conditions: { ready: boolean }; targetRef: { name: string } }[]) ?? [])
        .filter((e) => e.conditions.ready)
        .map((e) => e.targetRef.name),
    );
  // The Node the kubelet registered: pods on a missing Node stay out of the slices.
  registry.create(storageDef('nodes'), '', buildNode('emulated-node'));
  for (const name of ['amq-0', 'amq-1']) {
    create(
      'pods',
      buildPod(
        {
          name,
          labels: name === 'amq-0' ? { app: 'amq', leader: 'yes' } : { app: 'amq' },
          containerPorts: [{ name: 'stomp', containerPort: 61613 }],
        },
        ns,
      ),
    );
  }
  create(
    'services',
    buildService(
      {
        name: 'amq',
        selector: { app: 'amq', leader: 'yes' },
        ports: [{ name: 'stomp', port: 61613, targetPort: 'stomp' }],
      },
      ns,
    ),
  );
  /** Committed slice writes by anyone (the controller is the only writer here). */
  const sliceWrites = () => {
    let n = 0;
    const off = store.subscribe((e) => {
      if (e.resource === 'endpointslices') n++;
    });
    return { count: () => n, off };
  };
  return { store, registry, controller, label, slices, ready, sliceWrites };
}

describe('EndpointSliceController', async () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("with zero lag writes the slice in the same tick as the pod's change", async () => {
    const w = world('none');
    expect(w.ready()).toEqual(['amq-0']);
    expect(w.slices()[0]?.metadata.labels?.[managedByLabel]).toBe(
      'endpointslice-controller.k8s.io',
    );
    w.label('amq-0', { leader: null });
    w.label('amq-1', { leader: 'yes' });
    expect(w.ready()).toEqual(['amq-1']);
    expect(w.controller.staleSyncs).toBe(0);
    w.controller.stop();
  });

  it('with the default lag, a second pod change on a stale slice cache waits for the 1 s retry', async () => {
    vi.useFakeTimers();
    const w = world(undefined);
    expect(w.ready()).toEqual([]);
    await vi.advanceTimersByTimeAsync(29); // informer 20 ms + write 10 ms
    expect(w.ready()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(w.ready()).toEqual(['amq-0']);
    await vi.advanceTimersByTimeAsync(5000); // quiet: the informer has seen the controller's own write

    // A hand-over: two pod changes 1 ms apart.
    w.label('amq-0', { leader: null });
    await vi.advanceTimersByTimeAsync(1);
    w.label('amq-1', { leader: 'yes' });
    await vi.advanceTimersByTimeAsync(30);
    expect(w.ready()).toEqual([]); // amq-0 left; amq-1's change met a stale cache
    expect(w.controller.staleSyncs).toBe(1);
    await vi.advanceTimersByTimeAsync(960);
    expect(w.ready()).toEqual([]);
    await vi.advanceTimersByTimeAsync(50); // 1 s backoff + write
    expect(w.ready()).toEqual(['amq-1']);
    w.controller.stop();
  });

  it('a change after the informer caught up is written within tens of ms, no retry', async () => {
    vi.useFakeTimers();
    const w = world(undefined);
    await vi.advanceTimersByTimeAsync(5000);
    w.label('amq-0', { leader: null });
    await vi.advanceTimersByTimeAsync(100);
    w.label('amq-1', { leader: 'yes' });
    await vi.advanceTimersByTimeAsync(30);
    expect(w.ready()).toEqual(['amq-1']);
    expect(w.controller.staleSyncs).toBe(0);
    w.controller.stop();
  });

  it('puts back a managed slice someone else deleted, after endpointSliceChangeMinSyncDelay', async () => {
    vi.useFakeTimers();
    const w = world(undefined);
    await vi.advanceTimersByTimeAsync(5000);
    const name = w.slices()[0]?.metadata.name ?? '';
    w.store.remove('endpointslices', ns, name);
    await vi.advanceTimersByTimeAsync(500);
    expect(w.slices()).toEqual([]);
    await vi.advanceTimersByTimeAsync(600);
    expect(w.ready()).toEqual(['amq-0']);
    expect(w.slices()[0]?.metadata.name).not.toBe(name);
    w.controller.stop();
  });

  it('leaves out a pod whose Node is missing and picks it up on the back-off retry after the Node registers', async () => {
    vi.useFakeTimers();
    const w = world(undefined);
    await vi.advanceTimersByTimeAsync(5000);
    w.registry.create(
      storageDef('pods'),
      ns,
      buildPod(
        {
          name: 'amq-2',
          labels: { app: 'amq', leader: 'yes' },
          nodeName: 'late-node',
          containerPorts: [{ name: 'stomp', containerPort: 61613 }],
        },
        ns,
      ),
      { keepStatus: true },
    );
    await vi.advanceTimersByTimeAsync(100);
    expect(w.ready()).toEqual(['amq-0']);
    expect(w.controller.podsSkippedForMissingNodes).toBe(1);
    // No Node event requeues the Service; the failed sync's 1 s retry does.
    w.registry.create(storageDef('nodes'), '', buildNode('late-node'));
    await vi.advanceTimersByTimeAsync(100);
    expect(w.ready()).toEqual(['amq-0']);
    await vi.advanceTimersByTimeAsync(1000);
    expect(w.ready().sort()).toEqual(['amq-0', 'amq-2']);
    w.controller.stop();
  });

  it('changes arriving while a sync is in flight sync once more after it, on a cache stale by the own write', async () => {
    vi.useFakeTimers();
    const w = world(undefined);
    await vi.advanceTimersByTimeAsync(5000);
    const writes = w.sliceWrites();
    w.label('amq-1', { leader: 'yes' });
    w.label('amq-1', { extra: 'x' });
    w.label('amq-0', { extra: 'y' });
    await vi.advanceTimersByTimeAsync(19); // the informer has not delivered yet
    expect(w.ready()).toEqual(['amq-0']);
    await vi.advanceTimersByTimeAsync(11); // informer 20 ms + write 10 ms
    expect(w.ready().sort()).toEqual(['amq-0', 'amq-1']);
    // The two later changes queued the key once (dedup) for after the first sync; that sync read
    // a cache without the slice just written, was refused and retried after 1 s: no second write.
    expect(w.controller.staleSyncs).toBe(1);
    await vi.advanceTimersByTimeAsync(2000);
    expect(writes.count()).toBe(1);
    expect(w.controller.staleSyncs).toBe(1);
    writes.off();
    w.controller.stop();
  });

  it('holds pod-triggered syncs for --endpointslice-updates-batch-period', async () => {
    vi.useFakeTimers();
    const w = world({ batchMs: 500 });
    await vi.advanceTimersByTimeAsync(5000);
    w.label('amq-1', { leader: 'yes' });
    await vi.advanceTimersByTimeAsync(20 + 499);
    expect(w.ready()).toEqual(['amq-0']);
    await vi.advanceTimersByTimeAsync(1 + 10);
    expect(w.ready().sort()).toEqual(['amq-0', 'amq-1']);
    w.controller.stop();
  });

  it('a stale-cache retry that fails again backs off twice as long', async () => {
    vi.useFakeTimers();
    // The informer runs so far behind that the controller's own write stays unseen for 1.5 s.
    const w = world({ informerMs: 1500 });
    await vi.advanceTimersByTimeAsync(10_000);
    w.label('amq-0', { leader: null });
    await vi.advanceTimersByTimeAsync(1);
    w.label('amq-1', { leader: 'yes' });
    await vi.advanceTimersByTimeAsync(1511); // first sync written; second met the stale cache
    expect(w.controller.staleSyncs).toBe(1);
    expect(w.ready()).toEqual([]);
    // The 1 s retry comes while the informer still has not seen that write: stale again, 2 s.
    await vi.advanceTimersByTimeAsync(1000);
    expect(w.controller.staleSyncs).toBe(2);
    await vi.advanceTimersByTimeAsync(1990);
    expect(w.ready()).toEqual([]);
    await vi.advanceTimersByTimeAsync(20);
    expect(w.ready()).toEqual(['amq-1']);
    w.controller.stop();
  });
});
