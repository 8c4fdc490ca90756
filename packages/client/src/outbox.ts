import { HaClientError, invalidOption } from './errors.js';

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Sends accepted but not yet confirmed by a broker RECEIPT, in acceptance order. An entry is
 * either queued (waiting for a connection) or in flight (written on the current connection).
 * When a connection dies its in-flight entries go back to the front of the queue, in their
 * original order, to be written again on the next connection (at-least-once).
 *
 * The bound covers both states, so it caps memory whatever the broker does; callers that
 * prefer waiting to failing reserve a slot with `reserve()` (FIFO, so waiters are not starved
 * by later callers).
 */
export class Outbox<T> {
  readonly capacity: number;
  #queued: T[] = [];
  readonly #inflight = new Set<T>();
  readonly #waiters: Waiter[] = [];
  #reserved = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw invalidOption('outboxSize', `must be an integer >= 1, got ${String(capacity)}`);
    }
    this.capacity = capacity;
  }

  /** Unconfirmed entries (queued + in flight) plus reserved slots. */
  get size(): number {
    return this.#queued.length + this.#inflight.size + this.#reserved;
  }

  get queuedCount(): number {
    return this.#queued.length;
  }

  get inflightCount(): number {
    return this.#inflight.size;
  }

  /** True when nothing is unconfirmed (reservations do not count: they hold no message yet). */
  get isEmpty(): boolean {
    return this.#queued.length === 0 && this.#inflight.size === 0;
  }

  /** True when a new entry can be added now without overtaking a waiter. */
  hasRoom(): boolean {
    return this.#waiters.length === 0 && this.size < this.capacity;
  }

  /** Adds an entry; `reserved` consumes a slot obtained from `reserve()`. */
  push(item: T, reserved = false): void {
    if (reserved) this.#reserved--;
    else if (!this.hasRoom()) {
      throw new HaClientError(
        'OUTBOX_FULL',
        `outbox full: ${this.capacity} sends await their receipt; raise outboxSize or use outboxOverflow: 'wait'`,
      );
    }
    this.#queued.push(item);
  }

  /** Resolves once a slot is reserved for the caller; pass `reserved = true` to `push`. */
  reserve(): Promise<void> {
    if (this.hasRoom()) {
      this.#reserved++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /** Gives back a slot from `reserve()` that will not be used. */
  release(): void {
    if (this.#reserved > 0) this.#reserved--;
    this.#wake();
  }

  /** Takes up to `max` queued entries (all by default), in order, and marks them in flight. */
  takeQueued(max = Number.POSITIVE_INFINITY): T[] {
    const items = this.#queued.splice(0, max);
    for (const item of items) this.#inflight.add(item);
    return items;
  }

  /** The in-flight entries, in write order. */
  inflight(): T[] {
    return [...this.#inflight];
  }

  /** True when some unconfirmed entry (queued or in flight) satisfies `predicate`. */
  some(predicate: (item: T) => boolean): boolean {
    for (const item of this.#inflight) if (predicate(item)) return true;
    return this.#queued.some(predicate);
  }

  /** Removes an entry for good (confirmed, failed or timed out). */
  settle(item: T): boolean {
    let removed = this.#inflight.delete(item);
    if (!removed) {
      const i = this.#queued.indexOf(item);
      if (i >= 0) {
        this.#queued.splice(i, 1);
        removed = true;
      }
    }
    if (removed) this.#wake();
    return removed;
  }

  /** Moves in-flight entries back to the front of the queue; returns how many. */
  requeueInflight(): number {
    const n = this.#inflight.size;
    if (n > 0) {
      this.#queued = [...this.#inflight, ...this.#queued];
      this.#inflight.clear();
    }
    return n;
  }

  /** Removes and returns every entry (queued and in flight), failing every waiter with `error`. */
  clear(error: Error): T[] {
    const items = [...this.#inflight, ...this.#queued];
    this.#inflight.clear();
    this.#queued = [];
    for (const w of this.#waiters.splice(0)) w.reject(error);
    return items;
  }

  #wake(): void {
    while (this.#waiters.length > 0 && this.size < this.capacity) {
      this.#reserved++;
      this.#waiters.shift()!.resolve();
    }
  }
}
