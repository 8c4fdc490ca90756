import { encodeMapBody, encodeTextBody } from './message-body.js';
import type {
  CommandInput,
  Destination,
  LocalTransactionId,
  MessageId,
  ProducerId,
} from './structures.js';
import type { PropertyMap } from './typed-values.js';

/** A message body: exactly one of text, bytes or a map. */
export type MessageBody =
  | { readonly text: string }
  | { readonly bytes: Uint8Array }
  | { readonly map: PropertyMap };

export interface SendOptions {
  /** @default true: persistent messages are confirmed by the broker before send resolves */
  readonly persistent?: boolean;
  /**
   * Wait for the broker's Response. As the Java client: synchronous for persistent messages
   * outside a transaction, asynchronous otherwise.
   * @default persistent && !transaction
   */
  readonly sync?: boolean;
  /** JMS priority 0–9. @default 4 */
  readonly priority?: number;
  /** Time to live in ms; 0 never expires. @default 0 */
  readonly timeToLiveMs?: number;
  readonly correlationId?: string;
  readonly replyTo?: Destination;
  /** JMSType. */
  readonly type?: string;
  /** JMSXGroupID: messages of one group go to one consumer, in order. */
  readonly groupId?: string;
  readonly groupSequence?: number;
  readonly properties?: PropertyMap;
  /** From `connection.begin()`: the send is part of that local transaction. */
  readonly transactionId?: LocalTransactionId;
  /**
   * The producer sequence (the last part of the message id). A failover layer passes the one
   * the first write used, so a resend carries the same message id and the broker's duplicate
   * detection can drop it. @default the next one
   */
  readonly producerSequence?: bigint;
}

/** Builds the Message command Java's ActiveMQMessageProducer would send. */
export function outgoingMessage(
  destination: Destination,
  body: MessageBody,
  options: SendOptions,
  ids: {
    readonly producerId: ProducerId;
    readonly messageId: MessageId;
    readonly commandId: number;
  },
  now: number,
  responseRequired: boolean,
): CommandInput {
  const ttl = options.timeToLiveMs ?? 0;
  const [type, content] =
    'text' in body
      ? (['ActiveMQTextMessage', encodeTextBody(body.text)] as const)
      : 'bytes' in body
        ? (['ActiveMQBytesMessage', body.bytes] as const)
        : (['ActiveMQMapMessage', encodeMapBody(body.map)] as const);
  return {
    type,
    commandId: ids.commandId,
    responseRequired,
    producerId: ids.producerId,
    destination,
    transactionId: options.transactionId ?? null,
    messageId: ids.messageId,
    groupId: options.groupId ?? null,
    groupSequence: options.groupSequence ?? 0,
    correlationId: options.correlationId ?? null,
    persistent: options.persistent ?? true,
    expiration: ttl > 0 ? BigInt(now + ttl) : 0n,
    priority: options.priority ?? 4,
    replyTo: options.replyTo ?? null,
    timestamp: BigInt(now),
    jmsType: options.type ?? null,
    content,
    properties: options.properties ?? null,
  };
}
