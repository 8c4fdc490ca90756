// client-go's rate-limiting work queue, as the EndpointSlice controller uses it: a key is queued
// at most once; a key added while it is being processed is processed again right after (never
// two syncs of one key at a time); failed syncs come back after an exponential per-key backoff
// (the controller's ItemExponentialFailureRateLimiter: base * 2^n, capped). One worker.

export interface WorkQueueOptions {
  /** First retry delay; doubles per consecutive failure. */
  readonly retryBaseMs: number;
  /** Cap of the retry delay. @default 1_000_000 (the controller's maxSyncBackOff, 1000 s) */
  readonly retryMaxMs?: number;
}

/** Processes one key; may finish later (the sync's API round trips). */
export type ProcessKey = (key: string) => void | Promise<void>;

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private running = false;
  private stopped = false;

  constructor(
    private readonly process: ProcessKey,
    private readonly opts: WorkQueueOptions,
  ) {}

  add(key: string): void {
    if (this.stopped || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (!this.processing.has(key)) this.queue.push(key);
    this.run();
  }

  addAfter(key: string, ms: number): void {
    if (ms <= 0) {
      this.add(key);
      return;
    }
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.add(key);
    }, ms);
    this.timers.add(t);
  }

  /** Re-queues a key after its backoff: retryBaseMs, then twice that, and so on. */
  addRateLimited(key: string): void {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const max = this.opts.retryMaxMs ?? 1_000_000;
    this.addAfter(key, Math.min(this.opts.retryBaseMs * 2 ** n, max));
  }

  /** A successful sync: the next failure starts from the base delay again. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Keys waiting or being processed (delayed additions not counted). */
  get length(): number {
    return this.queue.length + this.processing.size;
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.queue.length = 0;
  }

  private run(): void {
    if (this.running) return;
    this.running = true;
    // Synchronous processing while syncs complete synchronously (zero lag): the writes land in
    // the same tick as the change that caused them.
    while (!this.stopped) {
      const key = this.queue.shift();
      if (key === undefined) break;
      this.dirty.delete(key);
      this.processing.add(key);
      let pending: Promise<void> | undefined;
      try {
        const r = this.process(key);
        if (r instanceof Promise) pending = r;
      } catch (err) {
        console.error('kube emulator: work queue sync failed', err);
      }
      if (pending) {
        void pending
          .catch((err: unknown) => console.error('kube emulator: work queue sync failed', err))
          .finally(() => {
            this.done(key);
            this.running = false;
            this.run();
          });
        return;
      }
      this.done(key);
    }
    this.running = false;
  }

  private done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key) && !this.stopped) this.queue.push(key);
  }
}
