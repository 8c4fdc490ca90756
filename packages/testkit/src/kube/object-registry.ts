// The REST semantics of one resource, between the HTTP layer and the store: preconditions,
// optimistic concurrency, patch application, validation, no-op detection.
import { apiErrors, type GroupResource, successStatus } from './api-status.js';
import type { FieldRequirement } from './field-selector.js';
import { type DeleteRequest, planDelete } from './graceful-deletion.js';
import { deepEqual, getPath, isObject } from './json.js';
import { applyJsonPatch, decodeJsonPatch, JsonPatchError } from './json-patch.js';
import { matchesSelector, type Requirement } from './label-selector.js';
import { applyMergePatch } from './merge-patch.js';
import type { ObjectStore } from './object-store.js';
import { apiVersionOf, type ResourceDef, storageDef, toExternal, toStored } from './resources.js';
import { applyStrategicMergePatch, StrategicMergePatchError } from './strategic-merge-patch.js';
import type { KubeObject, KubeStatus } from './types.js';
import { checkMicroTimes, validateObject } from './validation.js';
import { labelsOf, prepareCreate, prepareUpdate } from './write-strategy.js';

export type PatchType = 'json' | 'merge' | 'strategic';

export interface WriteOptions {
  /** `dryRun=All`: validate and answer, store nothing. */
  readonly dryRun?: boolean;
  /** In-process helpers: keep the status given on create (a REST create resets it). */
  readonly keepStatus?: boolean;
}

export interface DeletePreconditions {
  readonly uid?: string;
  readonly resourceVersion?: string;
}

export interface ListSelectors {
  readonly labels: readonly Requirement[];
  readonly fields: readonly FieldRequirement[];
}

export const conflictMessage =
  'the object has been modified; please apply your changes to the latest version and try again';

const nameChars = 'bcdfghjklmnpqrstvwxz2456789';

/** The 5-character suffix names.SimpleNameGenerator appends to generateName. */
export function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += nameChars[Math.floor(Math.random() * nameChars.length)];
  return s;
}

export function groupResource(def: ResourceDef): GroupResource {
  return { group: def.group, resource: def.name };
}

export class ObjectRegistry {
  private clusterIPs = 10;

  constructor(readonly store: ObjectStore) {}

  private allocateClusterIP = (): string => {
    const n = this.clusterIPs++;
    return `10.96.${Math.floor(n / 256)}.${n % 256}`;
  };

  get(def: ResourceDef, namespace: string, name: string): KubeObject {
    const obj = this.store.get(def.storage, namespace, name);
    if (!obj) throw apiErrors.notFound(groupResource(def), name);
    return toExternal(def, obj);
  }

  /** Matching objects in the stored shape; `namespace` undefined = all namespaces. */
  select(def: ResourceDef, namespace: string | undefined, selectors: ListSelectors): KubeObject[] {
    return this.store.list(def.storage, namespace).filter((o) => this.matches(def, o, selectors));
  }

  matches(def: ResourceDef, stored: KubeObject, selectors: ListSelectors): boolean {
    if (!matchesSelector(labelsOf(stored), selectors.labels)) return false;
    return selectors.fields.every((f) => {
      const path =
        f.field === 'metadata.name' || f.field === 'metadata.namespace'
          ? f.field
          : def.fieldSelectors[f.field];
      const raw = path ? getPath(stored, path) : undefined;
      const value = raw === undefined || raw === null ? '' : String(raw);
      return f.operator === '=' ? value === f.value : value !== f.value;
    });
  }

  /** Throws 400 for a field selector the resource does not index, as the server does. */
  checkFieldSelectors(def: ResourceDef, fields: readonly FieldRequirement[]): void {
    for (const f of fields) {
      if (
        f.field !== 'metadata.name' &&
        f.field !== 'metadata.namespace' &&
        !def.fieldSelectors[f.field]
      ) {
        throw apiErrors.badRequest(`field label not supported: ${f.field}`);
      }
    }
  }

  private checkTypeMeta(def: ResourceDef, body: unknown): KubeObject {
    if (!isObject(body))
      throw apiErrors.badRequest('the body of the request must be a JSON object');
    const apiVersion = apiVersionOf(def);
    if (body.apiVersion !== undefined && body.apiVersion !== apiVersion) {
      throw apiErrors.badRequest(
        `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${apiVersion})`,
      );
    }
    if (body.kind !== undefined && body.kind !== def.kind) {
      throw apiErrors.badRequest(
        `${String(body.kind)} in version "${def.version}" cannot be handled as a ${def.kind}: the kind in the data does not match the resource`,
      );
    }
    if (body.metadata !== undefined && !isObject(body.metadata)) {
      throw apiErrors.badRequest(
        `${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: metadata must be an object`,
      );
    }
    checkMicroTimes(def, body as KubeObject);
    const withMeta = {
      ...body,
      metadata: { ...((body.metadata as object | undefined) ?? {}) },
    } as KubeObject;
    return toStored(def, withMeta);
  }

  create(def: ResourceDef, namespace: string, body: unknown, opts: WriteOptions = {}): KubeObject {
    const incoming = this.checkTypeMeta(def, body);
    const meta = { ...incoming.metadata };
    if (!def.namespaced) {
      // The server clears metadata.namespace of cluster-scoped objects.
      delete meta.namespace;
      namespace = '';
    } else if (meta.namespace && meta.namespace !== namespace) {
      throw apiErrors.badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    if (def.namespaced) meta.namespace = namespace;
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomSuffix()}`;
    const sdef = storageDef(def.storage);
    const obj = prepareCreate(
      sdef,
      { ...incoming, metadata: meta },
      {
        allocateClusterIP: this.allocateClusterIP,
        keepStatus: opts.keepStatus === true,
      },
    );
    const errs = validateObject(sdef, obj, undefined, def);
    if (errs.length > 0) throw apiErrors.invalid(def.kind, def.group, meta.name ?? '', errs);
    const name = meta.name as string;
    if (this.store.get(def.storage, namespace, name))
      throw apiErrors.alreadyExists(groupResource(def), name);
    if (opts.dryRun) return toExternal(def, obj);
    return toExternal(def, this.store.create(def.storage, obj));
  }

  update(
    def: ResourceDef,
    namespace: string,
    name: string,
    body: unknown,
    subresource: string | undefined,
    opts: WriteOptions = {},
  ): KubeObject {
    const incoming = this.checkTypeMeta(def, body);
    this.checkIdentity(incoming, namespace, name);
    const old = this.store.get(def.storage, namespace, name);
    if (!old) throw apiErrors.notFound(groupResource(def), name);
    return this.commit(def, old, incoming, subresource, opts);
  }

  patch(
    def: ResourceDef,
    namespace: string,
    name: string,
    type: PatchType,
    patch: unknown,
    subresource: string | undefined,
    opts: WriteOptions = {},
  ): KubeObject {
    const old = this.store.get(def.storage, namespace, name);
    if (!old) throw apiErrors.notFound(groupResource(def), name);
    const current = toExternal(def, old);
    let result: unknown;
    try {
      if (type === 'json') result = applyJsonPatch(current, decodeJsonPatch(patch));
      else if (type === 'merge') result = applyMergePatch(current, patch);
      else result = applyStrategicMergePatch(def.storage, current, patch);
    } catch (err) {
      if (err instanceof JsonPatchError && err.stage === 'apply') throw apiErrors.patchRejected();
      if (err instanceof JsonPatchError || err instanceof StrategicMergePatchError) {
        throw apiErrors.badRequest(err.message);
      }
      throw err;
    }
    const incoming = this.checkTypeMeta(def, result);
    this.checkIdentity(incoming, namespace, name);
    return this.commit(def, old, incoming, subresource, opts);
  }

  private checkIdentity(incoming: KubeObject, namespace: string, name: string): void {
    const objName = incoming.metadata.name ?? '';
    if (objName !== name) {
      throw apiErrors.badRequest(
        `the name of the object (${objName}) does not match the name on the URL (${name})`,
      );
    }
    if (incoming.metadata.namespace && incoming.metadata.namespace !== namespace) {
      throw apiErrors.badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
  }

  private commit(
    def: ResourceDef,
    old: KubeObject,
    incoming: KubeObject,
    subresource: string | undefined,
    opts: WriteOptions,
  ): KubeObject {
    const gr = groupResource(def);
    const name = old.metadata.name ?? '';
    const rv = incoming.metadata.resourceVersion;
    if (rv && rv !== old.metadata.resourceVersion)
      throw apiErrors.conflict(gr, name, conflictMessage);
    const uid = incoming.metadata.uid;
    if (uid && uid !== old.metadata.uid) {
      throw apiErrors.conflict(
        gr,
        name,
        `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${old.metadata.uid}`,
      );
    }
    const sdef = storageDef(def.storage);
    const next = prepareUpdate(
      sdef,
      { ...incoming, metadata: withNamespaceOf(incoming.metadata, old) },
      old,
      subresource,
    );
    const errs = validateObject(sdef, next, old, def);
    if (errs.length > 0) throw apiErrors.invalid(def.kind, def.group, name, errs);
    // The server skips writes that change nothing: no new resourceVersion, no watch event.
    if (deepEqual(next, old)) return toExternal(def, old);
    if (opts.dryRun) return toExternal(def, next);
    return toExternal(def, this.store.replace(def.storage, next, old));
  }

  /**
   * DELETE: preconditions, then the graceful-deletion plan (pods: deletionTimestamp and
   * deletionGracePeriodSeconds written first, removed only once the period is 0).
   */
  delete(
    def: ResourceDef,
    namespace: string,
    name: string,
    preconditions: DeletePreconditions | undefined,
    opts: WriteOptions & DeleteRequest = {},
  ): KubeObject | KubeStatus {
    const gr = groupResource(def);
    const old = this.store.get(def.storage, namespace, name);
    if (!old) throw apiErrors.notFound(gr, name);
    // BeforeDelete checks the preconditions first, naming the kind (not the resource) in details.
    const byKind = { group: def.group, resource: def.kind };
    if (preconditions?.uid && preconditions.uid !== old.metadata.uid) {
      throw apiErrors.conflict(
        byKind,
        name,
        `the UID in the precondition (${preconditions.uid}) does not match the UID in record (${old.metadata.uid}). The object might have been deleted and then recreated`,
      );
    }
    if (
      preconditions?.resourceVersion &&
      preconditions.resourceVersion !== old.metadata.resourceVersion
    ) {
      throw apiErrors.conflict(
        byKind,
        name,
        `the ResourceVersion in the precondition (${preconditions.resourceVersion}) does not match the ResourceVersion in record (${old.metadata.resourceVersion}). The object might have been modified`,
      );
    }
    const plan = planDelete(
      def.storage,
      old,
      opts.gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds: opts.gracePeriodSeconds },
    );
    const answer = (obj: KubeObject) =>
      def.returnDeletedObject ? toExternal(def, obj) : successStatus(gr, name, old.metadata.uid);
    if (plan.kind === 'pending') return answer(old);
    let last = old;
    if (plan.kind === 'graceful') {
      const marked: KubeObject = {
        ...old,
        metadata: {
          ...old.metadata,
          deletionTimestamp: plan.deletionTimestamp,
          deletionGracePeriodSeconds: plan.gracePeriodSeconds,
        },
      };
      if (opts.dryRun) return answer(marked);
      last = this.store.replace(def.storage, marked, old);
      // The object stays (Terminating) until a delete with grace 0: the kubelet's, or a force delete.
      if (plan.gracePeriodSeconds > 0) return answer(last);
    }
    if (opts.dryRun) return answer(last);
    return answer(this.store.remove(def.storage, namespace, name) as KubeObject);
  }
}

/** The metadata with the stored object's namespace (none for cluster-scoped objects). */
function withNamespaceOf(meta: KubeObject['metadata'], old: KubeObject): KubeObject['metadata'] {
  const { namespace: _n, ...rest } = meta;
  return old.metadata.namespace === undefined
    ? rest
    : { ...rest, namespace: old.metadata.namespace };
}
