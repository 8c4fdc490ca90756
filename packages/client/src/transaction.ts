import { HaClientError, TransactionInDoubtError } from './errors.js';
import type { FrameHeaders, StompSession } from './stomp-session.js';

/**
 * A STOMP transaction, bound to the connection it began on. Transactions are never replayed
 * on another connection: if that connection dies first, every pending and later operation
 * rejects with `TransactionInDoubtError` (the broker rolls back what it had).
 */
export interface Transaction {
  readonly id: string;
  /** Sends inside the transaction; resolves on the broker's RECEIPT. */
  send(
    destination: string,
    body: Buffer | string,
    headers?: Readonly<Record<string, string | number | boolean>>,
  ): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export interface TransactionHost {
  /** SEND headers and body as `client.send` would build them. */
  prepareSend(
    destination: string,
    body: Buffer | string,
    headers: Readonly<Record<string, string | number | boolean>> | undefined,
  ): { headers: FrameHeaders; body: Buffer | string };
  /** Called when the transaction ends (committed, aborted or in doubt). */
  ended(tx: TransactionImpl): void;
}

export class TransactionImpl implements Transaction {
  readonly id: string;
  readonly #session: StompSession;
  readonly #host: TransactionHost;
  #state: 'open' | 'committing' | 'done' | 'in-doubt' = 'open';
  #inDoubt: TransactionInDoubtError | undefined;

  constructor(id: string, session: StompSession, host: TransactionHost) {
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

  send(
    destination: string,
    body: Buffer | string,
    headers?: Readonly<Record<string, string | number | boolean>>,
  ): Promise<void> {
    const frame = this.#host.prepareSend(destination, body, headers);
    return this.#request('SEND', { ...frame.headers, transaction: this.id }, frame.body);
  }

  async commit(): Promise<void> {
    await this.#request('COMMIT', { transaction: this.id }, undefined, 'committing');
    this.#finish();
  }

  async abort(): Promise<void> {
    await this.#request('ABORT', { transaction: this.id });
    this.#finish();
  }

  async #request(
    command: string,
    headers: FrameHeaders,
    body?: Buffer | string,
    next?: 'committing',
  ): Promise<void> {
    if (this.#inDoubt) throw this.#inDoubt;
    if (this.#state !== 'open') {
      throw new HaClientError('INVALID_OPTION', `transaction ${this.id} is already ${this.#state}`);
    }
    if (!this.#session.alive) throw this.markInDoubt(undefined);
    if (next) this.#state = next;
    try {
      await this.#session.request(command, headers, body);
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
