import type { KubeOperation } from './errors.js';

/** The metadata of a pod that the labeler reads and writes. */
export interface PodMeta {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly resourceVersion: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** Set when the pod is terminating. */
  readonly deletionTimestamp?: string;
  /** The pod's `Ready` condition, when the API reported one (false: not an endpoint). */
  readonly ready?: boolean;
}

/**
 * A JSON merge patch of `metadata`: only the named labels/annotations change (`null` removes one).
 * With `resourceVersion` the write is conditional: the API answers 409 if the pod changed since.
 */
export interface MetadataPatch {
  readonly resourceVersion?: string;
  readonly labels?: Readonly<Record<string, string | null>>;
  readonly annotations?: Readonly<Record<string, string | null>>;
}

export type PodWatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface PodWatchHandlers {
  onEvent(type: PodWatchEventType, pod: PodMeta): void;
  /** The watch ended (server timeout, network error, HTTP error); restart it yourself. */
  onClose(error?: Error): void;
}

export interface PodWatchQuery {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Server-side lifetime of the watch, in seconds. */
  readonly timeoutSeconds?: number;
}

export interface WatchHandle {
  close(): void;
}

/** An events.k8s.io/v1 Event about a pod. */
export interface PodEventSpec {
  /** The pod the event is about. */
  readonly regarding: Pick<PodMeta, 'name' | 'namespace' | 'uid'>;
  readonly type: 'Normal' | 'Warning';
  /** CamelCase reason, e.g. `BecameLeader`, `Demoted`, `Fenced`. */
  readonly reason: string;
  /** CamelCase action, e.g. `Label`, `Fence`. */
  readonly action: string;
  readonly note: string;
  /** e.g. `activemq-ha.io/agent`. */
  readonly reportingController: string;
  /** Usually the reporting pod's name. */
  readonly reportingInstance: string;
  /** Epoch ms. */
  readonly at: number;
}

/** An Event's repeat count, as client-go's events recorder keeps it. */
export interface EventSeriesWrite {
  /** Occurrences so far, at least 2. */
  readonly count: number;
  /** Epoch ms of the last occurrence. */
  readonly lastObservedAt: number;
}

/** A coordination.k8s.io/v1 Lease as the labeler uses it (client-go's leader-election record). */
export interface LeaseRecord {
  readonly resourceVersion: string;
  /** Empty or undefined: released (client-go writes `""` on release). */
  readonly holderIdentity: string | undefined;
  readonly leaseDurationSeconds: number | undefined;
  /** Epoch ms, as written by the holder's clock (informational: expiry is judged locally). */
  readonly renewTime: number | undefined;
  readonly acquireTime: number | undefined;
  /** Number of times the holder changed: the leadership term. */
  readonly leaseTransitions: number;
}

/** The spec fields written on every create, renew, acquire and release. */
export interface LeaseSpecWrite {
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  /** Epoch ms. */
  readonly acquireTime: number;
  /** Epoch ms. */
  readonly renewTime: number;
  readonly leaseTransitions: number;
}

/** One finished API request, for metrics and debug logs. */
export interface KubeRequestEvent {
  readonly operation: KubeOperation;
  /** HTTP status, 0 when no answer came. */
  readonly status: number;
  readonly durationMs: number;
}

/** Per-call options of the pod requests. */
export interface RequestOptions {
  /**
   * Aborts the request (it then rejects with a `KubeApiError`, status 0), e.g. when a shutdown
   * deadline passes. Implementations may ignore it; their own request timeout still applies.
   */
  readonly signal?: AbortSignal;
}

/**
 * What core needs from the Kubernetes API. `KubeClient` implements it with client-node's
 * KubeConfig; tests can supply a fake. Every method rejects with `KubeApiError`.
 */
export interface PodApi {
  readPod(namespace: string, name: string, options?: RequestOptions): Promise<PodMeta>;
  listPods(namespace: string, labelSelector: string, options?: RequestOptions): Promise<PodMeta[]>;
  patchPodMetadata(
    namespace: string,
    name: string,
    patch: MetadataPatch,
    options?: RequestOptions,
  ): Promise<PodMeta>;
  /**
   * Starts a watch. Rejects with `KubeApiError` when the watch cannot start (no answer, 403, any
   * non-200): `handlers.onClose` is then never called. Once it has started, its end is reported
   * through `onClose` only — possibly before this promise resolves, if it ends at once.
   */
  watchPods(
    namespace: string,
    query: PodWatchQuery,
    handlers: PodWatchHandlers,
  ): Promise<WatchHandle>;
  /** Creates an Event; resolves its name (a series update names it). */
  createPodEvent(event: PodEventSpec): Promise<string>;
  /** Writes an Event's series (events.k8s.io/v1 `series.count`, `series.lastObservedTime`). */
  updatePodEventSeries(namespace: string, name: string, series: EventSeriesWrite): Promise<void>;
  /** Reads a Lease; resolves undefined when it does not exist (404). */
  readLease(namespace: string, name: string): Promise<LeaseRecord | undefined>;
  /** Creates a Lease; rejects with 409 (AlreadyExists) when another writer was first. */
  createLease(
    namespace: string,
    name: string,
    spec: LeaseSpecWrite,
    labels?: Readonly<Record<string, string>>,
  ): Promise<LeaseRecord>;
  /** Replaces the Lease's spec, conditional on `resourceVersion` (409 when it moved). */
  updateLease(
    namespace: string,
    name: string,
    resourceVersion: string,
    spec: LeaseSpecWrite,
  ): Promise<LeaseRecord>;
}
