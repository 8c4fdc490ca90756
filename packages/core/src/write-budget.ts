/**
 * A token bucket for label writes: `burst` writes at once, then `perMinute` a minute. Whatever
 * goes wrong around it (two masters, a peer that keeps relabelling), one agent cannot write at
 * API speed. Time is passed in (monotonic ms), so it is a pure state machine.
 */
export class WriteBudget {
  #tokens: number;
  #at: number | undefined;

  constructor(
    readonly perMinute: number,
    readonly burst: number,
  ) {
    this.#tokens = burst;
  }

  /** Ms until a write may go out (0: now). */
  waitMs(now: number): number {
    this.#refill(now);
    return this.#tokens >= 1 ? 0 : Math.ceil(((1 - this.#tokens) * 60_000) / this.perMinute);
  }

  /** Spends one write; call only after `waitMs` said 0. */
  take(now: number): void {
    this.#refill(now);
    this.#tokens = Math.max(0, this.#tokens - 1);
  }

  #refill(now: number): void {
    if (this.#at !== undefined) {
      this.#tokens = Math.min(
        this.burst,
        this.#tokens + ((now - this.#at) * this.perMinute) / 60_000,
      );
    }
    this.#at = now;
  }
}
