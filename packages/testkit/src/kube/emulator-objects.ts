// The emulator's objects: the store (its etcd and watch cache: resourceVersions, history,
// compaction) and the registry (the apiserver's REST semantics over it), and synchronous
// in-process access to both for tests, which play the kubelet and the controllers the emulator
// does not run. The API handler and the controllers are built on the same store and registry, so
// an in-process write is seen by watches and controllers exactly like an API write.
import { apiErrors } from './api-status.js';
import { managedByLabel, managedByValue, serviceNameLabel } from './endpoint-slice-reconciler.js';
import type { KubeStatusError } from './errors.js';
import { parseFieldSelector } from './field-selector.js';
import { asArray, asObject, asString, clone } from './json.js';
import { parseLabelSelector } from './label-selector.js';
import { ObjectRegistry } from './object-registry.js';
import { ObjectStore } from './object-store.js';
import { type ReadyEndpointInfo, readyEndpointsOf } from './ready-endpoints.js';
import { findResource, type ResourceDef, storageDef, toExternal } from './resources.js';
import {
  buildNode,
  buildPod,
  buildService,
  type CreatePodOptions,
  type CreateServiceOptions,
  readinessConditions,
} from './test-objects.js';
import type { KubeObject, ResourceName, StoreEvent } from './types.js';
import { nowTime } from './write-strategy.js';

/**
 * A resource for the in-process helpers: a stored resource by plural name, or
 * `'events.events.k8s.io'` (kubectl's spelling) for events in their events.k8s.io/v1 shape.
 */
export type KubeResourceRef = ResourceName | 'events.events.k8s.io';

function defFor(ref: KubeResourceRef): ResourceDef {
  if (ref === 'events.events.k8s.io')
    return findResource('events.k8s.io', 'v1', 'events') as ResourceDef;
  return storageDef(ref);
}

export interface KubeListOptions {
  /** A namespace, or `null` for all. @default the emulator's namespace */
  readonly namespace?: string | null;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

export interface EmulatorObjectsOptions {
  /** Default namespace of the helpers. */
  readonly namespace: string;
  /** Committed writes kept per resource for watches; older resourceVersions get 410 Expired. */
  readonly historyLimit: number;
}

/**
 * The objects part. In-process access has no auth and no faults, but the same validation, the same
 * resourceVersions and watch events as API writes. Errors are KubeStatusError with the API's
 * Status.
 */
export class EmulatorObjects {
  readonly namespace: string;
  /** The store the API handler, the watches and the controllers read and write. */
  readonly store: ObjectStore;
  /** REST semantics over the store, shared with the API handler. */
  readonly registry: ObjectRegistry;

  constructor(opts: EmulatorObjectsOptions) {
    this.namespace = opts.namespace;
    this.store = new ObjectStore(opts.historyLimit);
    this.registry = new ObjectRegistry(this.store);
  }

  /** Latest resourceVersion handed out. */
  get resourceVersion(): number {
    return this.store.resourceVersion;
  }

  /**
   * Forgets the watch history (an etcd compaction, or a restarted apiserver's empty watch
   * cache): watches from any older resourceVersion get 410 Expired.
   */
  compactHistory(): void {
    this.store.compact();
  }

  /** Calls `listener` after every committed write, in resourceVersion order. */
  onChange(listener: (e: StoreEvent) => void): () => void {
    return this.store.subscribe(listener);
  }

  /** Pods carrying `key` (=`value` when given) now. */
  podsWithLabel(key: string, value?: string, namespace: string = this.namespace): string[] {
    return this.store
      .list('pods', namespace)
      .filter((p) => {
        const l = p.metadata.labels;
        return (
          l !== undefined && Object.hasOwn(l, key) && (value === undefined || l[key] === value)
        );
      })
      .map((p) => p.metadata.name ?? '');
  }

  /** A copy of an object (`events` in core/v1 shape, `events.events.k8s.io` in events.k8s.io/v1 shape). */
  get(
    resource: KubeResourceRef,
    name: string,
    namespace: string = this.namespace,
  ): KubeObject | undefined {
    const def = defFor(resource);
    const o = this.store.get(def.storage, def.namespaced ? namespace : '', name);
    return o ? clone(toExternal(def, o)) : undefined;
  }

  list(resource: KubeResourceRef, opts: KubeListOptions = {}): KubeObject[] {
    const def = defFor(resource);
    const ns =
      opts.namespace === null || !def.namespaced ? undefined : (opts.namespace ?? this.namespace);
    const selectors = {
      labels: parseLabelSelector(opts.labelSelector ?? ''),
      fields: parseFieldSelector(opts.fieldSelector ?? ''),
    };
    return this.registry.select(def, ns, selectors).map((o) => clone(toExternal(def, o)));
  }

  /** Creates any object as a REST create would, but keeping `status`. Throws KubeStatusError. */
  create(resource: KubeResourceRef, obj: KubeObject): KubeObject {
    const ns = obj.metadata.namespace ?? this.namespace;
    return this.registry.create(defFor(resource), ns, obj, { keepStatus: true });
  }

  /** Applies a JSON merge patch (RFC 7386) to an object; `status` included. */
  mergePatch(
    resource: KubeResourceRef,
    name: string,
    patch: Readonly<Record<string, unknown>>,
    namespace: string = this.namespace,
  ): KubeObject {
    const def = defFor(resource);
    const ns = def.namespaced ? namespace : '';
    const { status, ...rest } = patch;
    let out = this.registry.patch(def, ns, name, 'merge', rest, undefined);
    if (status !== undefined && def.subresources.includes('status')) {
      out = this.registry.patch(def, ns, name, 'merge', { status }, 'status');
    }
    return out;
  }

  /**
   * Deletes as a REST DELETE with these options would: a scheduled pod gets a deletionTimestamp
   * (now + its grace period) and stays until a delete with `gracePeriodSeconds: 0` (the
   * kubelet's, or a force delete); every other object goes at once.
   */
  delete(
    resource: KubeResourceRef,
    name: string,
    namespace: string = this.namespace,
    opts: { readonly gracePeriodSeconds?: number } = {},
  ): void {
    const def = defFor(resource);
    this.registry.delete(def, def.namespaced ? namespace : '', name, undefined, opts);
  }

  /**
   * Registers a Node (Ready, InternalIP 127.0.0.1), as a kubelet does when it starts. The
   * EndpointSlice controller skips pods whose Node does not exist.
   */
  createNode(name: string): KubeObject {
    return this.create('nodes', buildNode(name));
  }

  /** Node names registered now. */
  nodeNames(): string[] {
    return this.store.list('nodes').map((n) => n.metadata.name ?? '');
  }

  /** A running pod with IP, container ports and Ready condition, as kubelet would report it. */
  createPod(opts: CreatePodOptions): KubeObject {
    const pod = buildPod(opts, this.namespace);
    this.ensureNode(asString(pod.spec?.nodeName));
    return this.create('pods', pod);
  }

  getPod(name: string, namespace: string = this.namespace): KubeObject | undefined {
    return this.get('pods', name, namespace);
  }

  /** Flips the Ready and ContainersReady conditions (what a readiness probe result does). */
  setPodReady(name: string, ready: boolean, namespace: string = this.namespace): KubeObject {
    const pod = this.store.get('pods', namespace, name);
    if (!pod) throw storageNotFound('pods', name);
    const status = pod.status ?? {};
    const containerName = asString(asObject(asArray(pod.spec?.containers)?.[0])?.name) ?? 'broker';
    const fresh = readinessConditions(ready, containerName, nowTime());
    const conditions = (asArray(status.conditions) ?? []).map((c) => {
      const o = asObject(c) ?? {};
      if (o.type !== 'Ready' && o.type !== 'ContainersReady') return o;
      if (o.status === (ready ? 'True' : 'False')) return o;
      return fresh.find((f) => f.type === o.type) ?? o;
    });
    const containerStatuses = (asArray(status.containerStatuses) ?? []).map((c) => ({
      ...(asObject(c) ?? {}),
      ready,
    }));
    return this.registry.patch(
      storageDef('pods'),
      namespace,
      name,
      'merge',
      { status: { conditions, containerStatuses } },
      'status',
    );
  }

  /** Merges labels into a pod's labels; `null` removes a label. */
  setPodLabels(
    name: string,
    labels: Readonly<Record<string, string | null>>,
    namespace: string = this.namespace,
  ): KubeObject {
    return this.registry.patch(
      storageDef('pods'),
      namespace,
      name,
      'merge',
      { metadata: { labels } },
      undefined,
    );
  }

  /**
   * Deletes a pod gracefully (a REST DELETE with `gracePeriodSeconds`, default the pod's
   * terminationGracePeriodSeconds): deletionTimestamp = now + grace, the pod stays Terminating.
   * `deletePod` finishes it, as the kubelet does once the containers stopped.
   */
  terminatePod(
    name: string,
    opts: { readonly gracePeriodSeconds?: number; readonly namespace?: string } = {},
  ): KubeObject {
    const namespace = opts.namespace ?? this.namespace;
    const { namespace: _n, ...grace } = opts;
    this.delete('pods', name, namespace, grace);
    const pod = this.getPod(name, namespace);
    if (!pod) throw storageNotFound('pods', name);
    return pod;
  }

  /** Removes a pod at once (a delete with grace period 0: MODIFIED, then DELETED). */
  deletePod(name: string, namespace: string = this.namespace): void {
    this.delete('pods', name, namespace, { gracePeriodSeconds: 0 });
  }

  /**
   * In-process helpers play the kubelet: a pod created by them runs on a Node that exists
   * (registered on first use), as a kubelet would have registered it before running the pod.
   */
  private ensureNode(nodeName: string | undefined): void {
    if (nodeName && !this.store.get('nodes', '', nodeName)) this.createNode(nodeName);
  }

  createService(opts: CreateServiceOptions): KubeObject {
    return this.create('services', buildService(opts, this.namespace));
  }

  deleteService(name: string, namespace: string = this.namespace): void {
    this.delete('services', name, namespace);
  }

  /** The controller-managed EndpointSlices of a Service. */
  endpointSlices(service: string, namespace: string = this.namespace): KubeObject[] {
    return this.list('endpointslices', {
      namespace,
      labelSelector: `${serviceNameLabel}=${service},${managedByLabel}=${managedByValue}`,
    });
  }

  /**
   * Where kube-proxy would send a new connection to the Service's port: ready endpoints of its
   * slices, or, when there are none, serving-and-terminating ones (kube-proxy's fallback).
   */
  readyEndpoints(
    service: string,
    opts: { readonly portName?: string; readonly namespace?: string } = {},
  ): ReadyEndpointInfo[] {
    return readyEndpointsOf(
      this.endpointSlices(service, opts.namespace ?? this.namespace),
      opts.portName,
    );
  }
}

function storageNotFound(resource: ResourceName, name: string): KubeStatusError {
  const def = storageDef(resource);
  return apiErrors.notFound({ group: def.group, resource: def.name }, name);
}

export type { ReadyEndpointInfo };
