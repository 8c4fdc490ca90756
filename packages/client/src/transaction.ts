import type { PropertyMap } from '@activemq-ha/openwire';
import { HaClientError, TransactionInDoubtError } from './errors.js';
import {
  type MessageBody,
  type SendHeaders,
  type SendOptions,
  type SendResult,
  sendExtras,
} from './sender.js';
import type { FrameHeaders, SendExtras, Session, SessionCommand } from './session.js';
import { bounded } from './subscriptions.js';

export interface TransactionOptions {
  /** Limit on waiting for a connection and the broker's RECEIPT, ms; 0 waits for ever. @default 0 */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * A STOMP transaction, bound to the connection it began on. Transactions are never replayed
 * on another connection: if that connection dies first, every pending and later operation
 * rejects with `TransactionInDoubtError` (the broker rolls back what it had).
 */
export interface Transaction {
  readonly id: string;
  /**
   * Sends inside the transaction: the same bodies, headers and options as `client.send` (typed
   * `properties`, `signal`), resolving on the broker's RECEIPT with the same result (the message
   * id). Never re-sent on another connection. A send aborted by its `signal` may still be part
   * of the transaction: abort the transaction to be sure it is not.
   */
  send(
    destination: string,
    body: MessageBody,
    headers?: SendHeaders,
    options?: SendOptions,
  ): Promise<SendResult>;
  /**
   * Commits. A commit that times out (`timeoutMs`) is in doubt as far as the caller knows: the
   * broker may have committed it.
   */
  commit(options?: TransactionOptions): Promise<void>;
  abort(options?: TransactionOptions): Promise<void>;
}

export interface TransactionHost {
  /** SEND headers and body as `client.send` would build them. */
  prepareSend(
    destination: string,
    body: MessageBody,
    headers: SendHeaders | undefined,
    properties: PropertyMap | undefined,
  ): { headers: FrameHeaders; body: Buffer | string; map?: PropertyMap };
  readonly messageIdHeader: string;
  /** Called when the transaction ends (committed, aborted or in doubt). */
  ended(tx: TransactionImpl): void;
}

export class TransactionImpl implements Transaction {
  readonly id: string;
  readonly #session: Session;
  readonly #host: TransactionHost;
  #state: 'open' | 'committing' | 'done' | 'in-doubt' = 'open';
  #inDoubt: TransactionInDoubtError | undefined;

  constructor(id: string, session: Session, host: TransactionHost) {
    this.id = id;
    this.#session = session;
    this.#host = host;
  }

  get open(): boolean {
    return this.#state === 'open' || this.#state === 'committing';
  }

  /** The connection died: no operation of this transaction will ever succeed. */
  markInDoubt(cause: Error | undefined): TransactionInDoubtError {
    if (!this.#inDoubt) {
      this.#inDoubt = new TransactionInDoubtError(this.id, cause ? { cause } : undefined);
      this.#state = 'in-doubt';
      this.#host.ended(this);
    }
    return this.#inDoubt;
  }

  async send(
    destination: string,
    body: MessageBody,
    headers?: SendHeaders,
    options: SendOptions = {},
  ): Promise<SendResult> {
    for (const key of Object.keys(options)) {
      if (key !== 'properties' && key !== 'signal') {
        throw new HaClientError(
          'INVALID_OPTION',
          `send.${key}: unknown option; known: properties, signal`,
        );
      }
    }
    const { properties, signal } = options;
    const frame = this.#host.prepareSend(destination, body, headers, properties);
    await this.#request(
      'SEND',
      { ...frame.headers, transaction: this.id },
      frame.body,
      undefined,
      signal ? { signal } : {},
      sendExtras(properties, frame.map),
    );
    return { messageId: frame.headers[this.#host.messageIdHeader]! };
  }

  async commit(options: TransactionOptions = {}): Promise<void> {
    await this.#request('COMMIT', { transaction: this.id }, undefined, 'committing', options);
    this.#finish();
  }

  async abort(options: TransactionOptions = {}): Promise<void> {
    await this.#request('ABORT', { transaction: this.id }, undefined, undefined, options);
    this.#finish();
  }

  async #request(
    command: SessionCommand,
    headers: FrameHeaders,
    body?: Buffer | string,
    next?: 'committing',
    options: TransactionOptions = {},
    extras?: SendExtras,
  ): Promise<void> {
    if (this.#inDoubt) throw this.#inDoubt;
    if (this.#state !== 'open') {
      throw new HaClientError('INVALID_OPTION', `transaction ${this.id} is already ${this.#state}`);
    }
    if (!this.#session.alive) throw this.markInDoubt(undefined);
    if (next) this.#state = next;
    try {
      await bounded(
        this.#session.request(command, headers, body, extras),
        options.timeoutMs ?? 0,
        options.signal,
        `${command.toLowerCase()} ${this.id}`,
      );
    } catch (error) {
      if (error instanceof HaClientError && error.code === 'CONNECTION_LOST') {
        throw this.markInDoubt(error);
      }
      throw error;
    }
  }

  #finish(): void {
    this.#state = 'done';
    this.#host.ended(this);
  }
}
