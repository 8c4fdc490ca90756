import { invalidOption } from './errors.js';

/**
 * Capped exponential delay with jitter, as a pure function of the attempt number. (Core's
 * `Backoff` is the stateful one the agent uses; the client keeps its state — the attempt count —
 * in its callers, so the reconnect policy stays a pure function of what happened.)
 */
export interface RetryDelayOptions {
  /** First delay, ms. */
  readonly initialDelayMs?: number;
  /** Upper bound of any delay, ms. */
  readonly maxDelayMs?: number;
  /** Growth per attempt; 1 gives a constant delay. @default 2 */
  readonly multiplier?: number;
  /**
   * Fraction of each delay that is random, 0..1, so that many clients losing the same broker
   * do not come back in lockstep ("equal jitter": the delay lies in [(1-jitter)·d, d]).
   * @default 0.5
   */
  readonly jitter?: number;
}

export function validateRetryDelay(
  options: RetryDelayOptions,
  defaults: Required<RetryDelayOptions>,
  prefix = '',
): Required<RetryDelayOptions> {
  const o = { ...defaults, ...stripUndefined(options) };
  const nonNegative = (k: keyof RetryDelayOptions) => {
    if (!Number.isFinite(o[k]) || o[k] < 0) {
      throw invalidOption(`${prefix}${k}`, `must be a finite number >= 0, got ${String(o[k])}`);
    }
  };
  nonNegative('initialDelayMs');
  nonNegative('maxDelayMs');
  if (!Number.isFinite(o.multiplier) || o.multiplier < 1) {
    throw invalidOption(`${prefix}multiplier`, `must be >= 1, got ${String(o.multiplier)}`);
  }
  if (!(o.jitter >= 0 && o.jitter <= 1)) {
    throw invalidOption(`${prefix}jitter`, `must be within 0..1, got ${String(o.jitter)}`);
  }
  return o;
}

/** The delay before attempt `attempt + 1` (attempt 0 → about `initialDelayMs`). */
export function retryDelay(
  attempt: number,
  o: Required<RetryDelayOptions>,
  random: () => number = Math.random,
): number {
  const base = Math.min(o.maxDelayMs, o.initialDelayMs * o.multiplier ** attempt);
  return Math.round(base * (1 - o.jitter * random()));
}

export function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
