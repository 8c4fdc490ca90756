import { DedupeWindow } from './dedupe-window.js';
import { invalidOption } from './errors.js';
import type { FrameHeaders, MessageFrame } from './stomp-session.js';

export type AckMode = 'auto' | 'client-individual';

export interface SubscribeOptions {
  /**
   * `auto`: the broker counts a message consumed once sent. `client-individual`: each message
   * stays the broker's until `ack()`; unacknowledged ones are redelivered after a failover.
   * @default 'auto'
   */
  readonly ack?: AckMode;
  /** JMS selector, e.g. `"region = 'eu'"`. */
  readonly selector?: string;
  /** ActiveMQ prefetch (`activemq.prefetchSize`): messages in flight to this consumer. */
  readonly prefetch?: number;
  /**
   * Drop messages whose id (the message id header, else the broker's `message-id`) was already
   * handled, within a window of the last `window` ids. Duplicates in `client-individual` mode
   * are acknowledged without calling the handler. An id enters the window when the message is
   * `ack()`ed (`client-individual`: a message the handler failed on or nacked reaches it again
   * when redelivered), or as the handler is called (`auto`: the broker counts the message
   * consumed as soon as it is sent, so even a failed one is not handed over again).
   * @default false (`true` means a window of 10000)
   */
  readonly dedupe?: boolean | { readonly window: number };
  /** Extra SUBSCRIBE headers (e.g. `activemq.subscriptionName`). */
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
  readonly body: Buffer;
  text(): string;
  /**
   * Acknowledge (client-individual). If the connection that delivered the message has died
   * meanwhile, this is a no-op (logged at debug): the broker redelivers the message, and an ACK
   * on the new connection would be answered with "Unexpected ACK".
   */
  ack(): Promise<void>;
  /** Reject (client-individual); ActiveMQ applies its redelivery policy / DLQ. Same no-op rule. */
  nack(): Promise<void>;
}

export type MessageHandler = (message: ReceivedMessage) => void | Promise<void>;

/** Handle returned by `subscribe()`. */
export interface Subscription {
  readonly id: string;
  readonly destination: string;
  /** Stops deliveries and removes the subscription from future reconnects. */
  unsubscribe(): Promise<void>;
}

/** A subscription as the client keeps it across reconnects. */
export interface SubscriptionRecord {
  readonly id: string;
  readonly destination: string;
  readonly ack: AckMode;
  readonly subscribeHeaders: FrameHeaders;
  readonly handler: MessageHandler;
  readonly dedupe: DedupeWindow | undefined;
  active: boolean;
}

export function createRecord(
  id: string,
  destination: string,
  handler: MessageHandler,
  options: SubscribeOptions,
): SubscriptionRecord {
  if (typeof destination !== 'string' || destination.length === 0) {
    throw invalidOption('destination', 'must be a non-empty string');
  }
  if (typeof handler !== 'function') throw invalidOption('handler', 'must be a function');
  const known = new Set(['ack', 'selector', 'prefetch', 'dedupe', 'headers']);
  for (const key of Object.keys(options)) {
    if (!known.has(key))
      throw invalidOption(`subscribe.${key}`, `unknown option; known: ${[...known].join(', ')}`);
  }
  const ack = options.ack ?? 'auto';
  if (ack !== 'auto' && ack !== 'client-individual') {
    throw invalidOption(
      'subscribe.ack',
      `must be 'auto' or 'client-individual', got ${String(ack)}`,
    );
  }
  const headers: FrameHeaders = { ...options.headers, destination, id, ack };
  if (options.selector !== undefined) headers.selector = options.selector;
  if (options.prefetch !== undefined) {
    if (!Number.isInteger(options.prefetch) || options.prefetch < 1) {
      throw invalidOption(
        'subscribe.prefetch',
        `must be an integer >= 1, got ${String(options.prefetch)}`,
      );
    }
    headers['activemq.prefetchSize'] = String(options.prefetch);
  }
  const dedupe =
    options.dedupe === true
      ? new DedupeWindow(10_000)
      : typeof options.dedupe === 'object'
        ? new DedupeWindow(options.dedupe.window)
        : undefined;
  return { id, destination, ack, subscribeHeaders: headers, handler, dedupe, active: true };
}

/** Builds the handler's view of a MESSAGE frame; `settle` sends ACK/NACK when still valid. */
export function toReceivedMessage(
  frame: MessageFrame,
  idHeader: string,
  settle: (command: 'ACK' | 'NACK') => Promise<void>,
): ReceivedMessage {
  const h = frame.headers;
  const brokerMessageId = h['message-id'] ?? '';
  let settled = false;
  const once = (command: 'ACK' | 'NACK') => {
    if (settled) return Promise.resolve();
    settled = true;
    return settle(command);
  };
  return {
    destination: h.destination ?? '',
    id: h[idHeader] ?? brokerMessageId,
    brokerMessageId,
    redelivered: h.redelivered === 'true',
    headers: h,
    body: frame.body,
    text: () => frame.body.toString('utf8'),
    ack: () => once('ACK'),
    nack: () => once('NACK'),
  };
}
