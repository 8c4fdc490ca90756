import { OpenWireError } from './errors.js';
import { ReceivedMessage, type Settlement } from './received-message.js';
import {
  ACK_TYPE,
  type CommandInput,
  type ConsumerId,
  type Destination,
  type Message,
  type MessageDispatch,
} from './structures.js';

export type AckMode = 'auto' | 'client' | 'individual';

export interface SubscribeOptions {
  /** Messages the broker may push before they are acknowledged; 0 means pull (MessagePull). @default 1000 */
  readonly prefetch?: number;
  /** A JMS selector, e.g. `color = 'red' AND weight > 10`. */
  readonly selector?: string;
  /** auto: acked after the handler resolves; client: cumulative; individual: one by one. @default 'auto' */
  readonly ack?: AckMode;
  /** Durable topic subscription name (needs a client id on the connection). */
  readonly subscriptionName?: string;
  readonly noLocal?: boolean;
  readonly exclusive?: boolean;
}

export type MessageHandler = (message: ReceivedMessage) => void | Promise<void>;

/** What a consumer needs from its connection. */
export interface ConsumerLink {
  send(command: CommandInput, sync: boolean): Promise<void>;
  nextCommandId(): number;
}

/** One ConsumerInfo on the broker: dispatches arrive here, acks leave from here. */
export class OpenWireConsumer {
  /** Delivered but not yet acknowledged (client mode acks them cumulatively). */
  #unacked: Message[] = [];
  #pulls: ((m: ReceivedMessage | null) => void)[] = [];
  #closed = false;
  /** Broker sequence of the last dispatch: tells the broker on close which messages were seen (redelivered). */
  #lastDeliveredSequenceId = -1n;

  constructor(
    readonly consumerId: ConsumerId,
    readonly destination: Destination,
    readonly options: SubscribeOptions,
    readonly handler: MessageHandler | undefined,
    readonly link: ConsumerLink,
    readonly onClose: (lastDeliveredSequenceId: bigint) => Promise<void>,
  ) {}

  get ackMode(): AckMode {
    return this.options.ack ?? 'auto';
  }

  /** Called by the connection for each MessageDispatch to this consumer. */
  dispatch(d: MessageDispatch, onError: (e: unknown) => void): void {
    const pull = this.#pulls.shift();
    if (d.message === null) {
      // The broker's answer to a MessagePull that timed out.
      pull?.(null);
      return;
    }
    const message = d.message;
    this.#lastDeliveredSequenceId =
      message.messageId?.brokerSequenceId ?? this.#lastDeliveredSequenceId;
    this.#unacked.push(message);
    const received = new ReceivedMessage(message, d.redeliveryCounter, (how) =>
      this.#ack(message, how),
    );
    if (pull !== undefined) {
      pull(received);
      if (this.ackMode === 'auto') this.#ack(message).catch(onError);
      return;
    }
    if (this.handler === undefined) return;
    Promise.resolve()
      .then(() => this.handler!(received))
      .then(() => (this.ackMode === 'auto' ? this.#ack(message) : undefined))
      .catch(onError);
  }

  /**
   * With prefetch 0: asks the broker for one message (MessagePull) and resolves with it, or with
   * null when none arrived within `timeoutMs` (the broker answers an empty dispatch then).
   */
  pull(timeoutMs: number): Promise<ReceivedMessage | null> {
    if (this.#closed) return Promise.reject(new OpenWireError('ILLEGAL_STATE', 'consumer closed'));
    const next = new Promise<ReceivedMessage | null>((resolve) => this.#pulls.push(resolve));
    return this.link
      .send(
        {
          type: 'MessagePull',
          commandId: this.link.nextCommandId(),
          consumerId: this.consumerId,
          destination: this.destination,
          timeout: BigInt(timeoutMs),
        },
        false,
      )
      .then(() => next);
  }

  async #ack(message: Message, how: Settlement = {}): Promise<void> {
    const at = this.#unacked.indexOf(message);
    if (at < 0) return; // already acknowledged (cumulatively, or twice)
    const poison = how.poison === true;
    // A poison ack names one message: the broker dead-letters exactly that one.
    const individual = this.ackMode === 'individual' || poison;
    const first = individual ? message : this.#unacked[0]!;
    const count = individual ? 1 : at + 1;
    if (individual) this.#unacked.splice(at, 1);
    else this.#unacked.splice(0, at + 1);
    await this.link.send(
      {
        type: 'MessageAck',
        commandId: this.link.nextCommandId(),
        destination: message.destination,
        transactionId: how.transactionId ?? null,
        consumerId: this.consumerId,
        ackType: poison ? ACK_TYPE.POISON : individual ? ACK_TYPE.INDIVIDUAL : ACK_TYPE.STANDARD,
        firstMessageId: first.messageId,
        lastMessageId: message.messageId,
        messageCount: count,
      },
      how.sync === true,
    );
  }

  /** Removes the consumer on the broker; unacknowledged messages go back to the queue. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const pull of this.#pulls.splice(0)) pull(null);
    await this.onClose(this.#lastDeliveredSequenceId);
  }

  get closed(): boolean {
    return this.#closed;
  }
}
