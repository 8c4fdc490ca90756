import { type RetryDelayOptions, resolveRetryDelay, retryDelay } from '@activemq-ha/policy';
import { InvalidOptionError } from './errors.js';

/**
 * The retry-delay curve (`initialDelayMs`·`multiplier`^attempt, capped at `maxDelayMs`, spread by
 * `jitter` over [1 − jitter, 1 + jitter]), the same one the client uses. Core's defaults: 200 ms
 * doubling to 2000 ms, jitter 0.2 — a low cap because a pending label write waits on it while
 * the API recovers: a few agents retrying every 2 s cost an API server nothing, a label left
 * stale for seconds after it is back is an outage (the soak measured 3.6 s with a 5 s cap).
 */
export type BackoffOptions = RetryDelayOptions;

export const BACKOFF_DEFAULTS = {
  initialDelayMs: 200,
  maxDelayMs: 2000,
  multiplier: 2,
  jitter: 0.2,
} as const satisfies Required<BackoffOptions>;

/**
 * The retry-delay curve with its attempt count kept: `next()` after each failure, `reset()` after
 * a success. The delays themselves are the pure `retryDelay` of the attempt.
 */
export class Backoff {
  readonly #o: Required<BackoffOptions>;
  readonly #random: () => number;
  #attempt = 0;

  constructor(options: BackoffOptions = {}, random: () => number = Math.random, field = 'backoff') {
    const checked = resolveRetryDelay(options, BACKOFF_DEFAULTS);
    if (!checked.ok) {
      throw new InvalidOptionError(`${field}.${checked.problem.key}`, checked.problem.message);
    }
    this.#o = checked.value;
    this.#random = random;
  }

  /** Failed attempts since the last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  /** Delay before the next attempt; grows with each call until `maxDelayMs`. */
  next(): number {
    return retryDelay(this.#attempt++, this.#o, this.#random);
  }

  reset(): void {
    this.#attempt = 0;
  }
}
