import {
  decideWatchRestart,
  WATCH_RESTART_DEFAULTS,
  type WatchEnd,
  type WatchRestartPolicy,
} from '@activemq-ha/policy';
import { type BackoffOptions, resolveBackoff } from './backoff.js';
import { type Clock, jittered, monotonicNow, type TimerHandle } from './clock.js';
import { KubeApiError } from './errors.js';
import type { PodApi, PodMeta, PodWatchEventType, WatchHandle } from './kube-api.js';

export interface PodWatchKeeperOptions {
  readonly api: PodApi;
  readonly namespace: string;
  /** '' watches every pod of the namespace. */
  readonly labelSelector: string;
  readonly timeoutSeconds: number;
  readonly backoff: BackoffOptions | undefined;
  readonly clock: Clock;
  readonly random: () => number;
  readonly onEvent: (type: PodWatchEventType, pod: PodMeta) => void;
  readonly onState: (state: 'open' | 'closed', error?: Error) => void;
}

/** How a pod watch ended, in the shared watch-restart policy's terms. */
export function watchEnd(error: Error | undefined): WatchEnd {
  // core's KubeClient already reports a stream silent for 30 s (client-node's Watch rule) as a
  // clean end.
  if (error === undefined) return { type: 'closed' };
  if (error instanceof KubeApiError) {
    if (error.status === 410) return { type: 'gone' };
    // 0: no answer (refused, reset, timed out): a network error.
    return error.status === 0 ? { type: 'error' } : { type: 'error', status: error.status };
  }
  return { type: 'error' };
}

/**
 * Keeps one pod watch open. When it ends, the shared watch-restart policy (the client's discovery
 * uses the same) decides how long to wait: at once after a healthy watch (one that lived a second
 * or delivered a change) ended cleanly, with growing backoff after errors and after watches that
 * end young and empty — a proxy that closes every stream at once would otherwise loop at API
 * speed. Every restart is a fresh watch (its initial ADDED events are the list), so `resume` and
 * `relist` open the same way. Watches go silent or die in practice, so the owner also calls
 * `ensure()` from its resync timer as a watchdog.
 */
export class PodWatchKeeper {
  readonly #policy: WatchRestartPolicy;
  /** Consecutive failed watches (the policy's count). */
  #failures = 0;
  #running = false;
  #handle: WatchHandle | undefined;
  #starting = false;
  #timer: TimerHandle | undefined;

  constructor(private readonly o: PodWatchKeeperOptions) {
    this.#policy = { ...WATCH_RESTART_DEFAULTS, retry: resolveBackoff(o.backoff) };
  }

  /** Consecutive watches that failed or ended young and empty. */
  get failures(): number {
    return this.#failures;
  }

  get open(): boolean {
    return this.#handle !== undefined;
  }

  start(): void {
    this.#running = true;
    void this.#open();
  }

  /** Opens the watch unless it is open or a restart is already scheduled. */
  ensure(): void {
    if (this.#running && !this.#handle && this.#timer === undefined) void this.#open();
  }

  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) this.o.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#handle?.close();
    this.#handle = undefined;
  }

  async #open(): Promise<void> {
    if (!this.#running || this.#handle || this.#starting) return;
    this.#starting = true;
    const o = this.o;
    // A watch can end before watchPods() resolves (it ended at once): its handle must then never
    // be stored, or `open` would stay true with nothing open and nothing would restart it.
    let ended = false;
    let sawEvents = false;
    let handle: WatchHandle | undefined;
    const startedAt = monotonicNow(o.clock);
    const end = (error: Error | undefined) => {
      ended = true;
      if (handle !== undefined && this.#handle === handle) this.#handle = undefined;
      const next = decideWatchRestart(
        {
          end: watchEnd(error),
          livedMs: monotonicNow(o.clock) - startedAt,
          sawEvents,
          failures: this.#failures,
          canResume: false,
        },
        this.#policy,
        o.random,
      );
      this.#failures = next.failures;
      o.onState('closed', error);
      this.#restart(next.delayMs);
    };
    try {
      handle = await o.api.watchPods(
        o.namespace,
        {
          ...(o.labelSelector ? { labelSelector: o.labelSelector } : {}),
          // Spread the restarts of a group's agents.
          timeoutSeconds: Math.round(jittered(o.timeoutSeconds, 0.1, o.random)),
        },
        {
          onEvent: (type, pod) => {
            if (ended) return;
            // A fresh watch (no resourceVersion) opens with ADDED for every pod: that is the
            // list, not a change; a stream cut after it must still count as a failure.
            if (type !== 'ADDED') sawEvents = true;
            o.onEvent(type, pod);
          },
          onClose: (error) => {
            if (!ended) end(error);
          },
        },
      );
      if (ended) return; // the restart is already scheduled
      if (!this.#running) {
        ended = true;
        handle.close();
        return;
      }
      this.#handle = handle;
      o.onState('open');
    } catch (err) {
      if (!ended) end(err instanceof Error ? err : new Error(String(err)));
    } finally {
      this.#starting = false;
    }
  }

  #restart(delayMs: number): void {
    if (!this.#running || this.#timer !== undefined) return;
    this.#timer = this.o.clock.setTimeout(() => {
      this.#timer = undefined;
      void this.#open();
    }, delayMs);
  }
}
