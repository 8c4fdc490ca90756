import type { DataStructure, PropertyValue } from '@activemq-ha/openwire';
import { DedupeWindow } from './dedupe-window.js';
import { invalidOption } from './errors.js';
import type { FrameHeaders, MessageFrame } from './session.js';

export type AckMode = 'auto' | 'client-individual';

export interface SubscribeOptions {
  /**
   * `auto`: the client acknowledges each message as it hands it to the handler (or the
   * iterator); a message still buffered when the connection dies, or when the subscription
   * ends, is not acknowledged and the broker delivers it again (to this or another consumer).
   * `client-individual`: each message stays the broker's until `ack()`.
   * (On the wire both are STOMP `client-individual`: ActiveMQ's own `auto` counts a message
   * consumed as it dispatches it, so prefetch would bound nothing and a buffered message would
   * be lost on close.)
   * @default 'auto'
   */
  readonly ack?: AckMode;
  /** JMS selector, e.g. `"region = 'eu'"`. */
  readonly selector?: string;
  /**
   * ActiveMQ prefetch (`activemq.prefetchSize`): messages delivered and not yet acknowledged.
   * It bounds the client's buffer per subscription.
   * @default 1000
   */
  readonly prefetch?: number;
  /**
   * Handler calls that may run at once for this subscription. 1 (the default) calls the handler
   * for one message at a time in delivery order, as a JMS MessageListener; more run up to `n`
   * calls at once (completion order is then not delivery order).
   * @default 1
   */
  readonly concurrency?: number;
  /**
   * Never hand a message to the handler twice: an id (the message id header, else the broker's
   * `message-id`) that is being handled, or was handled within the last `window` ids, is not
   * handed over again, whichever connection delivered it. A duplicate arriving while the first
   * copy is being handled waits for it: dropped (and acknowledged) if that one succeeded,
   * handled if it failed. "Handled" means: the handler returned without throwing and without
   * `nack()`, or called `ack()`.
   * @default false (`true` means a window of 10000)
   */
  readonly dedupe?: boolean | { readonly window: number };
  /**
   * Makes a topic subscription durable under this name (`activemq.subscriptionName`); needs the
   * client's `clientId`. Restored after every failover under the same name, so messages
   * published meanwhile are waiting. `unsubscribe({ durable: true })` removes it from the broker.
   */
  readonly durable?: string;
  /** Timeout for the broker's confirmation of the SUBSCRIBE, ms; 0 waits for ever. @default 0 */
  readonly timeoutMs?: number;
  /** Aborts the subscribe while it waits for its confirmation. */
  readonly signal?: AbortSignal;
  /** Extra SUBSCRIBE headers. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A delivered message. `ack`/`nack` are no-ops in `auto` mode. */
export interface ReceivedMessage {
  readonly destination: string;
  /** Stable id: the message id header (same across producer resends), else the broker's id. */
  readonly id: string;
  readonly brokerMessageId: string;
  readonly redelivered: boolean;
  readonly headers: Readonly<FrameHeaders>;
  /**
   * The JMS properties. Over OpenWire with their Java types (`number` an int, `bigint` a long,
   * `JavaShort`…, see @activemq-ha/openwire); over STOMP every value is a string (the headers
   * that are not STOMP or JMS headers).
   */
  readonly properties: ReadonlyMap<string, PropertyValue>;
  /** A MapMessage's entries (OpenWire only; `json()` gives them as plain JSON). */
  readonly map: ReadonlyMap<string, PropertyValue> | undefined;
  /**
   * OpenWire: what an advisory message (`/topic/ActiveMQ.Advisory.…`) is about, as Java's
   * `ActiveMQMessage.getDataStructure()` gives it: the ConsumerInfo or ProducerInfo of a consumer
   * or producer that started, the RemoveInfo (its id) of one that stopped, a DestinationInfo….
   * Undefined for other messages and over STOMP (which sends it as a JSON/XML body instead).
   */
  readonly dataStructure: DataStructure | undefined;
  readonly body: Buffer;
  text(): string;
  /** The body parsed as JSON (throws a SyntaxError on malformed JSON). */
  json<T = unknown>(): T;
  /**
   * Acknowledge (client-individual). Resolves once the ACK is written to the connection that
   * delivered the message, without waiting for a broker receipt — as ActiveMQ's JMS client
   * acknowledges by default (a receipt would cost the broker a disk sync per message). If that
   * connection has died meanwhile (or dies before the ACK reaches the broker), the broker
   * redelivers the message; this is then a no-op (logged at debug), since an ACK on the new
   * connection would be answered with "Unexpected ACK". With `dedupe`, the id counts as handled
   * from this call on, so the redelivery is acknowledged without reaching the handler.
   */
  ack(): Promise<void>;
  /**
   * Reject (client-individual). ActiveMQ treats a NACK as a poison ack: the message goes to the
   * dead-letter queue (`ActiveMQ.DLQ` by default) at once, unless the broker has a redelivery
   * policy (`redeliveryPlugin`), which then redelivers it later up to its maximum count. Unlike
   * `ack()` it waits for the broker's receipt. Same no-op rule as `ack()`.
   */
  nack(): Promise<void>;
}

export type MessageHandler = (message: ReceivedMessage) => void | Promise<void>;

export interface UnsubscribeOptions {
  /** Also remove the durable subscription (and its stored messages) from the broker. */
  readonly durable?: boolean;
}

/** Handle returned by `subscribe()`. */
export interface Subscription {
  readonly id: string;
  readonly destination: string;
  /**
   * Messages delivered and not yet handed to the handler (or the iterator). Never more than
   * `prefetch`: nothing buffered is acknowledged, so the broker sends no more.
   */
  readonly buffered: number;
  /**
   * Stops deliveries, waits for handler calls under way, then UNSUBSCRIBEs and removes the
   * subscription from future reconnects. Messages delivered but not yet handed to the handler
   * are not acknowledged: the broker delivers them again (queues) — nothing it counted as
   * consumed is dropped.
   */
  unsubscribe(options?: UnsubscribeOptions): Promise<void>;
}

/**
 * A subscription without a handler: iterate it. Each `next()` acknowledges (auto mode) and
 * hands over one message; while nobody asks, messages wait in a buffer bounded by `prefetch`
 * and the broker stops sending. Leaving the loop (`break`) unsubscribes.
 */
export interface MessageStream extends Subscription, AsyncIterable<ReceivedMessage> {}

/** A subscription as the client keeps it across reconnects. */
export interface SubscriptionRecord {
  readonly id: string;
  readonly destination: string;
  readonly ack: AckMode;
  readonly subscribeHeaders: FrameHeaders;
  readonly handler: MessageHandler;
  readonly concurrency: number;
  readonly durable: string | undefined;
  readonly dedupe: DedupeWindow | undefined;
  readonly timeoutMs: number;
  active: boolean;
}

const KNOWN = new Set([
  'ack',
  'selector',
  'prefetch',
  'concurrency',
  'dedupe',
  'durable',
  'timeoutMs',
  'signal',
  'headers',
]);

/**
 * `pull`: a prefetch-0 consumer (`client.pull()`): the broker sends a message only when asked
 * (OpenWire's MessagePull), so nothing is ever buffered for it.
 */
export function createRecord(
  id: string,
  destination: string,
  handler: MessageHandler,
  options: SubscribeOptions,
  clientId: string | undefined,
  pull = false,
): SubscriptionRecord {
  if (typeof destination !== 'string' || destination.length === 0) {
    throw invalidOption('destination', 'must be a non-empty string');
  }
  if (typeof handler !== 'function') throw invalidOption('handler', 'must be a function');
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key))
      throw invalidOption(`subscribe.${key}`, `unknown option; known: ${[...KNOWN].join(', ')}`);
  }
  const ack = options.ack ?? 'auto';
  if (ack !== 'auto' && ack !== 'client-individual') {
    throw invalidOption(
      'subscribe.ack',
      `must be 'auto' or 'client-individual', got ${String(ack)}`,
    );
  }
  const headers: FrameHeaders = { ...options.headers, destination, id, ack: 'client-individual' };
  if (options.selector !== undefined) headers.selector = options.selector;
  const prefetch = pull ? 0 : positiveInt('subscribe.prefetch', options.prefetch ?? 1000);
  headers['activemq.prefetchSize'] = String(prefetch);
  const concurrency = positiveInt('subscribe.concurrency', options.concurrency ?? 1);
  const timeoutMs = options.timeoutMs ?? 0;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 0) {
    throw invalidOption('subscribe.timeoutMs', `must be an integer >= 0, got ${String(timeoutMs)}`);
  }
  const durable = options.durable;
  if (durable !== undefined) {
    if (typeof durable !== 'string' || durable.length === 0) {
      throw invalidOption('subscribe.durable', 'must be a non-empty subscription name');
    }
    if (!destination.startsWith('/topic/')) {
      throw invalidOption(
        'subscribe.durable',
        `durable subscriptions are for topics, not ${destination}`,
      );
    }
    if (clientId === undefined) {
      throw invalidOption(
        'subscribe.durable',
        "needs the client's clientId option: ActiveMQ keys a durable subscription by client id and name, and without one every connection would create a new subscriber",
      );
    }
    headers['activemq.subscriptionName'] = durable;
  }
  const dedupe =
    options.dedupe === true
      ? new DedupeWindow(10_000)
      : typeof options.dedupe === 'object'
        ? new DedupeWindow(options.dedupe.window)
        : undefined;
  return {
    id,
    destination,
    ack,
    subscribeHeaders: headers,
    handler,
    concurrency,
    durable,
    dedupe,
    timeoutMs,
    active: true,
  };
}

function positiveInt(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw invalidOption(field, `must be an integer >= 1, got ${String(value)}`);
  }
  return value;
}

/** What a message's ack()/nack() calls reported, for the dispatcher. */
export interface SettleLog {
  command: 'ACK' | 'NACK' | undefined;
}

/** Builds the handler's view of a MESSAGE frame; `settle` sends ACK/NACK when still valid. */
export function toReceivedMessage(
  frame: MessageFrame,
  idHeader: string,
  settle: (command: 'ACK' | 'NACK') => Promise<void>,
  log: SettleLog,
): ReceivedMessage {
  const h = frame.headers;
  const brokerMessageId = h['message-id'] ?? '';
  const once = (command: 'ACK' | 'NACK') => {
    if (log.command) return Promise.resolve();
    log.command = command;
    return settle(command);
  };
  return {
    destination: h.destination ?? '',
    id: h[idHeader] ?? brokerMessageId,
    brokerMessageId,
    redelivered: h.redelivered === 'true',
    headers: h,
    properties: frame.properties ?? stompProperties(h),
    map: frame.map,
    dataStructure: frame.dataStructure,
    body: frame.body,
    text: () => frame.body.toString('utf8'),
    json: <T>() => JSON.parse(frame.body.toString('utf8')) as T,
    ack: () => once('ACK'),
    nack: () => once('NACK'),
  };
}

/** Headers of a STOMP MESSAGE that are not JMS properties (ActiveMQ's own and STOMP's). */
const STOMP_HEADERS = new Set([
  'destination',
  'message-id',
  'subscription',
  'ack',
  'content-length',
  'content-type',
  'redelivered',
  'persistent',
  'priority',
  'expires',
  'timestamp',
  'correlation-id',
  'reply-to',
  'type',
  'receipt',
]);

function stompProperties(h: Readonly<FrameHeaders>): ReadonlyMap<string, PropertyValue> {
  return new Map(Object.entries(h).filter(([k]) => !STOMP_HEADERS.has(k)));
}
