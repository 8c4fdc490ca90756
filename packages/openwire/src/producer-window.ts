/**
 * Java's producer window (ActiveMQMessageProducer's `producerWindow`): asynchronous sends may
 * hold up to `limit` bytes the broker has not acknowledged with ProducerAck. A send waits while
 * the window is full, then adds its size, so one message may overshoot it (as Java's
 * `MemoryUsage.waitForSpace` allows). Sizes are counted as the broker counts them in the
 * ProducerAck it returns (`Message.getSize()`), so both sides agree.
 */
export class ProducerWindow {
  #used = 0;
  readonly #waiters: (() => void)[] = [];

  constructor(readonly limit: number) {}

  get used(): number {
    return this.#used;
  }

  /** Resolves once there is room, having counted `size` in. */
  async reserve(size: number): Promise<void> {
    while (this.#used >= this.limit) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    this.#used += size;
  }

  /** A ProducerAck for `size` bytes. */
  release(size: number): void {
    this.#used = Math.max(0, this.#used - size);
    for (const w of this.#waiters.splice(0)) w();
  }

  /** The connection ended: nobody waits any more (their sends fail on the closed connection). */
  releaseAll(): void {
    this.#used = 0;
    for (const w of this.#waiters.splice(0)) w();
  }
}

/** Java's `Message.getSize()` for a message we send: the 1 KiB minimum plus properties and body. */
export const MINIMUM_MESSAGE_SIZE = 1024;

export function messageSize(propertiesBytes: number, contentBytes: number): number {
  return MINIMUM_MESSAGE_SIZE + propertiesBytes + contentBytes;
}
