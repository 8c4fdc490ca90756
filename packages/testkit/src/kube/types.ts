import type { JsonObject } from './json.js';

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** metav1.ObjectMeta as served in JSON (timestamps are RFC 3339 strings). */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  [key: string]: unknown;
}

/** Any API object as JSON. Stored objects are plain data; helpers hand out copies. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: JsonObject;
  status?: JsonObject;
  [key: string]: unknown;
}

/** metav1.Status, the body of every API error. */
export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    uid?: string;
    causes?: { reason?: string; message?: string; field?: string }[];
    retryAfterSeconds?: number;
  };
  code?: number;
}

/** The resources the emulator serves, by their plural (URL) name. */
export type ResourceName =
  | 'pods'
  | 'services'
  | 'endpoints'
  | 'events'
  | 'endpointslices'
  | 'leases'
  | 'nodes';

/** A Kubernetes API verb as RBAC sees it. */
export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One committed write, in resourceVersion order. */
export interface StoreEvent {
  readonly type: WatchEventType;
  /** Storage resource; events of both API groups are stored once as `events`. */
  readonly resource: ResourceName;
  /** The object after the write (for DELETED: its last state, stamped with the delete's version). */
  readonly object: KubeObject;
  /** The object before the write (MODIFIED and DELETED). */
  readonly previous?: KubeObject;
  readonly resourceVersion: number;
}
