import { invalidOption } from './errors.js';

/**
 * The last `capacity` message ids seen, for dropping redeliveries and at-least-once resends
 * on the consumer side. Bounded: the oldest id is forgotten first, so a duplicate older than
 * the window gets through; size it above the number of messages a failover can replay
 * (outbox size of the producers + prefetch).
 */
export class DedupeWindow {
  readonly capacity: number;
  readonly #ids = new Set<string>();

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw invalidOption('dedupe.window', `must be an integer >= 1, got ${String(capacity)}`);
    }
    this.capacity = capacity;
  }

  get size(): number {
    return this.#ids.size;
  }

  has(id: string): boolean {
    return this.#ids.has(id);
  }

  /** Records `id`; returns false when it was already in the window. */
  add(id: string): boolean {
    if (this.#ids.has(id)) return false;
    this.#ids.add(id);
    if (this.#ids.size > this.capacity) {
      // Sets iterate in insertion order: the first key is the oldest.
      const oldest = this.#ids.values().next().value as string;
      this.#ids.delete(oldest);
    }
    return true;
  }
}
