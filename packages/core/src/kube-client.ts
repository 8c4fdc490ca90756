import { KubeConfig, type V1Lease, type V1Pod } from '@kubernetes/client-node';
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
  PodWatchHandlers,
  PodWatchQuery,
  RequestOptions,
  WatchHandle,
} from './kube-api.js';
import {
  HttpStatusError,
  KubeHttp,
  type KubeHttpRequest,
  type KubeWatchStream,
} from './kube-http.js';
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

const MERGE_PATCH = 'application/merge-patch+json';

/**
 * Implements {@link PodApi} on @kubernetes/client-node 2.x: its `KubeConfig` for the cluster, TLS
 * and credentials; the five REST calls themselves over node:https (see kube-http.ts for why not
 * its generated API classes).
 */
export class KubeClient extends GuardedEmitter<KubeClientEvents> implements PodApi {
  readonly #base: KubeConfig;
  readonly #tokenFile: TokenFile | undefined;
  readonly #timeoutMs: number;
  readonly #clock: Clock;
  readonly #http = new KubeHttp();
  /** The base kubeconfig, or one with the token file's token as its user. */
  #kubeConfig: KubeConfig;

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
    this.#kubeConfig = this.#build(this.#tokenFile?.current().token);
  }

  readPod(namespace: string, name: string, options?: RequestOptions): Promise<PodMeta> {
    return this.#call('readPod', async (send) =>
      toPodMeta(
        await send({ method: 'GET', path: podPath(namespace, name), signal: options?.signal }),
      ),
    );
  }

  listPods(namespace: string, labelSelector: string, options?: RequestOptions): Promise<PodMeta[]> {
    return this.#call('listPods', async (send) => {
      const list = await send<{ items?: V1Pod[] }>({
        method: 'GET',
        path: podPath(namespace) + query({ labelSelector: labelSelector || undefined }),
        signal: options?.signal,
      });
      return (list.items ?? []).map(toPodMeta);
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
    return this.#call('patchPod', async (send) =>
      toPodMeta(
        await send({
          method: 'PATCH',
          path: podPath(namespace, name),
          body,
          contentType: MERGE_PATCH,
          signal: options?.signal,
        }),
      ),
    );
  }

  async watchPods(
    namespace: string,
    watchQuery: PodWatchQuery,
    handlers: PodWatchHandlers,
  ): Promise<WatchHandle> {
    const started = performance.now();
    this.#refreshByAge();
    const path =
      podPath(namespace) +
      query({
        labelSelector: watchQuery.labelSelector || undefined,
        fieldSelector: watchQuery.fieldSelector || undefined,
        timeoutSeconds: watchQuery.timeoutSeconds,
        allowWatchBookmarks: true,
      });
    // Events can come before `watch` resolves (the stream flows on the next tick): the end is
    // kept here and the stream closed once known.
    let closed = false;
    let stream: KubeWatchStream | undefined;
    const closeWith = (error: Error | undefined) => {
      if (closed) return;
      closed = true;
      stream?.close();
      handlers.onClose(error);
    };
    try {
      // A stream silent for 30 s ends as a clean end (kube-http.ts), as client-node's Watch
      // did: the keeper restarts it like a server timeout.
      stream = await this.#http.watch(this.#kubeConfig, path, {
        onEvent: (type, obj) => {
          if (closed) return;
          if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
            handlers.onEvent(type, toPodMeta(obj as V1Pod));
          } else if (type === 'ERROR') {
            const status = (obj as { code?: number; message?: string } | null) ?? {};
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
        onEnd: (error) => closeWith(error ? toKubeApiError('watchPods', error) : undefined),
      });
    } catch (err) {
      const status = statusOf(err);
      this.emit('request', { operation: 'watchPods', status, durationMs: ms(started) });
      if (status === 401) this.#reloadToken();
      throw toKubeApiError('watchPods', err);
    }
    this.emit('request', { operation: 'watchPods', status: 200, durationMs: ms(started) });
    const live = stream;
    if (closed) live.close();
    return {
      close: () => {
        closed = true;
        live.close();
      },
    };
  }

  createPodEvent(e: PodEventSpec): Promise<string> {
    return this.#call('createEvent', async (send) => {
      const name = eventName(e.regarding.name, e.at);
      await send({
        method: 'POST',
        path: eventPath(e.regarding.namespace),
        body: {
          apiVersion: 'events.k8s.io/v1',
          kind: 'Event',
          metadata: { name },
          // MicroTime wants exactly six fractional digits.
          eventTime: microTime(e.at),
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
      });
      return name;
    });
  }

  updatePodEventSeries(namespace: string, name: string, series: EventSeriesWrite): Promise<void> {
    return this.#call('updateEventSeries', async (send) => {
      await send({
        method: 'PATCH',
        path: eventPath(namespace, name),
        body: {
          series: { count: series.count, lastObservedTime: microTime(series.lastObservedAt) },
        },
        contentType: MERGE_PATCH,
      });
    });
  }

  readLease(namespace: string, name: string): Promise<LeaseRecord | undefined> {
    return this.#call('readLease', async (send) => {
      try {
        return toLeaseRecord(await send({ method: 'GET', path: leasePath(namespace, name) }));
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
    return this.#call('writeLease', async (send) =>
      toLeaseRecord(
        await send({
          method: 'POST',
          path: leasePath(namespace),
          body: {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name, ...(labels ? { labels: { ...labels } } : {}) },
            spec: toLeaseSpec(spec),
          },
        }),
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
    return this.#call('writeLease', async (send) =>
      toLeaseRecord(
        await send({
          method: 'PUT',
          path: leasePath(namespace, name),
          body: {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name, namespace, resourceVersion },
            spec: toLeaseSpec(spec),
          },
        }),
      ),
    );
  }

  /** Closes the kept-alive API connections (open watches end). */
  close(): void {
    this.#http.close();
  }

  /**
   * One API call: `fn` sends through a request function that applies the request timeout, the
   * caller's signal and the current credentials. A 401 re-reads the token file once and retries
   * at once if it now holds another token (a rotated token).
   */
  async #call<T>(
    operation: KubeOperation,
    fn: (send: <R>(req: KubeHttpRequest) => Promise<R>) => Promise<T>,
  ): Promise<T> {
    this.#refreshByAge();
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      const send = <R>(req: KubeHttpRequest): Promise<R> => {
        // A deadline, so a hung API server cannot stall the labeler, and the caller's signal,
        // so a shutdown deadline can cut a request short.
        const timeout = AbortSignal.timeout(this.#timeoutMs);
        const signal = req.signal ? AbortSignal.any([timeout, req.signal]) : timeout;
        return this.#http.json<R>(this.#kubeConfig, { ...req, signal });
      };
      try {
        const value = await fn(send);
        this.emit('request', { operation, status: 200, durationMs: ms(started) });
        return value;
      } catch (err) {
        const status = statusOf(err);
        this.emit('request', { operation, status, durationMs: ms(started) });
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
        this.#kubeConfig = this.#build(token);
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
      this.#kubeConfig = this.#build(token);
      this.emit('tokenRotated', { path: this.#tokenFile.path, trigger: 'unauthorized' });
      return true;
    } catch {
      return false;
    }
  }

  #build(token: string | undefined): KubeConfig {
    if (token === undefined) return this.#base;
    const cluster = this.#base.getCurrentCluster()!;
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromClusterAndUser(cluster, { name: 'token-file', token });
    return kubeConfig;
  }
}

function podPath(namespace: string, name?: string): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
}

function eventPath(namespace: string, name?: string): string {
  return `/apis/events.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/events${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
}

function leasePath(namespace: string, name?: string): string {
  return `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
}

/** `?a=1&b=x` from the defined values, or `''`. */
function query(params: Readonly<Record<string, string | number | boolean | undefined>>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

function toLeaseSpec(spec: LeaseSpecWrite) {
  return {
    holderIdentity: spec.holderIdentity,
    leaseDurationSeconds: spec.leaseDurationSeconds,
    acquireTime: microTime(spec.acquireTime),
    renewTime: microTime(spec.renewTime),
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
  if (err instanceof HttpStatusError) return err.statusCode;
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : 0;
}

function toKubeApiError(operation: KubeOperation, err: unknown): KubeApiError {
  if (err instanceof KubeApiError) return err;
  const status = statusOf(err);
  let reason: string | undefined;
  let message = err instanceof Error ? err.message.split('\n', 1)[0]! : String(err);
  if (err instanceof HttpStatusError) {
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
