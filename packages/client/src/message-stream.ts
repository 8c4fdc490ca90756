import type { ReceivedMessage } from './subscription.js';

/** Thrown into the dispatcher for a message offered but never taken: it was not handled. */
export const NOT_TAKEN = Symbol('not taken');

/**
 * Turns a subscription's handler calls into an async iterator with backpressure: the handler
 * call for a message ends only when the consumer asks for the next one, so with concurrency 1
 * nothing more is handed over (or acknowledged) until then.
 */
export class MessageChannel {
  #offer:
    | {
        readonly message: ReceivedMessage;
        readonly release: () => void;
        readonly drop: (reason: unknown) => void;
      }
    | undefined;
  #waiter: ((result: IteratorResult<ReceivedMessage>) => void) | undefined;
  #releaseTaken: (() => void) | undefined;
  #done = false;

  constructor(private readonly taken: (message: ReceivedMessage) => void) {}

  readonly handler = (message: ReceivedMessage): Promise<void> =>
    new Promise<void>((release, drop) => {
      if (this.#done) return drop(NOT_TAKEN);
      const waiter = this.#waiter;
      if (waiter) {
        this.#waiter = undefined;
        this.#give(message, release, waiter);
      } else {
        this.#offer = { message, release, drop };
      }
    });

  /** A message waits to be taken (`next()` resolves with it at once). */
  get offered(): boolean {
    return this.#offer !== undefined;
  }

  next(): Promise<IteratorResult<ReceivedMessage>> {
    this.release();
    return new Promise((resolve) => {
      const offer = this.#offer;
      if (offer) {
        this.#offer = undefined;
        this.#give(offer.message, offer.release, resolve);
      } else if (this.#done) {
        resolve({ done: true, value: undefined });
      } else {
        this.#waiter = resolve;
      }
    });
  }

  /**
   * The message taken last is done with: the next delivery may be offered. `next()` does this
   * first; a pull consumer does it as it hands a message over (it asks for the next one itself).
   */
  release(): void {
    this.#releaseTaken?.();
    this.#releaseTaken = undefined;
  }

  /** Ends iteration; a message offered and not taken is left unacknowledged. */
  end(): void {
    this.#done = true;
    this.#waiter?.({ done: true, value: undefined });
    this.#waiter = undefined;
    this.#releaseTaken?.();
    this.#offer?.drop(NOT_TAKEN);
    this.#offer = undefined;
  }

  #give(
    message: ReceivedMessage,
    release: () => void,
    resolve: (r: IteratorResult<ReceivedMessage>) => void,
  ): void {
    this.#releaseTaken = release;
    this.taken(message);
    resolve({ done: false, value: message });
  }
}
