// Strategic merge patch for the types the emulator serves. Lists merge by the `patchMergeKey`s
// of the Go types (containers by name, conditions by type, service ports by port); lists without
// one are replaced, as in k8s.io/apimachinery/pkg/util/strategicpatch. Supported directives:
// $patch (replace/delete/merge), $retainKeys, $deleteFromPrimitiveList; $setElementOrder is
// accepted and ignored (element order is not reproduced).
import { asArray, clone, deepEqual, isObject, type JsonObject } from './json.js';
import type { ResourceName } from './types.js';

/** A list that merges: by `mergeKey`, or (no key) as a set of primitives. */
interface ListStrategy {
  readonly mergeKey?: string;
}

const common: Record<string, ListStrategy> = {
  'metadata.ownerReferences': { mergeKey: 'uid' },
  'metadata.finalizers': {},
};

const containerLists = (prefix: string): Record<string, ListStrategy> => ({
  [prefix]: { mergeKey: 'name' },
  [`${prefix}[].ports`]: { mergeKey: 'containerPort' },
  [`${prefix}[].env`]: { mergeKey: 'name' },
  [`${prefix}[].volumeMounts`]: { mergeKey: 'mountPath' },
  [`${prefix}[].volumeDevices`]: { mergeKey: 'devicePath' },
});

const schemas: Partial<Record<ResourceName, Record<string, ListStrategy>>> = {
  pods: {
    ...containerLists('spec.containers'),
    ...containerLists('spec.initContainers'),
    ...containerLists('spec.ephemeralContainers'),
    'spec.volumes': { mergeKey: 'name' },
    'spec.imagePullSecrets': { mergeKey: 'name' },
    'spec.hostAliases': { mergeKey: 'ip' },
    'status.conditions': { mergeKey: 'type' },
    'status.podIPs': { mergeKey: 'ip' },
    'status.hostIPs': { mergeKey: 'ip' },
  },
  nodes: {
    'spec.podCIDRs': {},
    'status.conditions': { mergeKey: 'type' },
    'status.addresses': { mergeKey: 'type' },
  },
  services: {
    'spec.ports': { mergeKey: 'port' },
    'status.conditions': { mergeKey: 'type' },
  },
};

export class StrategicMergePatchError extends Error {
  override readonly name = 'StrategicMergePatchError';
}

function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    if (k.startsWith('$')) continue;
    if (k.startsWith('$setElementOrder/') || k.startsWith('$deleteFromPrimitiveList/')) continue;
    out[k] = strip(v);
  }
  return out;
}

export function applyStrategicMergePatch(
  resource: ResourceName,
  original: unknown,
  patch: unknown,
): unknown {
  if (!isObject(patch))
    throw new StrategicMergePatchError('strategic merge patch must be a JSON object');
  const schema = { ...common, ...(schemas[resource] ?? {}) };
  const out = mergeMap(isObject(original) ? clone(original) : {}, patch, '', schema);
  return out ?? {};
}

function mergeMap(
  original: JsonObject | undefined,
  patch: JsonObject,
  path: string,
  schema: Record<string, ListStrategy>,
): JsonObject | undefined {
  const directive = patch.$patch;
  if (directive === 'delete') return undefined;
  if (directive === 'replace') return strip(patch) as JsonObject;
  if (directive !== undefined && directive !== 'merge') {
    throw new StrategicMergePatchError(`Unknown patch type: ${String(directive)}`);
  }
  const result: JsonObject = { ...(original ?? {}) };
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/')) continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const list = asArray(result[field]);
      if (list && Array.isArray(v))
        result[field] = list.filter((x) => !v.some((d) => deepEqual(d, x)));
      continue;
    }
    const childPath = path ? `${path}.${k}` : k;
    if (v === null) delete result[k];
    else if (isObject(v)) {
      const merged = mergeMap(
        isObject(result[k]) ? (result[k] as JsonObject) : undefined,
        v,
        childPath,
        schema,
      );
      if (merged === undefined) delete result[k];
      else result[k] = merged;
    } else if (Array.isArray(v)) {
      const strategy = schema[childPath];
      result[k] = strategy
        ? mergeList(asArray(result[k]) ?? [], v, childPath, strategy, schema)
        : strip(v);
    } else result[k] = v;
  }
  const retain = asArray(patch.$retainKeys);
  if (retain) {
    for (const k of Object.keys(result)) if (!retain.includes(k)) delete result[k];
  }
  return result;
}

function mergeList(
  original: unknown[],
  patch: unknown[],
  path: string,
  strategy: ListStrategy,
  schema: Record<string, ListStrategy>,
): unknown[] {
  if (patch.some((item) => isObject(item) && item.$patch === 'replace')) {
    return patch.filter((item) => !(isObject(item) && item.$patch === 'replace')).map(strip);
  }
  const key = strategy.mergeKey;
  if (key === undefined) {
    const out = [...original];
    for (const item of patch) if (!out.some((x) => deepEqual(x, item))) out.push(item);
    return out;
  }
  const out = [...original];
  for (const item of patch) {
    if (!isObject(item)) {
      out.push(item);
      continue;
    }
    const idx = out.findIndex((x) => isObject(x) && deepEqual(x[key], item[key]));
    if (item.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) out[idx] = mergeMap(out[idx] as JsonObject, item, `${path}[]`, schema);
    else out.push(strip(item));
  }
  return out.filter((x) => x !== undefined);
}
