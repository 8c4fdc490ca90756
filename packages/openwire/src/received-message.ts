import { bodyBytes, decodeMapBody, decodeTextBody } from './message-body.js';
import type { Destination, LocalTransactionId, Message } from './structures.js';
import type { PropertyValue } from './typed-values.js';

/** A message handed to a consumer, with its body decoded on demand. */
export class ReceivedMessage {
  readonly #ack: (transactionId?: LocalTransactionId) => Promise<void>;

  constructor(
    readonly message: Message,
    readonly redeliveryCounter: number,
    ack: (transactionId?: LocalTransactionId) => Promise<void>,
  ) {
    this.#ack = ack;
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
    return this.#ack(transactionId);
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
