import { HaClientError } from './errors.js';
import type { Logger } from './logger.js';
import type { MessageFrame, StompSession } from './stomp-session.js';
import {
  createRecord,
  type MessageHandler,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionRecord,
  toReceivedMessage,
} from './subscription.js';

/** The connection the registry talks to, as the client sees it right now. */
export interface CurrentSession {
  readonly session: StompSession | undefined;
  /** Increases with every new connection; a message remembers the one it came on. */
  readonly generation: number;
}

interface Pending {
  resolve(): void;
  reject(error: Error): void;
}

const isLost = (error: unknown) =>
  error instanceof HaClientError && error.code === 'CONNECTION_LOST';

/**
 * The consumer side of the client: subscriptions that outlive connections (re-sent with the
 * same id and headers on every new one), delivery to handlers, and ACK/NACK that only ever go
 * to the connection that delivered the message.
 */
export class Subscriptions {
  readonly #records = new Map<string, SubscriptionRecord>();
  readonly #pending = new Map<SubscriptionRecord, Pending>();
  #next = 1;

  constructor(
    private readonly current: () => CurrentSession,
    private readonly idHeader: string,
    private readonly logger: Logger,
    private readonly report: (error: HaClientError) => void,
  ) {}

  /**
   * Registers a subscription; resolves on the first SUBSCRIBE receipt, here or in the restore
   * after a reconnect (a second SUBSCRIBE with the same id on one connection would be an error).
   */
  async add(
    destination: string,
    handler: MessageHandler,
    options: SubscribeOptions,
  ): Promise<Subscription> {
    const record = createRecord(`sub-${this.#next++}`, destination, handler, options);
    this.#records.set(record.id, record);
    const confirmed = new Promise<void>((resolve, reject) => {
      this.#pending.set(record, { resolve, reject });
    });
    const { session } = this.current();
    if (session?.alive) this.#subscribeOn(session, record);
    try {
      await confirmed;
    } catch (error) {
      this.#records.delete(record.id);
      record.active = false;
      throw error;
    }
    return { id: record.id, destination, unsubscribe: () => this.#unsubscribe(record) };
  }

  /** A new connection is up: subscribe everything again, same ids and headers. */
  restore(session: StompSession): void {
    for (const record of this.#records.values()) {
      if (record.active) this.#subscribeOn(session, record);
    }
  }

  deliver(generation: number, frame: MessageFrame): void {
    const record = this.#records.get(frame.headers.subscription ?? '');
    if (!record?.active) return;
    const message = toReceivedMessage(frame, this.idHeader, (command) =>
      this.#settle(generation, record, frame, command),
    );
    if (record.dedupe?.has(message.id)) {
      this.logger.debug({ id: message.id, destination: record.destination }, 'duplicate dropped');
      message.ack().catch((error: unknown) => this.#handlerFailed(record, error));
      return;
    }
    // auto: the broker never redelivers, and marking before the (maybe async) handler runs keeps
    // a duplicate that arrives meanwhile away from it. client-individual marks on ack().
    if (record.ack === 'auto') record.dedupe?.add(message.id);
    let result: void | Promise<void>;
    try {
      result = record.handler(message);
    } catch (error) {
      this.#handlerFailed(record, error);
      return;
    }
    if (result && typeof result.then === 'function') {
      result.then(undefined, (error: unknown) => this.#handlerFailed(record, error));
    }
  }

  /** For close(): UNSUBSCRIBE everything on `session`, each bounded by `timeoutMs`. */
  async removeAll(session: StompSession | undefined, timeoutMs: number): Promise<void> {
    const records = [...this.#records.values()];
    this.#records.clear();
    await Promise.all(
      records.map((r) => {
        r.active = false;
        if (!session?.alive) return undefined;
        return withTimeout(session.request('UNSUBSCRIBE', { id: r.id }), timeoutMs).catch(() => {});
      }),
    );
  }

  failPending(error: Error): void {
    for (const p of this.#pending.values()) p.reject(error);
    this.#pending.clear();
  }

  #subscribeOn(session: StompSession, record: SubscriptionRecord): void {
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

  async #settle(
    generation: number,
    record: SubscriptionRecord,
    frame: MessageFrame,
    command: 'ACK' | 'NACK',
  ): Promise<void> {
    if (record.ack === 'auto') return;
    const ackId = frame.headers.ack;
    const now = this.current();
    if (generation !== now.generation || !now.session?.alive || ackId === undefined) {
      // The delivering connection is gone and the broker redelivers the message; an ACK on the
      // new connection would be answered with "Unexpected ACK".
      this.logger.debug(
        { command, messageId: frame.headers['message-id'] },
        'settle skipped: message came on a connection that has since died',
      );
      return;
    }
    if (command === 'ACK') {
      const id = frame.headers[this.idHeader] ?? frame.headers['message-id'];
      if (id !== undefined) record.dedupe?.add(id);
    }
    try {
      await now.session.request(command, { id: ackId });
    } catch (error) {
      if (!isLost(error)) throw error;
    }
  }

  async #unsubscribe(record: SubscriptionRecord): Promise<void> {
    if (!record.active) return;
    record.active = false;
    const { session } = this.current();
    try {
      if (session?.alive) await session.request('UNSUBSCRIBE', { id: record.id });
    } catch (error) {
      if (!isLost(error)) throw error;
    } finally {
      this.#records.delete(record.id);
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

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
