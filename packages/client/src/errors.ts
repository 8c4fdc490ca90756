/**
 * Stable codes callers can branch on. Messages say what went wrong and how to fix it; `cause`
 * carries the underlying socket/broker/API error where there is one.
 */
export type HaClientErrorCode =
  /** An option or argument is out of range, unknown or malformed. */
  | 'INVALID_OPTION'
  /** A failover URI or server URI could not be parsed. */
  | 'INVALID_URI'
  /** The outbox already holds `outboxSize` unconfirmed sends and `outboxOverflow` is `'reject'`. */
  | 'OUTBOX_FULL'
  /** A send was not confirmed within `sendTimeoutMs`; it may still reach the broker. */
  | 'SEND_TIMEOUT'
  /** The broker answered a command with an ERROR frame (e.g. not authorised for a destination). */
  | 'BROKER_ERROR'
  /** The broker refused the credentials; the client stops instead of retrying in a loop. */
  | 'AUTHENTICATION_FAILED'
  /** The TCP/TLS connection or the STOMP handshake did not complete within `connectTimeoutMs`. */
  | 'CONNECT_TIMEOUT'
  /** The connection failed or dropped (socket error, heart-beat timeout, broker gone). */
  | 'CONNECTION_LOST'
  /**
   * TLS (`stomp+ssl://`, `ssl://`) failed: the server's certificate did not verify against the
   * `tls` options (unknown CA, wrong host name, expired) or the handshake failed (e.g. a plain
   * port). Reported once per outage and retried like an unreachable broker, since a server's
   * certificate may be replaced; `cause` is Node's TLS error (its `code` says which check).
   */
  | 'TLS_FAILED'
  /** The client was closed; the operation was not (or not fully) performed. */
  | 'CLOSED'
  /** `close()` gave up waiting for outstanding receipts. */
  | 'DRAIN_TIMEOUT'
  /** A transaction was open when its connection died: the broker rolled it back. */
  | 'TRANSACTION_IN_DOUBT'
  /**
   * A subscription handler threw or rejected. With `ack: 'auto'` the broker already counts the
   * message as consumed (it is not redelivered). With `'client-individual'` a message the handler
   * did not `ack()` stays unacknowledged on that connection (holding a prefetch slot) until the
   * connection ends, when the broker redelivers it.
   */
  | 'HANDLER_FAILED'
  /** Service discovery could not read the Kubernetes API (the last known endpoint is kept). */
  | 'DISCOVERY_FAILED'
  /**
   * A frame is over a configured limit (`frameLimits`): an outgoing one is refused before it is
   * written; an incoming MESSAGE is not handed to the handler and is NACKed (ActiveMQ moves it
   * to the DLQ, or redelivers it under a redelivery policy).
   */
  | 'FRAME_TOO_LARGE'
  /**
   * A send the broker answered by closing the connection (an ERROR without `receipt-id`), or
   * that was in flight on `maxSendAttempts` consecutive connection deaths: it is given up so
   * that it cannot block the sends behind it.
   */
  | 'SEND_REJECTED'
  /** Another connection uses the CONNECT `client-id` (ActiveMQ's InvalidClientIDException). */
  | 'CLIENT_ID_IN_USE'
  /** A subscribe, begin or commit was not confirmed within its timeout. */
  | 'TIMEOUT'
  /** The caller's `AbortSignal` fired before the operation completed. */
  | 'ABORTED';

export class HaClientError extends Error {
  override readonly name: string = 'HaClientError';
  constructor(
    readonly code: HaClientErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** An option or argument is invalid; `field` names it (dotted path). */
export class InvalidOptionError extends HaClientError {
  override readonly name = 'InvalidOptionError';
  constructor(
    readonly field: string,
    problem: string,
    code: 'INVALID_OPTION' | 'INVALID_URI' = 'INVALID_OPTION',
  ) {
    super(code, `${field}: ${problem}`);
  }
}

/** The broker answered with an ERROR frame; `brokerMessage` is its `message` header. */
export class BrokerError extends HaClientError {
  override readonly name = 'BrokerError';
  constructor(
    readonly brokerMessage: string,
    readonly details: string | undefined,
    code: 'BROKER_ERROR' | 'AUTHENTICATION_FAILED' | 'CLIENT_ID_IN_USE' = 'BROKER_ERROR',
  ) {
    super(code, details ? `${brokerMessage}: ${details}` : brokerMessage);
  }
}

/** A transaction that was open when the connection died; the broker has rolled it back. */
export class TransactionInDoubtError extends HaClientError {
  override readonly name = 'TransactionInDoubtError';
  constructor(
    readonly transactionId: string,
    options?: ErrorOptions,
  ) {
    super(
      'TRANSACTION_IN_DOUBT',
      `transaction ${transactionId} was open when the connection died; the broker rolled it back, nothing of it was replayed: redo the work in a new transaction`,
      options,
    );
  }
}

export function invalidOption(field: string, problem: string): InvalidOptionError {
  return new InvalidOptionError(field, problem);
}

export function invalidUri(field: string, problem: string): InvalidOptionError {
  return new InvalidOptionError(field, problem, 'INVALID_URI');
}

export function closedError(what: string): HaClientError {
  return new HaClientError('CLOSED', `${what}: the client is closed`);
}

/** A send given up as poison (see `SEND_REJECTED`); `attempts` counts the writes it got. */
export class SendRejectedError extends HaClientError {
  override readonly name = 'SendRejectedError';
  constructor(
    readonly messageId: string,
    readonly attempts: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super('SEND_REJECTED', message, options);
  }
}

export function abortedError(what: string, signal: AbortSignal): HaClientError {
  return new HaClientError('ABORTED', `${what}: aborted`, { cause: signal.reason });
}
