import { type ResolvedRetryDelay, retryDelay } from './retry-delay.js';

/**
 * How a Kubernetes watch ended, as its owner saw it. The owner maps its client's signals onto
 * these (client-node: `done()` without an error is `closed`, a `TimeoutError` is `idle-timeout`,
 * an ERROR event or HTTP status 410 is `gone`, anything else `error`).
 */
export type WatchEnd =
  /** The server closed the stream cleanly: its `timeoutSeconds`, or a proxy's stream limit. */
  | { readonly type: 'closed' }
  /** The client gave up on a silent stream (client-node: no data for 30 s). */
  | { readonly type: 'idle-timeout' }
  /** 410 Gone: the resourceVersion is older than the server keeps (compaction, cache reset). */
  | { readonly type: 'gone' }
  /** An ERROR event or HTTP status other than 410 (`status`), or a network error (none). */
  | { readonly type: 'error'; readonly status?: number };

export interface WatchRestartInput {
  readonly end: WatchEnd;
  /** ms from the watch request to its end. */
  readonly livedMs: number;
  /**
   * The watch delivered at least one change (ADDED, MODIFIED, DELETED). BOOKMARKs do not count:
   * the API server sends one as a watch times out, so a watch that dies young carries one too.
   */
  readonly sawEvents: boolean;
  /** Consecutive failed list/watch attempts before this watch (0 after a healthy one). */
  readonly failures: number;
  /** A resourceVersion to resume from is known. */
  readonly canResume: boolean;
}

export interface WatchRestartPolicy {
  /**
   * A watch that lived this long, or delivered an event, proves list and watch work: the failure
   * count starts again. One that ends younger and empty is a failure (a proxy that closes streams
   * at once, an ERROR on every new watch), so restarts back off instead of looping as fast as the
   * API answers — client-go's reflector treats a watch under 1 s with no events the same way.
   */
  readonly healthyAfterMs: number;
  /**
   * After this many consecutive failures the owner re-lists instead of resuming from its
   * resourceVersion, in case what it holds is the trouble.
   */
  readonly relistAfterFailures: number;
  readonly retry: ResolvedRetryDelay;
}

export const WATCH_RESTART_DEFAULTS = {
  healthyAfterMs: 1000,
  relistAfterFailures: 3,
} as const satisfies Omit<WatchRestartPolicy, 'retry'>;

export interface WatchRestart {
  /** `resume`: watch again from the last resourceVersion; `relist`: list, then watch. */
  readonly action: 'resume' | 'relist';
  /** Wait this long first (0: at once). */
  readonly delayMs: number;
  /** Consecutive failures counting this end: the next decision's `failures`. */
  readonly failures: number;
  /** Why, in a few words, for logs and events. */
  readonly reason: string;
}

/**
 * What to do after a watch ended, pure. Follows client-go's reflector:
 * - a clean end or an idle timeout of a healthy watch → resume at once (routine);
 * - 410 Gone → re-list (at once after a healthy watch);
 * - 429, 5xx or a network error → wait, then resume (the resourceVersion is still good);
 * - any other status (401, 403, 404, …) or a young, empty watch → wait, then re-list.
 * Waits follow `retryDelay` over the consecutive failures.
 */
export function decideWatchRestart(
  input: WatchRestartInput,
  policy: WatchRestartPolicy,
  random: () => number = Math.random,
): WatchRestart {
  const healthy = input.sawEvents || input.livedMs >= policy.healthyAfterMs;
  const before = healthy ? 0 : input.failures;
  const now = (action: WatchRestart['action'], reason: string): WatchRestart => ({
    action,
    delayMs: 0,
    failures: 0,
    reason,
  });
  const later = (action: WatchRestart['action'], reason: string): WatchRestart => {
    const failures = before + 1;
    const resumable = action === 'resume' && input.canResume;
    return {
      action: resumable && failures < policy.relistAfterFailures ? 'resume' : 'relist',
      delayMs: retryDelay(before, policy.retry, random),
      failures,
      reason:
        resumable && failures >= policy.relistAfterFailures
          ? `${reason}, ${failures} failures in a row`
          : reason,
    };
  };
  const { end } = input;
  switch (end.type) {
    case 'closed':
    case 'idle-timeout': {
      const what = end.type === 'closed' ? 'the server ended the watch' : 'the watch went silent';
      if (!healthy) return later('relist', `${what} after ${input.livedMs} ms without events`);
      return input.canResume ? now('resume', what) : now('relist', `${what}, nothing to resume`);
    }
    case 'gone':
      return healthy ? now('relist', '410 Gone') : later('relist', '410 Gone on a new watch');
    case 'error': {
      const { status } = end;
      if (status === undefined) return later('resume', 'network error');
      if (status === 429 || status >= 500) return later('resume', `HTTP ${status}`);
      return later('relist', `HTTP ${status}`);
    }
  }
}
