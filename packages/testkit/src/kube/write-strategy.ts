// What the API server's registry strategies do around a write: defaults on create, server-owned
// fields kept on update, status subresource splitting, generation bumps.
import { asArray, asObject, deepEqual, isObject, type JsonObject } from './json.js';
import type { ResourceDef } from './resources.js';
import type { KubeObject, ObjectMeta } from './types.js';

/** metav1.Time: RFC 3339, whole seconds. */
export function nowTime(now = new Date()): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** metav1.MicroTime: RFC 3339 with exactly six fraction digits. */
export function nowMicroTime(now = new Date()): string {
  return now.toISOString().replace(/Z$/, '000Z');
}

function defaultContainerPorts(spec: JsonObject): JsonObject {
  const fix = (list: unknown) =>
    asArray(list)?.map((c) => {
      if (!isObject(c)) return c;
      const ports = asArray(c.ports)?.map((p) => (isObject(p) ? { protocol: 'TCP', ...p } : p));
      return {
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        imagePullPolicy:
          typeof c.image === 'string' && !c.image.includes(':') ? 'Always' : 'IfNotPresent',
        ...c,
        ...(ports ? { ports } : {}),
      };
    });
  const out: JsonObject = {
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    dnsPolicy: 'ClusterFirst',
    schedulerName: 'default-scheduler',
    enableServiceLinks: true,
    ...spec,
  };
  if (spec.containers) out.containers = fix(spec.containers);
  if (spec.initContainers) out.initContainers = fix(spec.initContainers);
  return out;
}

export interface CreateDefaultsContext {
  /** Next free ClusterIP, for services. */
  readonly allocateClusterIP: () => string;
  /** Test helpers may create objects with status (a REST create drops it, like the server). */
  readonly keepStatus: boolean;
}

/** PrepareForCreate + defaulting; `obj` already has name and namespace. */
export function prepareCreate(
  def: ResourceDef,
  obj: KubeObject,
  ctx: CreateDefaultsContext,
): KubeObject {
  const meta: ObjectMeta = { ...obj.metadata };
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.resourceVersion;
  delete meta.selfLink;
  meta.uid = crypto.randomUUID();
  meta.creationTimestamp = nowTime();
  if (def.tracksGeneration) meta.generation = 1;
  else delete meta.generation;
  const out: KubeObject = { ...obj, metadata: meta };
  switch (def.storage) {
    case 'pods':
      out.spec = defaultContainerPorts(out.spec ?? {});
      if (!ctx.keepStatus || !out.status) out.status = { phase: 'Pending', qosClass: 'BestEffort' };
      break;
    case 'services': {
      const spec: JsonObject = { ...(out.spec ?? {}) };
      spec.type ??= 'ClusterIP';
      spec.sessionAffinity ??= 'None';
      if (spec.type !== 'ExternalName') {
        if (spec.clusterIP === undefined || spec.clusterIP === '')
          spec.clusterIP = ctx.allocateClusterIP();
        spec.clusterIPs ??= [spec.clusterIP];
        if (spec.clusterIP !== 'None') {
          spec.ipFamilies ??= ['IPv4'];
          spec.ipFamilyPolicy ??= 'SingleStack';
        }
        spec.internalTrafficPolicy ??= 'Cluster';
      }
      spec.ports = asArray(spec.ports)?.map((p) =>
        isObject(p) ? { protocol: 'TCP', ...p, targetPort: p.targetPort ?? p.port } : p,
      );
      out.spec = spec;
      if (!ctx.keepStatus || !out.status) out.status = { loadBalancer: {} };
      break;
    }
    case 'endpointslices':
      if (Array.isArray(out.ports)) {
        out.ports = out.ports.map((p) => (isObject(p) ? { protocol: 'TCP', ...p } : p));
      }
      break;
    default:
      break;
  }
  return out;
}

/** Everything but metadata and status: what generation counts. */
function specOf(obj: KubeObject): JsonObject {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

/**
 * PrepareForUpdate: server-owned metadata stays; the main resource cannot change status and the
 * status subresource can change nothing else (for resources that have one).
 */
export function prepareUpdate(
  def: ResourceDef,
  next: KubeObject,
  old: KubeObject,
  subresource: string | undefined,
): KubeObject {
  let out: KubeObject;
  if (subresource === 'status') out = { ...old, status: next.status ?? {} };
  else {
    out = { ...next };
    if (def.subresources.includes('status')) {
      if (old.status === undefined) delete out.status;
      else out.status = old.status;
    }
  }
  const meta: ObjectMeta = { ...(subresource === 'status' ? old.metadata : next.metadata) };
  for (const k of [
    'uid',
    'creationTimestamp',
    'deletionTimestamp',
    'deletionGracePeriodSeconds',
    'generation',
  ] as const) {
    const v: unknown = old.metadata[k];
    if (v === undefined) delete meta[k];
    else (meta as Record<string, unknown>)[k] = v;
  }
  meta.resourceVersion = old.metadata.resourceVersion;
  out.metadata = meta;
  if (def.storage === 'services') {
    const spec = { ...(out.spec ?? {}) };
    if (spec.clusterIP === undefined || spec.clusterIP === '') spec.clusterIP = old.spec?.clusterIP;
    if (spec.clusterIPs === undefined) spec.clusterIPs = old.spec?.clusterIPs;
    spec.ports = asArray(spec.ports)?.map((p) =>
      isObject(p) ? { protocol: 'TCP', ...p, targetPort: p.targetPort ?? p.port } : p,
    );
    out.spec = spec;
  }
  if (def.storage === 'pods' && out.spec) out.spec = defaultContainerPorts(out.spec);
  if (def.tracksGeneration && !deepEqual(specOf(out), specOf(old))) {
    out.metadata.generation = (old.metadata.generation ?? 0) + 1;
  }
  return out;
}

export function labelsOf(obj: KubeObject | undefined): Record<string, string> | undefined {
  return asObject(obj?.metadata.labels) as Record<string, string> | undefined;
}
