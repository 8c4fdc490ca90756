import { describe, expect, it } from 'vitest';
import { reconcileService } from './endpoint-slice-reconciler.js';
import { buildPod, buildService } from './test-objects.js';
import type { KubeObject } from './types.js';

const ns = 'default';

/** Pod names in the slices and in the Endpoints object that one reconcile would write. */
function planned(
  pod: KubeObject,
  publishNotReadyAddresses = false,
  nodes: readonly string[] = ['emulated-node'],
) {
  const service = buildService(
    { name: 'amq', selector: { app: 'amq' }, ports: [{ port: 80 }], publishNotReadyAddresses },
    ns,
  );
  const { writes } = reconcileService({
    service,
    pods: [pod],
    slices: [],
    endpoints: undefined,
    nodes: new Set(nodes),
  });
  const names = (resource: string) =>
    writes
      .filter((w) => w.op !== 'delete' && w.resource === resource)
      .flatMap((w) => JSON.stringify(w).match(/"name":"amq-[0-9]"/g) ?? [])
      .map((m) => m.slice('"name":"'.length, -1));
  return { slices: names('endpointslices'), endpoints: names('endpoints') };
}

/** The slice one reconcile of `service` over `pod` (on the existing Node) would create. */
function createdSlice(service: KubeObject, pod: KubeObject): KubeObject | undefined {
  const { writes } = reconcileService({
    service,
    pods: [pod],
    slices: [],
    endpoints: undefined,
    nodes: new Set(['emulated-node']),
  });
  const w = writes.find((x) => x.op === 'create' && x.resource === 'endpointslices');
  return w && w.op === 'create' ? w.object : undefined;
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

  it('leaves a pod on a Node that does not exist out of the slices and reports it', () => {
    const pod = buildPod({ name: 'amq-0', labels: { app: 'amq' }, nodeName: 'gone' }, ns);
    expect(planned(pod)).toEqual({ slices: [], endpoints: ['amq-0'] });
    const service = buildService(
      { name: 'amq', selector: { app: 'amq' }, ports: [{ port: 80 }] },
      ns,
    );
    const result = reconcileService({
      service,
      pods: [pod],
      slices: [],
      endpoints: undefined,
      nodes: new Set(['emulated-node']),
    });
    expect(result.podsOnMissingNodes).toEqual(['amq-0']);
    expect(planned(pod, true).slices).toEqual(['amq-0']);
  });

  it('computes serving from Ready alone, ready also from publishNotReadyAddresses and terminating', () => {
    const conditions = (pod: KubeObject, publish: boolean) => {
      const service = buildService(
        {
          name: 'amq',
          selector: { app: 'amq' },
          ports: [{ port: 80 }],
          publishNotReadyAddresses: publish,
        },
        ns,
      );
      const eps = (createdSlice(service, pod)?.endpoints as unknown[] | undefined) ?? [];
      return (eps[0] as { conditions: unknown } | undefined)?.conditions;
    };
    const notReady = buildPod({ name: 'amq-0', labels: { app: 'amq' }, ready: false }, ns);
    expect(conditions(notReady, true)).toEqual({ ready: true, serving: false, terminating: false });
    expect(conditions(notReady, false)).toEqual({
      ready: false,
      serving: false,
      terminating: false,
    });
    const ready = buildPod({ name: 'amq-0', labels: { app: 'amq' } }, ns);
    const terminating: KubeObject = {
      ...ready,
      metadata: {
        ...ready.metadata,
        deletionTimestamp: '2026-01-01T00:00:30Z',
        deletionGracePeriodSeconds: 30,
      },
    };
    expect(conditions(terminating, false)).toEqual({
      ready: false,
      serving: true,
      terminating: true,
    });
    expect(conditions(terminating, true)).toEqual({
      ready: true,
      serving: true,
      terminating: true,
    });
  });

  it('resolves a named target port from a sidecar (init container with restartPolicy Always) only', () => {
    const base = buildPod({ name: 'amq-0', labels: { app: 'amq' } }, ns);
    const withInit = (restartPolicy: string | undefined): KubeObject => ({
      ...base,
      spec: {
        ...base.spec,
        initContainers: [
          {
            name: 'agent',
            image: 'agent',
            ...(restartPolicy ? { restartPolicy } : {}),
            ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          },
        ],
      },
    });
    const ports = (pod: KubeObject) => {
      const service = buildService(
        {
          name: 'amq',
          selector: { app: 'amq' },
          ports: [{ name: 'http', port: 80, targetPort: 'http' }],
        },
        ns,
      );
      return createdSlice(service, pod)?.ports;
    };
    expect(ports(withInit('Always'))).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    // A plain init container's ports are not the pod's: the endpoint goes in without the port.
    expect(ports(withInit(undefined))).toEqual([]);
  });
});
