import type { DedupeWindow } from './dedupe-window.js';
import type { ReceivedMessage, SettleLog } from './subscription.js';

/** One delivered message, with the connection it came on. */
export interface Delivery {
  readonly generation: number;
  readonly ackId: string | undefined;
  readonly message: ReceivedMessage;
  readonly log: SettleLog;
}

export interface DispatcherHooks {
  /** The handler is about to get `d` (auto mode acknowledges here). */
  handOver(d: Delivery): void;
  /** `d` is a duplicate of a handled message: acknowledge it without handing it over. */
  duplicate(d: Delivery): void;
  failed(error: unknown): void;
}

/**
 * Runs one subscription's handler over its deliveries: at most `concurrency` calls at once, in
 * delivery order, the rest buffered (the broker's prefetch bounds the buffer, since nothing in it
 * is acknowledged yet). With a dedupe window, an id being handled or handled is never handed over
 * twice, whichever connection delivered it.
 */
export class Dispatcher {
  readonly #queue: Delivery[] = [];
  readonly #inProgress = new Map<string, Promise<boolean>>();
  readonly #idle: (() => void)[] = [];
  #running = 0;
  #stopped = false;

  constructor(
    private readonly handler: (message: ReceivedMessage) => void | Promise<void>,
    private readonly concurrency: number,
    private readonly dedupe: DedupeWindow | undefined,
    private readonly hooks: DispatcherHooks,
  ) {}

  /** Buffered, not yet handed over. */
  get buffered(): number {
    return this.#queue.length;
  }

  get running(): number {
    return this.#running;
  }

  push(d: Delivery): void {
    if (this.#stopped) return;
    this.#queue.push(d);
    this.#pump();
  }

  /**
   * Forgets buffered deliveries of a connection that died: none was acknowledged, so the
   * broker delivers them again on the next one (handing them over now would only run the
   * handler on messages whose ack can no longer reach the broker).
   */
  dropGeneration(generation: number): number {
    let dropped = 0;
    for (let i = this.#queue.length - 1; i >= 0; i--) {
      if (this.#queue[i]!.generation <= generation) {
        this.#queue.splice(i, 1);
        dropped++;
      }
    }
    return dropped;
  }

  /** No more hand-overs; returns what was buffered (never acknowledged, so the broker keeps it). */
  stop(): Delivery[] {
    this.#stopped = true;
    return this.#queue.splice(0);
  }

  /** Resolves when no handler call is under way. */
  idle(): Promise<void> {
    if (this.#running === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #pump(): void {
    while (!this.#stopped && this.#running < this.concurrency && this.#queue.length > 0) {
      const d = this.#queue.shift()!;
      this.#running++;
      void this.#run(d).finally(() => {
        this.#running--;
        if (this.#running === 0) for (const w of this.#idle.splice(0)) w();
        this.#pump();
      });
    }
  }

  async #run(d: Delivery): Promise<void> {
    const id = d.message.id;
    const dedupe = this.dedupe;
    if (dedupe) {
      const prior = this.#inProgress.get(id);
      // A copy of a message under way waits for it: dropped if that one got handled.
      if (prior && (await prior)) return this.hooks.duplicate(d);
      if (dedupe.has(id)) return this.hooks.duplicate(d);
    }
    let finish: (handled: boolean) => void = () => {};
    if (dedupe) {
      this.#inProgress.set(
        id,
        new Promise<boolean>((resolve) => {
          finish = resolve;
        }),
      );
    }
    let ok = false;
    try {
      this.hooks.handOver(d);
      await this.handler(d.message);
      ok = d.log.command !== 'NACK';
    } catch (error) {
      this.hooks.failed(error);
    }
    if (dedupe) {
      if (ok) dedupe.add(id);
      this.#inProgress.delete(id);
      finish(dedupe.has(id));
    }
  }
}
