import { invalidOption } from './errors.js';

export interface BackoffOptions {
  /**
   * Delay before the second round of reconnect attempts, in ms (the first round after a loss
   * starts at once).
   * @default 25
   */
  readonly initialDelayMs?: number;
  /**
   * Upper bound of any delay, in ms. Kept low by default: a master/slave takeover takes one to
   * two seconds, and every ms slept past it is outage; a refused connect costs next to nothing.
   * @default 100
   */
  readonly maxDelayMs?: number;
  /** Growth per round; 1 gives a constant delay. @default 2 */
  readonly multiplier?: number;
  /**
   * Fraction of each delay that is random, 0..1, so that many clients losing the same broker
   * do not come back in lockstep ("equal jitter": the delay lies in [(1-jitter)·d, d]).
   * @default 0.5
   */
  readonly jitter?: number;
}

export const BACKOFF_DEFAULTS = {
  initialDelayMs: 25,
  maxDelayMs: 100,
  multiplier: 2,
  jitter: 0.5,
} as const satisfies Required<BackoffOptions>;

export function validateBackoff(options: BackoffOptions, prefix = ''): Required<BackoffOptions> {
  const o = { ...BACKOFF_DEFAULTS, ...stripUndefined(options) };
  const nonNegative = (k: keyof BackoffOptions) => {
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

/** Bounded exponential backoff with jitter; one instance per reconnect sequence. */
export class Backoff {
  readonly #o: Required<BackoffOptions>;
  readonly #random: () => number;
  #attempt = 0;

  constructor(options: BackoffOptions = {}, random: () => number = Math.random) {
    this.#o = validateBackoff(options);
    this.#random = random;
  }

  /** Rounds already waited for since the last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  /** The delay before the next round, growing each call until `maxDelayMs`. */
  next(): number {
    const { initialDelayMs, maxDelayMs, multiplier, jitter } = this.#o;
    const base = Math.min(maxDelayMs, initialDelayMs * multiplier ** this.#attempt);
    this.#attempt++;
    return Math.round(base * (1 - jitter * this.#random()));
  }

  reset(): void {
    this.#attempt = 0;
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
