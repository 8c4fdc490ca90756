// POST pods/<name>/binding, the scheduler's write (pkg/registry/core/pod/storage/storage.go
// BindingREST.Create, setPodNodeAndMetadata): sets spec.nodeName once, merges the binding's
// annotations, marks PodScheduled True in one write, and answers a Success Status with 201. A pod
// that is already bound or is being deleted is a 409 Conflict on pods/binding.
import { apiErrors, fieldError } from './api-status.js';
import { isObject } from './json.js';
import type { ObjectRegistry } from './object-registry.js';
import type { ResourceDef } from './resources.js';
import type { KubeStatus } from './types.js';

const BINDING = { group: '', resource: 'pods/binding' };

export function bindPod(
  registry: ObjectRegistry,
  def: ResourceDef,
  namespace: string,
  name: string,
  body: unknown,
): KubeStatus {
  const binding = isObject(body) ? body : {};
  const target = isObject(binding.target) ? binding.target : {};
  const node = typeof target.name === 'string' ? target.name : '';
  if (!node) {
    throw apiErrors.invalid('Binding', '', name, [fieldError.required('target.name')]);
  }
  if (target.kind !== undefined && target.kind !== '' && target.kind !== 'Node') {
    throw apiErrors.invalid('Binding', '', name, [
      fieldError.invalid('target.kind', target.kind, "must be empty or 'Node'"),
    ]);
  }
  const stored = registry.store.get(def.storage, namespace, name);
  if (!stored) throw apiErrors.notFound({ group: '', resource: 'pods' }, name);
  if (stored.metadata.deletionTimestamp) {
    throw apiErrors.conflict(
      BINDING,
      name,
      `pod ${name} is being deleted, cannot be assigned to a host`,
    );
  }
  const spec = isObject(stored.spec) ? stored.spec : {};
  if (spec.nodeName) {
    throw apiErrors.conflict(
      BINDING,
      name,
      `pod ${name} is already assigned to node "${String(spec.nodeName)}"`,
    );
  }
  const meta = isObject(binding.metadata) ? binding.metadata : {};
  const annotations = isObject(meta.annotations)
    ? (meta.annotations as Record<string, string>)
    : {};
  const status = isObject(stored.status) ? stored.status : {};
  const conditions = Array.isArray(status.conditions) ? status.conditions : [];
  const scheduled = {
    type: 'PodScheduled',
    status: 'True',
    lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
  // Straight to storage, as BindingREST's GuaranteedUpdate: the pod update strategy (spec is
  // immutable) does not apply to the scheduler's write.
  registry.store.replace(
    def.storage,
    {
      ...stored,
      metadata: {
        ...stored.metadata,
        annotations: { ...(stored.metadata.annotations ?? {}), ...annotations },
      },
      spec: { ...spec, nodeName: node },
      status: {
        ...status,
        conditions: [
          ...conditions.filter((c) => !(isObject(c) && c.type === 'PodScheduled')),
          scheduled,
        ],
      },
    },
    stored,
  );
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
}
