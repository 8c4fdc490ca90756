import {
  ApiException,
  type ConfigurationOptions,
  CoordinationV1Api,
  CoreV1Api,
  EventsV1Api,
  KubeConfig,
  Observable,
  type ObservableMiddleware,
  PatchStrategy,
  setHeaderOptions,
  type V1Lease,
  type V1Pod,
  Watch,
} from '@kubernetes/client-node';
import { type Clock, roundMs, systemClock } from './clock.js';
import { InvalidOptionError, KubeApiError, type KubeOperation } from './errors.js';
import { GuardedEmitter, type ListenerErrorEvents } from './guarded-emitter.js';
import type {
  EventSeriesWrite,
  KubeRequestEvent,
  LeaseRecord,
  LeaseSpecWrite,
  MetadataPatch,
  PodApi,
  PodEventSpec,
  PodMeta,
  PodWatchEventType,
  PodWatchHandlers,
  PodWatchQuery,
  RequestOptions,
  WatchHandle,
} from './kube-api.js';
import { TokenFile } from './token-file.js';

export interface KubeClientOptions {
  /** Cluster address, CA and (unless `tokenFile` is set) credentials. */
  readonly kubeConfig: KubeConfig;
  /**
   * File holding a bearer token that rotates, e.g. the projected service-account token
   * `/var/run/secrets/kubernetes.io/serviceaccount/token`. When set, its token replaces the
   * kubeconfig user's credentials; it is re-read on 401 and every `tokenRefreshMs`.
   */
  readonly tokenFile?: string;
  /** Maximum age of the token read from `tokenFile`, in ms. @default 60000 */
  readonly tokenRefreshMs?: number;
  /**
   * Deadline of each API request, in ms. A hung request would otherwise hold up a pending
   * demotion until the TCP connection dies.
   * @default 5000
   */
  readonly requestTimeoutMs?: number;
  /** @default systemClock */
  readonly clock?: Clock;
}

export interface KubeClientEvents extends ListenerErrorEvents {
  /** Every finished request (also failed ones): for request counters and latency histograms. */
  request: [event: KubeRequestEvent];
  /** The token file was re-read and held a new token. */
  tokenRotated: [info: { readonly path: string; readonly trigger: 'unauthorized' | 'age' }];
}

interface Clients {
  readonly kubeConfig: KubeConfig;
  readonly core: CoreV1Api;
  readonly events: EventsV1Api;
  readonly coordination: CoordinationV1Api;
}

/** Implements {@link PodApi} on @kubernetes/client-node 2.x. */
export class KubeClient extends GuardedEmitter<KubeClientEvents> implements PodApi {
  readonly #base: KubeConfig;
  readonly #tokenFile: TokenFile | undefined;
  readonly #timeoutMs: number;
  readonly #clock: Clock;
  #clients: Clients;

  constructor(options: KubeClientOptions) {
    super();
    this.#base = options.kubeConfig;
    this.#clock = options.clock ?? systemClock;
    this.#timeoutMs = options.requestTimeoutMs ?? 5000;
    if (!(this.#timeoutMs > 0)) throw new InvalidOptionError('requestTimeoutMs', 'must be > 0');
    if (!this.#base.getCurrentCluster()) {
      throw new InvalidOptionError('kubeConfig', 'has no current cluster');
    }
    this.#tokenFile =
      options.tokenFile === undefined
        ? undefined
        : new TokenFile(options.tokenFile, options.tokenRefreshMs ?? 60_000, () =>
            this.#clock.now(),
          );
    this.#clients = this.#build(this.#tokenFile?.current().token);
  }

  readPod(namespace: string, name: string, options?: RequestOptions): Promise<PodMeta> {
    return this.#call('readPod', async (c) =>
      toPodMeta(await c.core.readNamespacedPod({ namespace, name }, this.#options(options))),
    );
  }

  listPods(namespace: string, labelSelector: string, options?: RequestOptions): Promise<PodMeta[]> {
    return this.#call('listPods', async (c) => {
      const list = await c.core.listNamespacedPod(
        { namespace, ...(labelSelector ? { labelSelector } : {}) },
        this.#options(options),
      );
      return list.items.map(toPodMeta);
    });
  }

  patchPodMetadata(
    namespace: string,
    name: string,
    patch: MetadataPatch,
    options?: RequestOptions,
  ): Promise<PodMeta> {
    // A JSON merge patch of metadata only: labels not named stay untouched (replacing
    // /metadata/labels would wipe the selector labels), and resourceVersion makes it conditional.
    const body = {
      metadata: {
        ...(patch.resourceVersion ? { resourceVersion: patch.resourceVersion } : {}),
        ...(patch.labels ? { labels: patch.labels } : {}),
        ...(patch.annotations ? { annotations: patch.annotations } : {}),
      },
    };
    return this.#call('patchPod', async (c) =>
      toPodMeta(
        await c.core.patchNamespacedPod(
          { namespace, name, body },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch, this.#options(options)),
        ),
      ),
    );
  }

  async watchPods(
    namespace: string,
    query: PodWatchQuery,
    handlers: PodWatchHandlers,
  ): Promise<WatchHandle> {
    const started = performance.now();
    this.#refreshByAge();
    const watch = new Watch(this.#clients.kubeConfig);
    let reported = false;
    const report = (status: number) => {
      if (reported) return;
      reported = true;
      this.emit('request', { operation: 'watchPods', status, durationMs: ms(started) });
    };
    // client-node calls `done` before watch() returns when the watch cannot start (no answer,
    // 403, any non-200). There is no controller yet then: remember the end, settle it below.
    let controller: AbortController | undefined;
    let ended: { readonly error: Error | undefined } | undefined;
    const closeWith = (error: Error | undefined): void => {
      if (ended) return;
      ended = { error };
      if (!controller) return;
      controller.abort();
      handlers.onClose(error);
    };
    try {
      controller = await watch.watch(
        `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
        {
          labelSelector: query.labelSelector || undefined,
          fieldSelector: query.fieldSelector || undefined,
          timeoutSeconds: query.timeoutSeconds,
          allowWatchBookmarks: true,
        },
        (phase: string, obj: unknown) => {
          report(200);
          if (phase === 'ADDED' || phase === 'MODIFIED' || phase === 'DELETED') {
            handlers.onEvent(phase as PodWatchEventType, toPodMeta(obj as V1Pod));
          } else if (phase === 'ERROR') {
            const status = (obj as { code?: number; message?: string }) ?? {};
            closeWith(
              new KubeApiError(
                'watchPods',
                status.code ?? 500,
                undefined,
                status.message ?? 'watch error',
              ),
            );
          }
        },
        (err: unknown) => {
          // client-node ends a watch that was quiet for 30 s with a TimeoutError: not a failure.
          // Before the watch is under way the same error means that the API did not answer.
          const quiet = err == null || (err as Error).name === 'TimeoutError';
          if (err == null || (quiet && controller)) {
            report(200);
            closeWith(undefined);
            return;
          }
          const status = statusOf(err);
          report(status);
          if (status === 401) this.#reloadToken();
          closeWith(toKubeApiError('watchPods', err));
        },
      );
    } catch (err) {
      // Failed before any request went out (no current cluster, a credential plugin failed).
      report(statusOf(err));
      throw toKubeApiError('watchPods', err);
    }
    const live = controller;
    if (ended) {
      live.abort();
      if (ended.error) throw ended.error;
      // Answered 200 and ended at once: an ordinary end, for the caller to restart.
      handlers.onClose(undefined);
    }
    return {
      close: () => {
        if (ended) return;
        ended = { error: undefined };
        live.abort();
      },
    };
  }

  createPodEvent(e: PodEventSpec): Promise<string> {
    return this.#call('createEvent', async (c) => {
      const name = eventName(e.regarding.name, e.at);
      await c.events.createNamespacedEvent(
        {
          namespace: e.regarding.namespace,
          body: {
            apiVersion: 'events.k8s.io/v1',
            kind: 'Event',
            metadata: { name },
            // MicroTime wants exactly six fractional digits; the serializer passes strings through.
            eventTime: microTime(e.at) as unknown as Date,
            type: e.type,
            reason: e.reason,
            action: e.action,
            note: e.note.slice(0, 1024),
            reportingController: e.reportingController,
            reportingInstance: e.reportingInstance,
            regarding: {
              apiVersion: 'v1',
              kind: 'Pod',
              name: e.regarding.name,
              namespace: e.regarding.namespace,
              uid: e.regarding.uid,
            },
          },
        },
        this.#options(),
      );
      return name;
    });
  }

  updatePodEventSeries(namespace: string, name: string, series: EventSeriesWrite): Promise<void> {
    return this.#call('updateEventSeries', async (c) => {
      await c.events.patchNamespacedEvent(
        {
          namespace,
          name,
          body: {
            series: {
              count: series.count,
              lastObservedTime: microTime(series.lastObservedAt) as unknown as Date,
            },
          },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch, this.#options()),
      );
    });
  }

  readLease(namespace: string, name: string): Promise<LeaseRecord | undefined> {
    return this.#call('readLease', async (c) => {
      try {
        return toLeaseRecord(
          await c.coordination.readNamespacedLease({ namespace, name }, this.#options()),
        );
      } catch (err) {
        if (statusOf(err) === 404) return undefined;
        throw err;
      }
    });
  }

  createLease(
    namespace: string,
    name: string,
    spec: LeaseSpecWrite,
    labels?: Readonly<Record<string, string>>,
  ): Promise<LeaseRecord> {
    return this.#call('writeLease', async (c) =>
      toLeaseRecord(
        await c.coordination.createNamespacedLease(
          {
            namespace,
            body: {
              apiVersion: 'coordination.k8s.io/v1',
              kind: 'Lease',
              metadata: { name, ...(labels ? { labels: { ...labels } } : {}) },
              spec: toLeaseSpec(spec),
            },
          },
          this.#options(),
        ),
      ),
    );
  }

  updateLease(
    namespace: string,
    name: string,
    resourceVersion: string,
    spec: LeaseSpecWrite,
  ): Promise<LeaseRecord> {
    // A replace carrying the resourceVersion read: the API answers 409 if anyone wrote since,
    // which is what makes the Lease a compare-and-swap (as client-go's resourcelock does).
    return this.#call('writeLease', async (c) =>
      toLeaseRecord(
        await c.coordination.replaceNamespacedLease(
          {
            namespace,
            name,
            body: {
              apiVersion: 'coordination.k8s.io/v1',
              kind: 'Lease',
              metadata: { name, namespace, resourceVersion },
              spec: toLeaseSpec(spec),
            },
          },
          this.#options(),
        ),
      ),
    );
  }

  /**
   * Per-request options: a deadline, so a hung API server cannot stall the labeler, and the
   * caller's signal, so a shutdown deadline can cut a request short.
   */
  #options(options?: RequestOptions): ConfigurationOptions {
    const timeoutMs = this.#timeoutMs;
    const signal = options?.signal;
    const deadline: ObservableMiddleware = {
      pre: (ctx) => {
        const timeout = AbortSignal.timeout(timeoutMs);
        ctx.setSignal(signal ? AbortSignal.any([timeout, signal]) : timeout);
        return new Observable(Promise.resolve(ctx));
      },
      post: (res) => new Observable(Promise.resolve(res)),
    };
    return { middleware: [deadline], middlewareMergeStrategy: 'append' };
  }

  async #call<T>(operation: KubeOperation, fn: (c: Clients) => Promise<T>): Promise<T> {
    this.#refreshByAge();
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      try {
        const value = await fn(this.#clients);
        this.emit('request', { operation, status: 200, durationMs: ms(started) });
        return value;
      } catch (err) {
        const status = statusOf(err);
        this.emit('request', { operation, status, durationMs: ms(started) });
        // A rotated token: re-read once and retry at once if the file now holds another one.
        if (status === 401 && attempt === 0 && this.#reloadToken()) continue;
        throw toKubeApiError(operation, err);
      }
    }
  }

  #refreshByAge(): void {
    if (!this.#tokenFile) return;
    try {
      const { token, changed } = this.#tokenFile.current();
      if (changed) {
        this.#clients = this.#build(token);
        this.emit('tokenRotated', { path: this.#tokenFile.path, trigger: 'age' });
      }
    } catch {
      // Keep the last good token; a request failing with 401 will say so.
    }
  }

  /** Re-reads the token file; true if it held a new token (clients rebuilt). */
  #reloadToken(): boolean {
    if (!this.#tokenFile) return false;
    try {
      const { token, changed } = this.#tokenFile.reload();
      if (!changed) return false;
      this.#clients = this.#build(token);
      this.emit('tokenRotated', { path: this.#tokenFile.path, trigger: 'unauthorized' });
      return true;
    } catch {
      return false;
    }
  }

  #build(token: string | undefined): Clients {
    let kubeConfig = this.#base;
    if (token !== undefined) {
      const cluster = this.#base.getCurrentCluster()!;
      kubeConfig = new KubeConfig();
      kubeConfig.loadFromClusterAndUser(cluster, { name: 'token-file', token });
    }
    return {
      kubeConfig,
      core: kubeConfig.makeApiClient(CoreV1Api),
      events: kubeConfig.makeApiClient(EventsV1Api),
      coordination: kubeConfig.makeApiClient(CoordinationV1Api),
    };
  }
}

function toLeaseSpec(spec: LeaseSpecWrite) {
  return {
    holderIdentity: spec.holderIdentity,
    leaseDurationSeconds: spec.leaseDurationSeconds,
    acquireTime: microTime(spec.acquireTime) as unknown as Date,
    renewTime: microTime(spec.renewTime) as unknown as Date,
    leaseTransitions: spec.leaseTransitions,
  };
}

function toLeaseRecord(lease: V1Lease): LeaseRecord {
  const spec = lease.spec ?? {};
  const time = (t: Date | string | undefined) =>
    t === undefined ? undefined : new Date(t).getTime();
  return {
    resourceVersion: lease.metadata?.resourceVersion ?? '',
    holderIdentity: spec.holderIdentity || undefined,
    leaseDurationSeconds: spec.leaseDurationSeconds,
    renewTime: time(spec.renewTime),
    acquireTime: time(spec.acquireTime),
    leaseTransitions: spec.leaseTransitions ?? 0,
  };
}

function toPodMeta(pod: V1Pod): PodMeta {
  const m = pod.metadata ?? {};
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  return {
    name: m.name ?? '',
    namespace: m.namespace ?? '',
    uid: m.uid ?? '',
    resourceVersion: m.resourceVersion ?? '',
    labels: { ...(m.labels ?? {}) },
    annotations: { ...(m.annotations ?? {}) },
    ...(m.deletionTimestamp
      ? { deletionTimestamp: new Date(m.deletionTimestamp).toISOString() }
      : {}),
    ...(ready === undefined ? {} : { ready: ready === 'True' }),
  };
}

function statusOf(err: unknown): number {
  if (err instanceof ApiException) return err.code;
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : 0;
}

function toKubeApiError(operation: KubeOperation, err: unknown): KubeApiError {
  if (err instanceof KubeApiError) return err;
  const status = statusOf(err);
  let reason: string | undefined;
  let message = err instanceof Error ? err.message.split('\n', 1)[0]! : String(err);
  if (err instanceof ApiException) {
    const body = parseBody(err.body);
    reason = typeof body?.reason === 'string' ? body.reason : undefined;
    if (typeof body?.message === 'string') message = body.message;
  } else if (err instanceof Error && err.cause instanceof Error) {
    message = `${message}: ${err.cause.message}`;
  }
  return new KubeApiError(operation, status, reason, message, { cause: err });
}

function parseBody(body: unknown): { reason?: unknown; message?: unknown } | undefined {
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as { reason?: unknown; message?: unknown };
    } catch {
      return undefined;
    }
  }
  return typeof body === 'object' && body !== null ? (body as { reason?: unknown }) : undefined;
}

/** RFC 3339 with microseconds, as `MicroTime` fields require. */
let eventSeq = 0n;

/**
 * An Event's name as client-go's events recorder makes it: `<object>.<hex nanoseconds>`. Not a
 * generateName of `<object>.`: the API server validates a generateName as a name whose trailing
 * `-` only is forgiven, so a trailing `.` is rejected with 422. A per-process sequence stands in
 * for the nanoseconds a millisecond clock lacks, so two Events in one millisecond do not clash.
 */
export function eventName(objectName: string, epochMs: number): string {
  eventSeq = (eventSeq + 1n) % 1_000_000n;
  return `${objectName}.${(BigInt(epochMs) * 1_000_000n + eventSeq).toString(16)}`;
}

export function microTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function ms(started: number): number {
  return roundMs(performance.now() - started);
}
