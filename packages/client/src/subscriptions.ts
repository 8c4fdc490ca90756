import { type Delivery, Dispatcher } from './dispatcher.js';
import { abortedError, HaClientError } from './errors.js';
import type { Logger } from './logger.js';
import { MessageChannel, NOT_TAKEN } from './message-stream.js';
import type { MessageFrame, Session } from './session.js';
import {
  createRecord,
  type MessageHandler,
  type MessageStream,
  type ReceivedMessage,
  type SettleLog,
  type SubscribeOptions,
  type SubscriptionRecord,
  toReceivedMessage,
  type UnsubscribeOptions,
} from './subscription.js';

/** The connection the registry talks to, as the client sees it right now. */
export interface CurrentSession {
  readonly session: Session | undefined;
  /** Increases with every new connection; a message remembers the one it came on. */
  readonly generation: number;
}

interface Pending {
  resolve(): void;
  reject(error: Error): void;
}

interface Entry {
  readonly record: SubscriptionRecord;
  readonly dispatcher: Dispatcher;
  readonly channel: MessageChannel | undefined;
}

const isLost = (error: unknown) =>
  error instanceof HaClientError && error.code === 'CONNECTION_LOST';

/**
 * The consumer side of the client: subscriptions that outlive connections (re-sent with the
 * same id and headers on every new one), delivery through a per-subscription dispatcher, and
 * ACK/NACK that only ever go to the connection that delivered the message.
 */
export class Subscriptions {
  readonly #entries = new Map<string, Entry>();
  readonly #pending = new Map<SubscriptionRecord, Pending>();
  /** For iterators: the delivery behind each message handed out. */
  readonly #deliveries = new WeakMap<ReceivedMessage, [SubscriptionRecord, Delivery]>();
  #next = 1;

  constructor(
    private readonly current: () => CurrentSession,
    private readonly idHeader: string,
    private readonly clientId: string | undefined,
    private readonly logger: Logger,
    private readonly report: (error: HaClientError) => void,
  ) {}

  /**
   * Registers a subscription; resolves on the first SUBSCRIBE receipt, here or in the restore
   * after a reconnect (a second SUBSCRIBE with the same id on one connection would be an error).
   * Without a handler the subscription is a `MessageStream` to iterate.
   */
  async add(
    destination: string,
    handler: MessageHandler | undefined,
    options: SubscribeOptions,
    pull?: (channel: MessageChannel) => void,
  ): Promise<MessageStream> {
    const channel = handler ? undefined : new MessageChannel((m) => this.#taken(m));
    const record = createRecord(
      `sub-${this.#next++}`,
      destination,
      handler ?? channel!.handler,
      options,
      this.clientId,
      pull !== undefined,
    );
    if (pull && channel) pull(channel);
    const entry: Entry = {
      record,
      channel,
      dispatcher: new Dispatcher(record.handler, record.concurrency, record.dedupe, {
        handOver: (d) => {
          if (record.ack === 'auto' && !channel) this.#ackDelivery(record, d, 'ACK');
        },
        duplicate: (d) => {
          this.logger.debug({ id: d.message.id, destination }, 'duplicate dropped');
          this.#ackDelivery(record, d, 'ACK');
        },
        failed: (error) => {
          if (error !== NOT_TAKEN) this.#handlerFailed(record, error);
        },
      }),
    };
    this.#entries.set(record.id, entry);
    const confirmed = new Promise<void>((resolve, reject) => {
      this.#pending.set(record, { resolve, reject });
    });
    const { session } = this.current();
    if (session?.alive) this.#subscribeOn(session, record);
    try {
      await bounded(confirmed, record.timeoutMs, options.signal, `subscribe ${destination}`);
    } catch (error) {
      this.#pending.delete(record);
      await this.#remove(entry, {}, 1000).catch(() => {});
      throw error;
    }
    const dispatcher = entry.dispatcher;
    const subscription: MessageStream = {
      id: record.id,
      destination,
      get buffered() {
        return dispatcher.buffered;
      },
      unsubscribe: (o) => this.#remove(entry, o ?? {}, 0),
      [Symbol.asyncIterator]: () => {
        if (!channel) {
          throw new HaClientError(
            'INVALID_OPTION',
            'this subscription has a handler; subscribe without one to iterate it',
          );
        }
        return {
          next: () => channel.next(),
          return: async () => {
            await subscription.unsubscribe();
            return { done: true, value: undefined };
          },
        };
      },
    };
    return subscription;
  }

  /** A new connection is up: subscribe everything again, same ids and headers. */
  restore(session: Session): void {
    for (const { record } of this.#entries.values()) {
      if (record.active) this.#subscribeOn(session, record);
    }
  }

  deliver(generation: number, frame: MessageFrame): void {
    const entry = this.#entries.get(frame.headers.subscription ?? '');
    // Not handed over, not acknowledged: the broker delivers it again after the UNSUBSCRIBE.
    if (!entry?.record.active) return;
    const { record } = entry;
    const log: SettleLog = { command: undefined };
    const ackId = frame.headers.ack;
    const delivery: Delivery = {
      generation,
      ackId,
      log,
      message: toReceivedMessage(
        frame,
        this.idHeader,
        (command) => this.#settle(record, delivery, command),
        log,
      ),
    };
    if (frame.oversize) {
      this.report(
        new HaClientError(
          'FRAME_TOO_LARGE',
          `message ${frame.headers['message-id'] ?? '?'} on ${record.destination} not handed over: ${frame.oversize} (frameLimits); NACKed, so ActiveMQ moves it to its DLQ`,
        ),
      );
      this.#ackDelivery(record, delivery, 'NACK');
      return;
    }
    if (entry.channel) this.#deliveries.set(delivery.message, [record, delivery]);
    entry.dispatcher.push(delivery);
  }

  /** The connection `generation` died: its buffered, unacknowledged deliveries go. */
  connectionLost(generation: number): void {
    for (const { dispatcher } of this.#entries.values()) dispatcher.dropGeneration(generation);
  }

  /** For close(): unsubscribe everything on `session`, within `timeoutMs`. */
  async removeAll(timeoutMs: number): Promise<void> {
    await Promise.all(
      [...this.#entries.values()].map((e) => this.#remove(e, {}, timeoutMs).catch(() => {})),
    );
  }

  failPending(error: Error): void {
    for (const p of this.#pending.values()) p.reject(error);
    this.#pending.clear();
  }

  #subscribeOn(session: Session, record: SubscriptionRecord): void {
    session.request('SUBSCRIBE', record.subscribeHeaders).then(
      () => {
        this.#pending.get(record)?.resolve();
        this.#pending.delete(record);
      },
      (error: unknown) => {
        if (isLost(error)) return;
        const pending = this.#pending.get(record);
        this.#pending.delete(record);
        const err = error instanceof Error ? error : new Error(String(error));
        if (pending) pending.reject(err);
        else if (err instanceof HaClientError) this.report(err);
      },
    );
  }

  /** ACK/NACK `d` on the connection that delivered it, if that one is still up. */
  #ackDelivery(record: SubscriptionRecord, d: Delivery, command: 'ACK' | 'NACK'): void {
    const now = this.current();
    if (d.generation !== now.generation || !now.session?.alive || d.ackId === undefined) {
      // The delivering connection is gone and the broker redelivers the message; an ACK on the
      // new connection would be answered with "Unexpected ACK".
      this.logger.debug(
        { command, id: d.message.id, destination: record.destination },
        'settle skipped: message came on a connection that has since died',
      );
      return;
    }
    now.session.fire(command, { id: d.ackId });
  }

  /** An iterator took a message: in auto mode that is the moment it is acknowledged. */
  #taken(message: ReceivedMessage): void {
    const found = this.#deliveries.get(message);
    if (found && found[0].ack === 'auto') this.#ackDelivery(found[0], found[1], 'ACK');
  }

  async #settle(record: SubscriptionRecord, d: Delivery, command: 'ACK' | 'NACK'): Promise<void> {
    if (record.ack === 'auto') return;
    // Handled is handled, whichever connection is up now: a redelivery must not run it again.
    if (command === 'ACK') record.dedupe?.add(d.message.id);
    const now = this.current();
    if (d.generation !== now.generation || !now.session?.alive || d.ackId === undefined) {
      this.logger.debug(
        { command, id: d.message.id, destination: record.destination },
        'settle skipped: message came on a connection that has since died',
      );
      return;
    }
    if (command === 'ACK') {
      // No receipt, as ActiveMQ's JMS client acknowledges (sendAcksAsync): an ACK that asks for a
      // receipt is a MessageAck with responseRequired, which KahaDB writes with a disk sync
      // (KahaDBStore.removeMessage) — one fsync per message, ~60 msg/s for a one-at-a-time
      // consumer. Without it the broker batches the removals. Should the ACK not arrive (the
      // connection dies first), the broker redelivers the message; dedupe already recorded it.
      now.session.fire('ACK', { id: d.ackId });
      return;
    }
    try {
      // A NACK moves the message to the DLQ (or into a redelivery delay): worth a confirmation.
      await now.session.request(command, { id: d.ackId });
    } catch (error) {
      if (!isLost(error)) throw error;
    }
  }

  /**
   * Ends a subscription: no more hand-overs (what is buffered stays unacknowledged, so the
   * broker keeps it), waits for handler calls under way (`timeoutMs` 0: for ever), then
   * UNSUBSCRIBEs — and with `durable`, removes the durable subscription too.
   */
  async #remove(entry: Entry, options: UnsubscribeOptions, timeoutMs: number): Promise<void> {
    const { record } = entry;
    const wasActive = record.active;
    record.active = false;
    entry.dispatcher.stop();
    entry.channel?.end();
    if (!wasActive && !options.durable) return;
    await bounded(entry.dispatcher.idle(), timeoutMs, undefined, 'unsubscribe').catch(() => {});
    const { session } = this.current();
    this.#entries.delete(record.id);
    if (options.durable && !record.durable) {
      throw new HaClientError(
        'INVALID_OPTION',
        `${record.destination}: not a durable subscription`,
      );
    }
    if (!session?.alive) {
      if (options.durable) {
        throw new HaClientError(
          'CONNECTION_LOST',
          `unsubscribe ${record.destination}: not connected, so the durable subscription ${record.durable} stays on the broker; call again once connected`,
        );
      }
      return;
    }
    try {
      if (wasActive) {
        await bounded(
          session.request('UNSUBSCRIBE', { id: record.id }),
          timeoutMs,
          undefined,
          'unsubscribe',
        );
      }
      if (options.durable && record.durable) {
        // ActiveMQ's UNSUBSCRIBE with a subscription name removes the durable subscription only
        // (ProtocolConverter.onStompUnsubscribe), and refuses while a consumer is on it: the
        // plain UNSUBSCRIBE above goes first.
        await session.request('UNSUBSCRIBE', {
          id: record.id,
          'activemq.subscriptionName': record.durable,
        });
      }
    } catch (error) {
      if (!isLost(error)) throw error;
    }
  }

  #handlerFailed(record: SubscriptionRecord, error: unknown): void {
    this.report(
      new HaClientError(
        'HANDLER_FAILED',
        `handler for ${record.destination} failed: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      ),
    );
  }
}

/** `p`, or a TIMEOUT after `ms` (0: none), or ABORTED when `signal` fires. */
export function bounded<T>(
  p: Promise<T>,
  ms: number,
  signal: AbortSignal | undefined,
  what: string,
): Promise<T> {
  if (ms <= 0 && !signal) return p;
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) return reject(abortedError(what, signal));
    const timer =
      ms > 0
        ? setTimeout(
            () => reject(new HaClientError('TIMEOUT', `${what}: not confirmed within ${ms} ms`)),
            ms,
          )
        : undefined;
    const onAbort = () => reject(abortedError(what, signal!));
    signal?.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    });
  });
}
