import { describe, expect, it } from 'vitest';
import { reconcileService } from './endpoint-slice-reconciler.js';
import { buildPod, buildService } from './test-objects.js';
import type { KubeObject } from './types.js';

const ns = 'default';

/** Pod names in the slices and in the Endpoints object that one reconcile would write. */
function planned(pod: KubeObject, publishNotReadyAddresses = false) {
  const service = buildService(
    { name: 'amq', selector: { app: 'amq' }, ports: [{ port: 80 }], publishNotReadyAddresses },
    ns,
  );
  const writes = reconcileService({ service, pods: [pod], slices: [], endpoints: undefined });
  const names = (resource: string) =>
    writes
      .filter((w) => w.op !== 'delete' && w.resource === resource)
      .flatMap((w) => JSON.stringify(w).match(/"name":"amq-[0-9]"/g) ?? [])
      .map((m) => m.slice('"name":"'.length, -1));
  return { slices: names('endpointslices'), endpoints: names('endpoints') };
}

describe('reconcileService', () => {
  it('leaves an unscheduled pod (no Node to find) out of the slices, but not out of Endpoints', () => {
    const pod = buildPod({ name: 'amq-0', labels: { app: 'amq' }, nodeName: '' }, ns);
    expect(planned(pod)).toEqual({ slices: [], endpoints: ['amq-0'] });
  });

  it('keeps an unscheduled pod in the slices when the Service publishes not-ready addresses', () => {
    const pod = buildPod({ name: 'amq-0', labels: { app: 'amq' }, nodeName: '' }, ns);
    expect(planned(pod, true).slices).toEqual(['amq-0']);
  });

  it('lists a scheduled pod in both', () => {
    const pod = buildPod({ name: 'amq-0', labels: { app: 'amq' } }, ns);
    expect(planned(pod)).toEqual({ slices: ['amq-0'], endpoints: ['amq-0'] });
  });
});
