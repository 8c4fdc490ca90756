import { apiErrors } from './api-status.js';
import { EmulatorCore } from './emulator-core.js';
import { managedByLabel, managedByValue, serviceNameLabel } from './endpoint-slice-reconciler.js';
import type { KubeStatusError } from './errors.js';
import { parseFieldSelector } from './field-selector.js';
import { asArray, asObject, asString, clone } from './json.js';
import { parseLabelSelector } from './label-selector.js';
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
import type { KubeObject, ResourceName } from './types.js';
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

/**
 * Synchronous in-process access to the objects: no auth, no faults, same validation, same
 * resourceVersions and watch events as API writes. Errors are KubeStatusError with the API's
 * Status.
 */
export abstract class EmulatorObjects extends EmulatorCore {
  // ---- objects (synchronous, in-process, no auth or faults) ----------------------------------

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
