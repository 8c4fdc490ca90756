// The controllers part as the facade uses it: started once, its lag switched at run time (a
// restart that re-lists, as a restarted kube-controller-manager does), its counters readable.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultEndpointSliceLag } from './controller-lag.js';
import { EmulatorControllers } from './emulator-controllers.js';
import { EmulatorObjects } from './emulator-objects.js';
import { buildPod } from './test-objects.js';

const stomp = [{ name: 'stomp', containerPort: 61613 }];

function world() {
  const objects = new EmulatorObjects({ namespace: 'default', historyLimit: 1000 });
  const controllers = new EmulatorControllers(objects.store);
  controllers.start();
  objects.createPod({
    name: 'amq-0',
    labels: { app: 'amq', leader: 'yes' },
    containerPorts: stomp,
  });
  objects.createService({
    name: 'amq',
    selector: { app: 'amq', leader: 'yes' },
    ports: [{ name: 'stomp', port: 61613, targetPort: 'stomp' }],
  });
  const ready = () => objects.readyEndpoints('amq').map((e) => e.pod);
  return { objects, controllers, ready };
}

describe('EmulatorControllers', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("runs kube-controller-manager's lag by default; 'none' restarts it with same-tick slices", async () => {
    vi.useFakeTimers();
    const w = world();
    expect(w.controllers.endpointSliceLag).toEqual(defaultEndpointSliceLag);
    expect(w.ready()).toEqual([]);
    await vi.advanceTimersByTimeAsync(30);
    expect(w.ready()).toEqual(['amq-0']);

    w.controllers.setEndpointSliceLag('none');
    expect(w.controllers.endpointSliceLag.informerMs).toBe(0);
    w.objects.createPod({
      name: 'amq-1',
      labels: { app: 'amq', leader: 'yes' },
      containerPorts: stomp,
    });
    expect(w.ready().sort()).toEqual(['amq-0', 'amq-1']);
    w.controllers.stop();
  });

  it('a partial lag keeps the other defaults', () => {
    const w = world();
    w.controllers.setEndpointSliceLag({ writeMs: 0 });
    expect(w.controllers.endpointSliceLag).toEqual({ ...defaultEndpointSliceLag, writeMs: 0 });
    w.controllers.stop();
  });

  it('counts pods left out for a missing Node and stale-cache refusals', async () => {
    vi.useFakeTimers();
    const w = world();
    w.controllers.setEndpointSliceLag('none');
    // Created with create(), not createPod() (which registers the pod's Node as a kubelet would).
    w.objects.create(
      'pods',
      buildPod(
        {
          name: 'amq-9',
          labels: { app: 'amq', leader: 'yes' },
          nodeName: 'gone',
          containerPorts: stomp,
        },
        'default',
      ),
    );
    expect(w.ready()).toEqual(['amq-0']);
    expect(w.controllers.podsSkippedForMissingNodes).toBeGreaterThan(0);
    expect(w.controllers.staleEndpointSliceSyncs).toBe(0);
    w.controllers.stop();
  });
});
