/**
 * Time source and timer scheduler. Injected so that the elector and the labeler can be driven by
 * fake timers in tests; the default reads the globals at call time, so `vi.useFakeTimers()` works
 * with it too.
 */
export interface Clock {
  /** Wall-clock time in epoch milliseconds (used for event timestamps and ages). */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Opaque timer handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = unknown;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** `ms` scaled by a random factor in [1 - jitter, 1 + jitter]. */
export function jittered(ms: number, jitter: number, random: () => number = Math.random): number {
  if (jitter <= 0) return ms;
  return Math.max(0, ms * (1 + jitter * (2 * random() - 1)));
}
