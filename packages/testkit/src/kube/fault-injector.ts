import { apiErrors } from './api-status.js';
import type { KubeStatusError } from './errors.js';
import { matchesRequest, type RequestMatch } from './request-log.js';

/** What a failed request gets instead of being served. */
export interface FailureSpec extends RequestMatch {
  /**
   * HTTP status (429, 500, 503, 504, ...), or a transport fault:
   * - `'reset'`: the TCP connection is reset without an answer (on HTTP/2 every stream on it dies);
   * - `'rst-stream'`: this request's HTTP/2 stream is reset (RST_STREAM INTERNAL_ERROR), the
   *   connection and its other streams live on; on HTTP/1.1 the connection is reset instead;
   * - `'goaway'`: the request is served, then the connection is asked to go away (GOAWAY on
   *   HTTP/2, `Connection: close` on HTTP/1.1), like the apiserver's `--goaway-chance` filter.
   */
  readonly status: number | 'reset' | 'rst-stream' | 'goaway';
  /** Retry-After header (seconds) for 429 and 503. @default 1 */
  readonly retryAfterSeconds?: number;
  /** Overrides the default message. */
  readonly message?: string;
  /**
   * `'status'`: a metav1.Status JSON body; `'text'`: text/plain, like API Priority and Fairness's
   * 429 ("Too many requests, please try again later."). @default 'text' for 429, 'status' otherwise
   */
  readonly body?: 'status' | 'text';
}

export type InjectedFailure =
  | { readonly kind: 'reset' }
  | { readonly kind: 'rst-stream' }
  | { readonly kind: 'goaway' }
  | { readonly kind: 'respond'; readonly error: KubeStatusError; readonly text: boolean };

interface Pending {
  remaining: number;
  readonly spec: FailureSpec;
}

/** Latency and failures injected into API requests (not into discovery). */
export class FaultInjector {
  private latency: { readonly ms: number; readonly match: RequestMatch } | undefined;
  private readonly pending: Pending[] = [];

  /** Adds `ms` before every matching request is handled; `0` removes the delay. */
  setLatency(ms: number, match: RequestMatch = {}): void {
    this.latency = ms > 0 ? { ms, match } : undefined;
  }

  latencyFor(r: Parameters<typeof matchesRequest>[0]): number {
    return this.latency && matchesRequest(r, this.latency.match) ? this.latency.ms : 0;
  }

  /** The next `count` matching requests fail as `spec` says (queued after earlier failNext calls). */
  failNext(count: number, spec: FailureSpec): void {
    if (count > 0) this.pending.push({ remaining: count, spec });
  }

  /** Failures still queued. */
  get pendingFailures(): number {
    return this.pending.reduce((n, p) => n + p.remaining, 0);
  }

  clear(): void {
    this.latency = undefined;
    this.pending.length = 0;
  }

  take(r: Parameters<typeof matchesRequest>[0]): InjectedFailure | undefined {
    const idx = this.pending.findIndex((p) => matchesRequest(r, p.spec));
    if (idx < 0) return undefined;
    const p = this.pending[idx] as Pending;
    p.remaining--;
    if (p.remaining <= 0) this.pending.splice(idx, 1);
    return toFailure(p.spec);
  }
}

function toFailure(spec: FailureSpec): InjectedFailure {
  if (spec.status === 'reset' || spec.status === 'rst-stream' || spec.status === 'goaway')
    return { kind: spec.status };
  const retry = spec.retryAfterSeconds ?? 1;
  const code = spec.status;
  let error: KubeStatusError;
  if (code === 429) error = apiErrors.tooManyRequests(retry, spec.message);
  else if (code === 503) error = apiErrors.serviceUnavailable(spec.message, retry);
  else if (code === 504) error = apiErrors.timeout(spec.message);
  else if (code === 500) error = apiErrors.internal(spec.message ?? 'injected fault');
  else error = apiErrors.generic(code, spec.message ?? `injected fault (HTTP ${code})`);
  return {
    kind: 'respond',
    error,
    text: (spec.body ?? (code === 429 ? 'text' : 'status')) === 'text',
  };
}
