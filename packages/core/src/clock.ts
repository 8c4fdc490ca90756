/**
 * Time source and timer scheduler. Injected so that the elector and the labeler can be driven by
 * fake timers in tests; the default reads the globals at call time, so `vi.useFakeTimers()` works
 * with it too.
 */
export interface Clock {
  /** Wall-clock time in epoch milliseconds (used for event timestamps and ages). */
  now(): number;
  /**
   * Monotonic milliseconds (any origin) for ages and freshness: unlike `now()` an NTP step does
   * not move it. Optional for hand-written clocks; `monotonicNow(clock)` falls back to `now()`.
   */
  monotonic?(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Opaque timer handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = unknown;

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** The clock's monotonic time, or its wall-clock time when it has none. */
export function monotonicNow(clock: Clock): number {
  return clock.monotonic ? clock.monotonic() : clock.now();
}

/** `ms` scaled by a random factor in [1 - jitter, 1 + jitter] (the retry-delay curve's spread). */
export { jittered } from '@activemq-ha/policy';

/** A duration rounded to 0.01 ms: enough for latencies, without float noise in logs and events. */
export function roundMs(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** Resolves after `ms` of `clock` time. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}

/** Waits for `p` until `deadline` at most (clock time); true if it settled in time. */
export async function settleBy(
  clock: Clock,
  p: Promise<void> | undefined,
  deadline: number,
): Promise<boolean> {
  if (!p) return true;
  let timer: TimerHandle | undefined;
  const expired = new Promise<boolean>((resolve) => {
    timer = clock.setTimeout(() => resolve(false), Math.max(0, deadline - clock.now()));
  });
  try {
    return await Promise.race([p.then(() => true), expired]);
  } finally {
    clock.clearTimeout(timer);
  }
}
