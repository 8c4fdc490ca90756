import { closedError, HaClientError, invalidOption } from './errors.js';
import type { MessageChannel } from './message-stream.js';
import { formatServer } from './server-address.js';
import type { Session } from './session.js';
import type { MessageStream, ReceivedMessage, SubscribeOptions } from './subscription.js';
import { bounded } from './subscriptions.js';

/** What `client.pull()` takes: a subscription's options without those of pushed delivery. */
export type PullOptions = Pick<
  SubscribeOptions,
  'ack' | 'selector' | 'timeoutMs' | 'signal' | 'headers'
>;

export interface ReceiveOptions {
  /**
   * How long to wait for a message, ms, across failovers (a receive under way when the
   * connection dies asks again on the next one for the time left). 0 waits until one comes,
   * as JMS `receive()`.
   * @default 0
   */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * A consumer with prefetch 0 (OpenWire only): the broker sends nothing until `receive()` asks
 * (MessagePull), as a JMS `MessageConsumer.receive(timeout)` on a prefetch-0 consumer. Nothing
 * waits in a client buffer, so a slow or stopped consumer never holds messages another one could
 * take. Restored after every failover like a subscription.
 */
export interface PullConsumer {
  readonly id: string;
  readonly destination: string;
  /**
   * The next message, or null when none came within `timeoutMs`. In `auto` mode it is
   * acknowledged as it is returned; in `client-individual` mode call its `ack()`. One receive
   * at a time per consumer (as JMS).
   */
  receive(options?: ReceiveOptions): Promise<ReceivedMessage | null>;
  /** Removes the consumer; a message pulled and not yet returned stays the broker's. */
  close(): Promise<void>;
}

/** What a pull consumer needs of its client. */
export interface PullHost {
  session(): Session | undefined;
  whenConnected(): Promise<void>;
}

export class PullConsumerImpl implements PullConsumer {
  #receiving = false;
  #closed = false;

  constructor(
    private readonly stream: MessageStream,
    private readonly channel: MessageChannel,
    private readonly host: PullHost,
  ) {}

  get id(): string {
    return this.stream.id;
  }

  get destination(): string {
    return this.stream.destination;
  }

  async receive(options: ReceiveOptions = {}): Promise<ReceivedMessage | null> {
    const timeoutMs = options.timeoutMs ?? 0;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 0) {
      throw invalidOption('receive.timeoutMs', `must be an integer >= 0, got ${String(timeoutMs)}`);
    }
    if (this.#closed) throw closedError('receive');
    if (this.#receiving) {
      throw invalidOption('receive', 'one receive() at a time per consumer (as JMS)');
    }
    this.#receiving = true;
    try {
      return await this.#receive(
        timeoutMs > 0 ? Date.now() + timeoutMs : undefined,
        options.signal,
      );
    } finally {
      this.#receiving = false;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.stream.unsubscribe();
  }

  async #receive(
    deadline: number | undefined,
    signal: AbortSignal | undefined,
  ): Promise<ReceivedMessage | null> {
    for (;;) {
      // A message pulled earlier (by a receive that was aborted, or as the connection died).
      if (this.channel.offered) return this.#take();
      if (this.#closed) return null;
      const left = deadline === undefined ? 0 : deadline - Date.now();
      if (deadline !== undefined && left <= 0) return null;
      try {
        await bounded(this.host.whenConnected(), left, signal, 'receive');
      } catch (error) {
        if (error instanceof HaClientError && error.code === 'TIMEOUT') return null;
        throw error;
      }
      const session = this.host.session();
      if (!session?.alive) continue;
      if (!session.pull) {
        throw invalidOption(
          'pull',
          `${formatServer(session.server)} is a STOMP server, which has no pull (prefetch 0); subscribe() instead, or use an OpenWire server (tcp://)`,
        );
      }
      let pulled: boolean;
      try {
        const wait = deadline === undefined ? 0 : Math.max(1, deadline - Date.now());
        pulled = await bounded(session.pull(this.stream.id, wait), 0, signal, 'receive');
      } catch (error) {
        // Asked again on the next connection, for the time left.
        if (error instanceof HaClientError && error.code === 'CONNECTION_LOST') continue;
        throw error;
      }
      // An empty answer to a pull without a time limit: the consumer was closed.
      if (!pulled && deadline === undefined) return this.channel.offered ? this.#take() : null;
    }
  }

  async #take(): Promise<ReceivedMessage | null> {
    const next = await this.channel.next();
    // Handed over: what comes next (a pull's answer) may be offered at once.
    this.channel.release();
    return next.done ? null : next.value;
  }
}
