import { Backoff, type BackoffOptions } from './backoff.js';
import { type Clock, jittered, type TimerHandle } from './clock.js';
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

/**
 * Keeps one pod watch open: restarts it at once after a clean server-side end and with backoff
 * after an error. Watches go silent or die in practice, so the owner also calls `ensure()` from
 * its resync timer as a watchdog.
 */
export class PodWatchKeeper {
  readonly #backoff: Backoff;
  #running = false;
  #handle: WatchHandle | undefined;
  #starting = false;
  #timer: TimerHandle | undefined;

  constructor(private readonly o: PodWatchKeeperOptions) {
    this.#backoff = new Backoff(o.backoff, o.random);
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
    let handle: WatchHandle | undefined;
    const end = (error: Error | undefined, delayMs: number) => {
      ended = true;
      if (handle !== undefined && this.#handle === handle) this.#handle = undefined;
      o.onState('closed', error);
      this.#restart(delayMs);
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
            this.#backoff.reset();
            o.onEvent(type, pod);
          },
          onClose: (error) => {
            if (!ended) end(error, error ? this.#backoff.next() : 0);
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
      if (!ended) end(err instanceof Error ? err : new Error(String(err)), this.#backoff.next());
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
