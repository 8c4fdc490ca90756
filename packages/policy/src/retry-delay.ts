/**
 * The one retry-delay curve of the repository: capped exponential growth with jitter, as a pure
 * function of the attempt number. Callers keep the attempt count (core's `Backoff` is a thin
 * stateful wrapper; the client's reconnect policy and discovery count attempts themselves), so
 * every decision built on it stays a pure function of what happened.
 */
export interface RetryDelayOptions {
  /** First delay, ms. */
  readonly initialDelayMs?: number;
  /** Upper bound of any delay, ms: jitter never pushes a delay past it. */
  readonly maxDelayMs?: number;
  /** Growth per attempt; 1 gives a constant delay. */
  readonly multiplier?: number;
  /**
   * Random spread of each delay, 0..1: the delay lies in [(1 − jitter)·d, (1 + jitter)·d]
   * (then capped), so that many clients or agents that failed together do not retry in lockstep.
   */
  readonly jitter?: number;
}

export type ResolvedRetryDelay = Required<RetryDelayOptions>;

/** What is wrong with one option, for the caller to raise as its own typed error. */
export interface OptionProblem {
  readonly key: string;
  readonly message: string;
}

/** `ms` scaled by a random factor in [1 − jitter, 1 + jitter]; `random` in [0, 1). */
export function jittered(ms: number, jitter: number, random: () => number = Math.random): number {
  if (jitter <= 0) return ms;
  return Math.max(0, ms * (1 + jitter * (2 * random() - 1)));
}

/**
 * The delay before retry number `attempt + 1` (attempt 0 → about `initialDelayMs`), whole ms.
 * `random` = 0.5 gives the nominal curve, which is what deterministic tests use.
 */
export function retryDelay(
  attempt: number,
  o: ResolvedRetryDelay,
  random: () => number = Math.random,
): number {
  const nominal = Math.min(o.maxDelayMs, o.initialDelayMs * o.multiplier ** Math.max(0, attempt));
  return Math.min(o.maxDelayMs, Math.round(jittered(nominal, o.jitter, random)));
}

/** Options checked against their rules: the resolved value, or the first invalid option. */
export type Checked<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problem: OptionProblem };

/** `defaults` overlaid with the options that are set, checked. */
export function resolveRetryDelay(
  options: RetryDelayOptions,
  defaults: ResolvedRetryDelay,
): Checked<ResolvedRetryDelay> {
  const o = { ...defaults, ...definedOnly(options) };
  const problem = (key: keyof RetryDelayOptions, message: string) =>
    ({ ok: false, problem: { key, message: `${message}, got ${String(o[key])}` } }) as const;
  for (const key of ['initialDelayMs', 'maxDelayMs'] as const) {
    if (!(Number.isFinite(o[key]) && o[key] >= 0))
      return problem(key, 'must be a finite number >= 0');
  }
  if (!(Number.isFinite(o.multiplier) && o.multiplier >= 1))
    return problem('multiplier', 'must be >= 1');
  if (!(o.jitter >= 0 && o.jitter <= 1)) return problem('jitter', 'must be within 0..1');
  return { ok: true, value: o };
}

/** Drops keys whose value is `undefined`, so that spreading over defaults keeps the defaults. */
export function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
