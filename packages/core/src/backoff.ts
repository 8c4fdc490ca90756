import { jittered } from './clock.js';
import { InvalidOptionError } from './errors.js';

export interface BackoffOptions {
  /** First retry delay in ms. @default 200 */
  readonly initialDelayMs?: number;
  /**
   * Cap of any delay in ms. Low because a pending label write waits on it while the API
   * recovers: a few agents retrying every 2 s cost an API server nothing, a label left stale for
   * seconds after it is back is an outage (the soak measured 3.6 s with a 5 s cap).
   * @default 2000
   */
  readonly maxDelayMs?: number;
  /** Growth per failed attempt. @default 2 */
  readonly multiplier?: number;
  /**
   * Random spread of each delay, 0..1 (delay · [1 − jitter, 1 + jitter]), so that the agents of a
   * group do not hammer a recovering API server in lockstep.
   * @default 0.2
   */
  readonly jitter?: number;
}

export const BACKOFF_DEFAULTS = {
  initialDelayMs: 200,
  maxDelayMs: 2000,
  multiplier: 2,
  jitter: 0.2,
} as const satisfies Required<BackoffOptions>;

/** Capped exponential backoff with jitter; `reset()` after a success. */
export class Backoff {
  readonly #o: Required<BackoffOptions>;
  readonly #random: () => number;
  #attempt = 0;

  constructor(options: BackoffOptions = {}, random: () => number = Math.random, field = 'backoff') {
    const o = { ...BACKOFF_DEFAULTS, ...definedOnly(options) };
    for (const k of ['initialDelayMs', 'maxDelayMs'] as const) {
      if (!Number.isFinite(o[k]) || o[k] < 0) {
        throw new InvalidOptionError(`${field}.${k}`, `must be a finite number >= 0`);
      }
    }
    if (!Number.isFinite(o.multiplier) || o.multiplier < 1) {
      throw new InvalidOptionError(`${field}.multiplier`, 'must be >= 1');
    }
    if (!(o.jitter >= 0 && o.jitter <= 1)) {
      throw new InvalidOptionError(`${field}.jitter`, 'must be within 0..1');
    }
    this.#o = o;
    this.#random = random;
  }

  /** Failed attempts since the last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  /** Delay before the next attempt; grows with each call until `maxDelayMs`. */
  next(): number {
    const { initialDelayMs, maxDelayMs, multiplier, jitter } = this.#o;
    const base = Math.min(maxDelayMs, initialDelayMs * multiplier ** this.#attempt);
    this.#attempt++;
    return Math.min(maxDelayMs, Math.round(jittered(base, jitter, this.#random)));
  }

  reset(): void {
    this.#attempt = 0;
  }
}

/** Drops keys whose value is `undefined` so spreading over defaults keeps the defaults. */
export function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
