import { performance } from 'node:perf_hooks';

/**
 * Milliseconds since the Unix epoch with sub-millisecond resolution, monotonic within this
 * process (`performance.timeOrigin + performance.now()`): every timestamp the harness reports
 * uses it, so they can be subtracted from each other for benchmarks.
 */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

export interface PollOptions {
  readonly timeoutMs: number;
  readonly intervalMs: number;
}

/**
 * Calls `probe` until it returns a value other than `undefined`, waiting `intervalMs` between
 * calls; `probe` may throw to stop early. On the deadline, throws what `onTimeout` returns.
 */
export async function pollUntil<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  options: PollOptions,
  onTimeout: () => Error,
): Promise<T> {
  const deadline = now() + options.timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (now() >= deadline) throw onTimeout();
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}
