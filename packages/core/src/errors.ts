/**
 * Stable codes callers (the agent's logs and metrics) can branch on. Messages say what went wrong;
 * `cause` carries the underlying socket or API error where there is one.
 */
export type CoreErrorCode =
  /** An option is out of range, missing or malformed; `field` names it. */
  | 'INVALID_OPTION'
  /** A probe threw instead of resolving a result (only custom probes can do that). */
  | 'PROBE_FAILED'
  /** A Kubernetes API call failed; see `status` (0 = no HTTP answer) and `transient`. */
  | 'KUBE_API'
  /** A label write kept hitting 409 Conflict after re-reading; the next round retries. */
  | 'LABEL_CONFLICT'
  /** The service-account token file could not be read. */
  | 'TOKEN_FILE'
  /** Some pods still labelled leader could not be fenced; the others were. */
  | 'FENCE_INCOMPLETE'
  /** An event listener threw; the emitter caught it and carried on. */
  | 'LISTENER_FAILED'
  /** The label-write budget is spent; the write goes out after `retryInMs`. */
  | 'WRITE_THROTTLED';

export class CoreError extends Error {
  override readonly name: string = 'CoreError';
  constructor(
    readonly code: CoreErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** An option is invalid; `field` is its dotted path. */
export class InvalidOptionError extends CoreError {
  override readonly name = 'InvalidOptionError';
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super('INVALID_OPTION', `${field}: ${problem}`);
  }
}

/** A custom probe threw; the elector counts it as an inconclusive result. */
export class ProbeFailedError extends CoreError {
  override readonly name = 'ProbeFailedError';
  constructor(
    readonly probe: string,
    options?: ErrorOptions,
  ) {
    super('PROBE_FAILED', `probe ${probe} threw instead of returning a result`, options);
  }
}

/** Operations the Kubernetes adapter performs; used in errors and request events. */
export type KubeOperation =
  | 'readPod'
  | 'listPods'
  | 'patchPod'
  | 'watchPods'
  | 'createEvent'
  | 'updateEventSeries'
  | 'readLease'
  | 'writeLease';

/**
 * A Kubernetes API call failed. `status` is the HTTP status, or 0 when no answer came (connection
 * refused, reset, timeout). `transient` is true for what is worth retrying without changing any
 * decision: no answer, 401 (token rotation), 403 (RBAC propagation), 404 (own pod not yet
 * visible), 409, 429 and 5xx.
 */
export class KubeApiError extends CoreError {
  override readonly name = 'KubeApiError';
  readonly transient: boolean;
  constructor(
    readonly operation: KubeOperation,
    readonly status: number,
    /** `reason` of the Kubernetes Status body (e.g. `Conflict`, `Forbidden`), when there is one. */
    readonly reason: string | undefined,
    message: string,
    options?: ErrorOptions,
  ) {
    super(
      'KUBE_API',
      `${operation}: ${status === 0 ? 'no answer' : `HTTP ${status}`}: ${message}`,
      options,
    );
    this.transient = isTransientStatus(status);
  }
}

/** Statuses that say "try again later", never "your decision was wrong". */
function isTransientStatus(status: number): boolean {
  return (
    status === 0 ||
    status === 401 ||
    status === 403 ||
    status === 404 ||
    status === 409 ||
    status === 429 ||
    status >= 500
  );
}

/** The label write of `pod` met 409 Conflict `attempts` times in a row. */
export class LabelConflictError extends CoreError {
  override readonly name = 'LabelConflictError';
  constructor(
    readonly pod: string,
    readonly attempts: number,
  ) {
    super('LABEL_CONFLICT', `pod ${pod}: label write conflicted ${attempts} times in a row`);
  }
}

export class TokenFileError extends CoreError {
  override readonly name = 'TokenFileError';
  constructor(
    readonly path: string,
    options?: ErrorOptions,
  ) {
    super('TOKEN_FILE', `cannot read service-account token file ${path}`, options);
  }
}

/** Fencing demoted some stale leaders but not `failed`; each failure is in `errors`. */
export class FenceIncompleteError extends CoreError {
  override readonly name = 'FenceIncompleteError';
  constructor(
    readonly failed: readonly string[],
    readonly errors: readonly Error[],
  ) {
    super('FENCE_INCOMPLETE', `could not fence ${failed.join(', ')}`, {
      cause: errors[0],
    });
  }
}

/** A label write was held back by the per-agent write budget (not an API failure). */
export class WriteThrottledError extends CoreError {
  override readonly name = 'WriteThrottledError';
  constructor(
    readonly pod: string,
    readonly retryInMs: number,
  ) {
    super('WRITE_THROTTLED', `label write on ${pod} held back for ${retryInMs} ms (write budget)`);
  }
}

/**
 * Whether retrying `err` unchanged can succeed: a transient `KubeApiError`, a 409 streak, or a
 * fence whose every failure is so. Anything else (400, 422, a bug) needs someone to act.
 */
export function isTransientError(err: unknown): boolean {
  if (err instanceof KubeApiError) return err.transient;
  if (err instanceof LabelConflictError || err instanceof WriteThrottledError) return true;
  if (err instanceof FenceIncompleteError) return err.errors.every(isTransientError);
  return false;
}

/**
 * A listener of `event` threw. Emitters catch it so that it cannot stop their probe or reconcile
 * loop, and report it as a `listenerError` event; `cause` is what the listener threw.
 */
export class ListenerError extends CoreError {
  override readonly name = 'ListenerError';
  constructor(
    readonly event: string,
    options?: ErrorOptions,
  ) {
    const cause = options?.cause;
    const detail = cause instanceof Error ? cause.message : String(cause);
    super('LISTENER_FAILED', `a '${event}' listener threw: ${detail}`, options);
  }
}
