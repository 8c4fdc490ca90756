/**
 * Steady produce/consume traffic with bookkeeping, shared by the failover test and the
 * benchmark (which drives plain stompit with it too).
 */
import type { HaClient, HaClientEvents } from '@activemq-ha/client';
import { now } from '@activemq-ha/testkit';

// The testkit's clock, so kill times and client timestamps compare.
export { now };

/** Sends with at most `window` unconfirmed, until stopped; records every confirmation. */
export class Producer {
  /** id → confirmation time */
  readonly confirmed = new Map<string, number>();
  readonly confirmTimes: number[] = [];
  failures = 0;
  lastError: unknown;
  #next = 0;
  #running = false;
  #loops: Promise<void>[] = [];

  constructor(
    private readonly send: (seq: number) => Promise<string>,
    private readonly window = 16,
  ) {}

  /** A confirmation reported from elsewhere (a peer process that does its own sending). */
  record(id: string): void {
    const t = now();
    this.confirmed.set(id, t);
    this.confirmTimes.push(t);
  }

  start(): void {
    this.#running = true;
    this.#loops = Array.from({ length: this.window }, () => this.#loop());
  }

  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
  }

  async #loop(): Promise<void> {
    while (this.#running) {
      const seq = this.#next++;
      try {
        this.record(await this.send(seq));
      } catch (error) {
        this.failures++;
        this.lastError = error;
        // A failed send (e.g. the client gave up) must not spin.
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }
}

/** Counts deliveries per message id. */
export class Receiver {
  readonly counts = new Map<string, number>();
  readonly deliveryTimes: number[] = [];

  record(id: string): void {
    this.counts.set(id, (this.counts.get(id) ?? 0) + 1);
    this.deliveryTimes.push(now());
  }

  get duplicates(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c - 1;
    return n;
  }

  missing(confirmed: Iterable<string>): string[] {
    return [...confirmed].filter((id) => !this.counts.has(id));
  }
}

/**
 * The largest gap between consecutive events (`times` ascending) that overlaps [from, to]: the
 * outage a kill at `from` caused (events may still trickle in for a few ms after the signal).
 */
export function largestGap(times: readonly number[], from: number, to: number): number | undefined {
  let best: number | undefined;
  for (let i = 1; i < times.length; i++) {
    const a = times[i - 1]!;
    const b = times[i]!;
    if (b < from || a > to) continue;
    if (best === undefined || b - a > best) best = b - a;
  }
  return best;
}

/**
 * The outage a kill at `at` caused, as its two events (`times` ascending): the last one before
 * the kill and the first one `settleMs` or more after it (answers already on their way when the
 * signal went may still arrive in the first few ms; none can come from the new broker that soon).
 * Unlike the largest gap of a window, a later stall (the restarted broker's JVM starting beside
 * the new master on a loaded machine) is never taken for the failover.
 */
export function outageAround(
  times: readonly number[],
  at: number,
  settleMs = 100,
): { readonly start: number; readonly end: number } | undefined {
  const after = times.findIndex((t) => t >= at + settleMs);
  if (after < 0) return undefined;
  const before = times.findLastIndex((t) => t < at);
  return { start: before < 0 ? at : times[before]!, end: times[after]! };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function waitFor(
  check: () => boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The next emission of a client event (node:events `once` wants a Node EventEmitter). */
export function nextEvent<E extends keyof HaClientEvents>(
  client: HaClient,
  event: E,
): Promise<HaClientEvents[E][0]> {
  return new Promise((resolve) => {
    client.once(event, ((value: HaClientEvents[E][0]) => resolve(value)) as never);
  });
}
