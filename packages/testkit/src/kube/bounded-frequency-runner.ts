// kube-proxy's sync throttle (pkg/util/async BoundedFrequencyRunner as the iptables proxier builds
// it: minSyncPeriod, burstSyncs = 2): a token bucket of two syncs refilled at one per period. A
// change after a quiet spell is applied at once; the third of a quick series waits for a token.

export class BoundedFrequencyRunner {
  private tokens: number;
  private last = performance.now();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly fn: () => void,
    private readonly minIntervalMs: number,
    private readonly burst = 2,
  ) {
    this.tokens = burst;
  }

  /** Asks for a run: now if a token is left, else as soon as one is (requests coalesce). */
  run(): void {
    if (this.stopped || this.timer) return;
    if (this.minIntervalMs <= 0) {
      this.fn();
      return;
    }
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      this.fn();
      return;
    }
    const wait = (1 - this.tokens) * this.minIntervalMs;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.run();
    }, Math.ceil(wait));
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private refill(): void {
    const t = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + (t - this.last) / this.minIntervalMs);
    this.last = t;
  }
}
