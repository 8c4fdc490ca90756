import { bodyBytes, decodeMapBody, decodeTextBody } from './message-body.js';
import type { Destination, LocalTransactionId, Message } from './structures.js';
import type { PropertyValue } from './typed-values.js';

/** A message handed to a consumer, with its body decoded on demand. */
/** How a message is settled: acknowledged, or refused as poison (dead-letter queue). */
export interface Settlement {
  readonly transactionId?: LocalTransactionId;
  /** A POISON ack: the broker sends the message to its DLQ (or redelivers per its policy). */
  readonly poison?: boolean;
  /** Ask for the broker's Response and resolve on it (Java's sendAcksAsync=false). */
  readonly sync?: boolean;
}

export class ReceivedMessage {
  readonly #settle: (how: Settlement) => Promise<void>;

  constructor(
    readonly message: Message,
    readonly redeliveryCounter: number,
    settle: (how: Settlement) => Promise<void>,
  ) {
    this.#settle = settle;
  }

  /** JMSMessageID as Java prints it: `ID:…:session:producer:sequence`. */
  get messageId(): string {
    return messageIdString(this.message);
  }
  get destination(): Destination | null {
    return this.message.destination;
  }
  get properties(): ReadonlyMap<string, PropertyValue> {
    return this.message.properties ?? new Map();
  }
  /** The text of a TextMessage (null for other kinds). */
  get text(): string | null {
    return this.message.type === 'ActiveMQTextMessage' ? decodeTextBody(this.message) : null;
  }
  get bytes(): Uint8Array | null {
    return this.message.type === 'ActiveMQBytesMessage' ? bodyBytes(this.message) : null;
  }
  get map(): ReadonlyMap<string, PropertyValue> | null {
    return this.message.type === 'ActiveMQMapMessage' ? decodeMapBody(this.message) : null;
  }

  /**
   * Acknowledges this message (client: it and every earlier one of the consumer; individual:
   * only it). In auto mode the consumer acknowledges after the handler and this is a no-op.
   */
  ack(transactionId?: LocalTransactionId): Promise<void> {
    return this.#settle(transactionId === undefined ? {} : { transactionId });
  }

  /** Settles it as `how` says (poison, synchronous). */
  settle(how: Settlement): Promise<void> {
    return this.#settle(how);
  }
}

export function messageIdString(m: Pick<Message, 'messageId'>): string {
  const id = m.messageId;
  if (id === null) return '';
  if (id.textView !== null) return id.textView;
  const p = id.producerId;
  return p === null
    ? String(id.producerSequenceId)
    : `${p.connectionId}:${p.sessionId}:${p.value}:${id.producerSequenceId}`;
}
