import { coreEventToEventsV1, eventsV1ToCoreEvent } from './event-conversion.js';
import type { KubeObject, ResourceName, Verb } from './types.js';

/** One REST resource as served at one group/version. */
export interface ResourceDef {
  readonly name: ResourceName;
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly listKind: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly verbs: readonly Verb[];
  readonly subresources: readonly string[];
  /** Where the objects live; both event APIs share `events`. */
  readonly storage: ResourceName;
  /** Objects live in a namespace (false: cluster-scoped, as Nodes). */
  readonly namespaced: boolean;
  /** DELETE answers with the object (pods, services) rather than a Success Status. */
  readonly returnDeletedObject: boolean;
  /** metadata.generation counts spec changes. */
  readonly tracksGeneration: boolean;
  /** Field selectors beyond metadata.name/namespace: selector field -> stored dotted path. */
  readonly fieldSelectors: Readonly<Record<string, string>>;
  /** Converts the stored shape to this API's shape and back (identity for most). */
  readonly toExternal?: (stored: KubeObject) => KubeObject;
  readonly toStored?: (external: KubeObject) => KubeObject;
}

const crud: readonly Verb[] = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

export const resourceDefs: readonly ResourceDef[] = [
  {
    name: 'pods',
    group: '',
    version: 'v1',
    kind: 'Pod',
    listKind: 'PodList',
    singular: 'pod',
    shortNames: ['po'],
    categories: ['all'],
    verbs: crud,
    subresources: ['status', 'binding'],
    storage: 'pods',
    namespaced: true,
    returnDeletedObject: true,
    tracksGeneration: false,
    fieldSelectors: {
      'spec.nodeName': 'spec.nodeName',
      'spec.serviceAccountName': 'spec.serviceAccountName',
      'status.phase': 'status.phase',
      'status.podIP': 'status.podIP',
    },
  },
  {
    name: 'services',
    group: '',
    version: 'v1',
    kind: 'Service',
    listKind: 'ServiceList',
    singular: 'service',
    shortNames: ['svc'],
    categories: ['all'],
    verbs: crud,
    subresources: ['status'],
    storage: 'services',
    namespaced: true,
    returnDeletedObject: true,
    tracksGeneration: false,
    fieldSelectors: { 'spec.clusterIP': 'spec.clusterIP', 'spec.type': 'spec.type' },
  },
  {
    name: 'endpoints',
    group: '',
    version: 'v1',
    kind: 'Endpoints',
    listKind: 'EndpointsList',
    singular: 'endpoints',
    shortNames: ['ep'],
    categories: [],
    // A read-only mirror here: the controller is its only writer.
    verbs: ['get', 'list', 'watch'],
    subresources: [],
    storage: 'endpoints',
    namespaced: true,
    returnDeletedObject: false,
    tracksGeneration: false,
    fieldSelectors: {},
  },
  {
    name: 'events',
    group: '',
    version: 'v1',
    kind: 'Event',
    listKind: 'EventList',
    singular: 'event',
    shortNames: ['ev'],
    categories: [],
    verbs: crud,
    subresources: [],
    storage: 'events',
    namespaced: true,
    returnDeletedObject: false,
    tracksGeneration: false,
    fieldSelectors: {
      'involvedObject.kind': 'involvedObject.kind',
      'involvedObject.namespace': 'involvedObject.namespace',
      'involvedObject.name': 'involvedObject.name',
      'involvedObject.uid': 'involvedObject.uid',
      'involvedObject.apiVersion': 'involvedObject.apiVersion',
      'involvedObject.resourceVersion': 'involvedObject.resourceVersion',
      'involvedObject.fieldPath': 'involvedObject.fieldPath',
      reason: 'reason',
      reportingComponent: 'reportingComponent',
      source: 'source.component',
      type: 'type',
    },
  },
  {
    name: 'events',
    group: 'events.k8s.io',
    version: 'v1',
    kind: 'Event',
    listKind: 'EventList',
    singular: 'event',
    shortNames: ['ev'],
    categories: [],
    verbs: crud,
    subresources: [],
    storage: 'events',
    namespaced: true,
    returnDeletedObject: false,
    tracksGeneration: false,
    fieldSelectors: {
      'regarding.kind': 'involvedObject.kind',
      'regarding.namespace': 'involvedObject.namespace',
      'regarding.name': 'involvedObject.name',
      'regarding.uid': 'involvedObject.uid',
      reason: 'reason',
      reportingController: 'reportingComponent',
      type: 'type',
    },
    toExternal: coreEventToEventsV1,
    toStored: eventsV1ToCoreEvent,
  },
  {
    name: 'endpointslices',
    group: 'discovery.k8s.io',
    version: 'v1',
    kind: 'EndpointSlice',
    listKind: 'EndpointSliceList',
    singular: 'endpointslice',
    shortNames: [],
    categories: [],
    verbs: crud,
    subresources: [],
    storage: 'endpointslices',
    namespaced: true,
    returnDeletedObject: false,
    tracksGeneration: true,
    fieldSelectors: { addressType: 'addressType' },
  },
  {
    name: 'leases',
    group: 'coordination.k8s.io',
    version: 'v1',
    kind: 'Lease',
    listKind: 'LeaseList',
    singular: 'lease',
    shortNames: [],
    categories: [],
    verbs: crud,
    subresources: [],
    storage: 'leases',
    namespaced: true,
    returnDeletedObject: false,
    tracksGeneration: false,
    fieldSelectors: {},
  },
  {
    name: 'nodes',
    group: '',
    version: 'v1',
    kind: 'Node',
    listKind: 'NodeList',
    singular: 'node',
    shortNames: ['no'],
    categories: [],
    verbs: crud,
    subresources: ['status'],
    storage: 'nodes',
    namespaced: false,
    // pkg/registry/core/node/storage sets no ReturnDeletedObject: DELETE answers with a Status.
    returnDeletedObject: false,
    tracksGeneration: false,
    fieldSelectors: { 'spec.unschedulable': 'spec.unschedulable' },
  },
];

export function apiVersionOf(def: ResourceDef): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}

export function findResource(
  group: string,
  version: string,
  name: string,
): ResourceDef | undefined {
  return resourceDefs.find((d) => d.group === group && d.version === version && d.name === name);
}

/** The definition whose shape is the stored shape (the core/v1 one for events). */
export function storageDef(resource: ResourceName): ResourceDef {
  const def = resourceDefs.find((d) => d.storage === resource && !d.toExternal);
  if (!def) throw new Error(`unknown resource ${resource}`);
  return def;
}

/** The stored object in `def`'s API shape, with apiVersion and kind set. */
export function toExternal(def: ResourceDef, stored: KubeObject): KubeObject {
  const obj = def.toExternal ? def.toExternal(stored) : stored;
  const { apiVersion: _a, kind: _k, ...rest } = obj;
  return { apiVersion: apiVersionOf(def), kind: def.kind, ...rest } as KubeObject;
}

export function toStored(def: ResourceDef, external: KubeObject): KubeObject {
  const obj = def.toStored ? def.toStored(external) : external;
  const sdef = storageDef(def.storage);
  const { apiVersion: _a, kind: _k, ...rest } = obj;
  return { apiVersion: apiVersionOf(sdef), kind: sdef.kind, ...rest } as KubeObject;
}
