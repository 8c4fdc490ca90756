import { randomUUID } from 'node:crypto';
import { type PropertyMap, plainValue } from '@activemq-ha/openwire';
import {
  abortedError,
  BrokerError,
  HaClientError,
  invalidOption,
  SendRejectedError,
} from './errors.js';
import type { FrameLimits } from './options.js';
import { Outbox } from './outbox.js';
import type { FrameHeaders, SendExtras, Session } from './session.js';

/**
 * A string is a JMS TextMessage, bytes a BytesMessage; a Map (OpenWire servers only) a
 * MapMessage, its values typed as properties are (`number` an int, `bigint` a long, `JavaShort`…).
 */
export type MessageBody = Buffer | Uint8Array | string | PropertyMap;
export type SendHeaders = Readonly<Record<string, string | number | boolean>>;

export interface SendOptions {
  /**
   * Gives up on the send: a send still waiting in the outbox is never written; one already
   * written rejects with `ABORTED` but may still reach the broker.
   */
  readonly signal?: AbortSignal;
  /**
   * JMS properties with Java types (`number` an int, `bigint` a long, `JavaShort`, `JavaFloat`…
   * from @activemq-ha/openwire). OpenWire carries the types; STOMP gets them as string headers.
   */
  readonly properties?: PropertyMap;
}

/** What a confirmed send resolves to. */
export interface SendResult {
  /** The stable id header value the message carried (same on every resend). */
  readonly messageId: string;
}

interface PendingSend {
  readonly messageId: string;
  readonly headers: FrameHeaders;
  readonly body: Buffer | string;
  readonly extras: SendExtras | undefined;
  readonly resolve: (result: SendResult) => void;
  readonly reject: (error: Error) => void;
  timer: NodeJS.Timeout | undefined;
  done: boolean;
  writes: number;
  /** Connections that died while this send was in flight on them. */
  deaths: number;
  /** In flight when the broker closed a connection on a send: written alone until confirmed. */
  suspect: boolean;
  unlisten?: () => void;
}

export interface SenderOptions {
  readonly outboxSize: number;
  readonly outboxOverflow: 'reject' | 'wait';
  readonly sendTimeoutMs: number;
  readonly messageIdHeader: string;
  readonly frameLimits: Required<FrameLimits>;
  readonly maxSendAttempts: number;
}

/**
 * The producer side of the client: builds SEND frames, keeps them in the outbox until their
 * RECEIPT, writes them on whichever connection is current and again on the next one if that
 * connection dies first (at-least-once, same id header, same bytes).
 */
export class Sender {
  readonly #o: SenderOptions;
  readonly #outbox: Outbox<PendingSend>;
  readonly #current: () => Session | undefined;
  #drainWaiters: (() => void)[] = [];
  /** Set by `failAll`: the client has stopped, so nothing is accepted any more. */
  #stopped: HaClientError | undefined;

  /** `current` names the connection sends go out on now (undefined while there is none). */
  constructor(options: SenderOptions, current: () => Session | undefined) {
    this.#o = options;
    this.#outbox = new Outbox(options.outboxSize);
    this.#current = current;
  }

  /** Unconfirmed sends (queued + in flight). */
  get pending(): number {
    return this.#outbox.queuedCount + this.#outbox.inflightCount;
  }

  /**
   * Accepts a send and writes it on the current connection, if any. Resolves on the RECEIPT.
   * `sendTimeoutMs` counts from this call, so it covers a wait for outbox room too.
   */
  send(
    destination: string,
    body: MessageBody,
    headers: SendHeaders | undefined,
    options: SendOptions = {},
  ): Promise<SendResult> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(abortedError(`send to ${destination}`, signal));
    const frame = this.prepare(destination, body, headers, options.properties);
    const wait = !this.#outbox.hasRoom() && this.#o.outboxOverflow === 'wait';
    return new Promise<SendResult>((resolve, reject) => {
      const entry: PendingSend = {
        messageId: frame.headers[this.#o.messageIdHeader]!,
        headers: frame.headers,
        body: frame.body,
        extras: sendExtras(options.properties, frame.map),
        resolve,
        reject,
        timer: undefined,
        done: false,
        writes: 0,
        deaths: 0,
        suspect: false,
      };
      if (this.#o.sendTimeoutMs > 0) {
        entry.timer = setTimeout(() => {
          this.#settle(
            entry,
            new HaClientError(
              'SEND_TIMEOUT',
              `send to ${destination} not confirmed within ${this.#o.sendTimeoutMs} ms; it may still reach the broker`,
            ),
          );
        }, this.#o.sendTimeoutMs);
      }
      if (signal) {
        const onAbort = () => this.#settle(entry, abortedError(`send to ${destination}`, signal));
        signal.addEventListener('abort', onAbort, { once: true });
        entry.unlisten = () => signal.removeEventListener('abort', onAbort);
      }
      if (!wait) {
        this.#accept(entry, false);
        return;
      }
      this.#outbox.reserve().then(
        () => {
          if (!entry.done) this.#accept(entry, true);
          else {
            // It timed out while waiting: the slot goes to the next waiter.
            this.#outbox.release();
            this.#checkDrained();
          }
        },
        (error: unknown) =>
          this.#settle(entry, error instanceof Error ? error : new Error(String(error))),
      );
    });
  }

  /**
   * SEND headers and body: queues persistent by default (ActiveMQ's STOMP default is
   * non-persistent), a fresh id unless the caller set one, `content-length` for binary bodies.
   */
  prepare(
    destination: string,
    body: MessageBody,
    headers: SendHeaders | undefined,
    properties?: PropertyMap,
  ): { headers: FrameHeaders; body: Buffer | string; map?: PropertyMap } {
    if (typeof destination !== 'string' || destination.length === 0) {
      throw invalidOption('destination', 'must be a non-empty string');
    }
    const frameHeaders: FrameHeaders = {};
    if (destination.startsWith('/queue/')) frameHeaders.persistent = 'true';
    for (const [k, v] of Object.entries(withProperties(headers, properties) ?? {})) {
      if (k === 'receipt' || k === 'transaction') {
        throw invalidOption(`headers.${k}`, 'is set by the client; leave it out');
      }
      frameHeaders[k] = String(v);
    }
    const given = frameHeaders['content-length'];
    frameHeaders.destination = destination;
    frameHeaders[this.#o.messageIdHeader] ??= randomUUID();
    let bytes: Buffer | string;
    let map: PropertyMap | undefined;
    if (body instanceof Map) {
      // A MapMessage: its entries travel beside the (empty) body, typed (OpenWire only).
      map = body as PropertyMap;
      bytes = '';
    } else if (typeof body === 'string') {
      bytes = body;
      if (body.includes('\0')) frameHeaders['content-length'] = String(Buffer.byteLength(body));
    } else if (body instanceof Uint8Array) {
      bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
      frameHeaders['content-length'] = String(bytes.length);
    } else {
      throw invalidOption('body', 'must be a string, Buffer, Uint8Array or Map');
    }
    if (given !== undefined) {
      // A wrong content-length makes ActiveMQ close the connection (StompWireFormat reads that
      // many bytes and then wants the NUL): refuse it here instead.
      const length = typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length;
      if (given !== String(length)) {
        throw invalidOption(
          'headers.content-length',
          `is ${given} but the body is ${length} bytes; leave it out, the client sets it`,
        );
      }
      frameHeaders['content-length'] = given;
    }
    checkFrame(frameHeaders, bytes, this.#o.frameLimits);
    return map
      ? { headers: frameHeaders, body: bytes, map }
      : { headers: frameHeaders, body: bytes };
  }

  /** Writes every queued send on `session`; returns how many of them are resends. */
  flush(session: Session): number {
    let resent = 0;
    // While a suspect is unconfirmed, sends go one at a time, so that the one the broker closes
    // the connection on is alone in flight when it does (and the others get their receipts).
    const probing = this.#outbox.some((e) => e.suspect);
    if (probing && this.#outbox.inflightCount > 0) return 0;
    for (const entry of probing ? this.#outbox.takeQueued(1) : this.#outbox.takeQueued()) {
      if (entry.done) continue;
      if (entry.writes++ > 0) resent++;
      session.request('SEND', entry.headers, entry.body, entry.extras).then(
        () => this.#settle(entry, undefined),
        (error: unknown) => {
          // A lost connection requeues the entry (see `requeue`); anything else is final.
          if (error instanceof HaClientError && error.code === 'CONNECTION_LOST') return;
          this.#settle(entry, error instanceof Error ? error : new Error(String(error)));
        },
      );
    }
    return resent;
  }

  /**
   * The connection died: its unconfirmed sends go first on the next one — except a send that
   * is poison. `error` is why it died; a `BrokerError` means the broker closed it after an ERROR
   * without `receipt-id`, which ActiveMQ does for a frame it cannot take.
   */
  requeue(error: HaClientError | undefined): number {
    const inflight = this.#outbox.inflight();
    const closedByBroker = error instanceof BrokerError && error.code === 'BROKER_ERROR';
    for (const entry of inflight) {
      entry.deaths++;
      const alone = inflight.length === 1;
      if ((closedByBroker && alone) || entry.deaths >= this.#o.maxSendAttempts) {
        const why =
          closedByBroker && alone
            ? `the broker closed the connection on it (${error.message})`
            : `${entry.deaths} connections died before its receipt (last: ${error?.message ?? 'closed'})`;
        this.#settle(
          entry,
          new SendRejectedError(
            entry.messageId,
            entry.writes,
            `send to ${entry.headers.destination} given up after ${entry.writes} write(s): ${why}; it may have reached the broker`,
            error ? { cause: error } : undefined,
          ),
        );
      } else if (closedByBroker) {
        entry.suspect = true;
      }
    }
    return this.#outbox.requeueInflight();
  }

  /** Resolves when nothing is unconfirmed, or at `deadline` (epoch ms). */
  drain(deadline: number): Promise<void> {
    if (this.#drained) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
      this.#drainWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Ends every `drain()` wait now (close() was aborted). */
  wakeDrain(): void {
    for (const w of this.#drainWaiters.splice(0)) w();
  }

  /** Fails every unconfirmed send and every waiter with `error`. */
  failAll(error: HaClientError): void {
    this.#stopped = error;
    for (const entry of this.#outbox.clear(error)) this.#settle(entry, error);
  }

  /**
   * Puts the entry in the outbox and writes it if a connection is up now: the one current at
   * this moment, not at `send()` time (a send that waited for room may outlive that one).
   */
  #accept(entry: PendingSend, reserved: boolean): void {
    if (this.#stopped) {
      this.#settle(entry, this.#stopped);
      return;
    }
    try {
      this.#outbox.push(entry, reserved);
    } catch (error) {
      this.#settle(entry, error as Error);
      return;
    }
    const session = this.#current();
    if (session?.alive) this.flush(session);
  }

  #settle(entry: PendingSend, error: Error | undefined): void {
    if (entry.done) return;
    entry.done = true;
    clearTimeout(entry.timer);
    entry.unlisten?.();
    const wasSuspect = entry.suspect;
    this.#outbox.settle(entry);
    if (error) entry.reject(error);
    else entry.resolve({ messageId: entry.messageId });
    this.#checkDrained();
    if (wasSuspect) {
      // The next one (suspect or not) may go now.
      const session = this.#current();
      if (session?.alive) this.flush(session);
    }
  }

  /** Nothing unconfirmed, and no send that got room is still on its way into the outbox. */
  get #drained(): boolean {
    return this.#outbox.size === 0;
  }

  #checkDrained(): void {
    if (this.#drained && this.#drainWaiters.length > 0) {
      for (const w of this.#drainWaiters.splice(0)) w();
    }
  }
}

/**
 * What ActiveMQ would refuse by closing the connection (`StompWireFormat`), refused before it
 * is written; STOMP 1.2 escaping (\\, \n, \r, :) is counted in a header line's length.
 */
function checkFrame(
  headers: FrameHeaders,
  body: Buffer | string,
  limits: Required<FrameLimits>,
): void {
  const entries = Object.entries(headers);
  if (entries.length > limits.maxHeaders) {
    throw tooLarge(`${entries.length} headers, over the limit of ${limits.maxHeaders}`);
  }
  for (const [k, v] of entries) {
    if (k.length === 0 || k.includes('\0') || v.includes('\0')) {
      throw invalidOption(
        `headers.${k}`,
        'header names must be non-empty; names and values must not contain NUL',
      );
    }
    const line = escapedLength(k) + 1 + escapedLength(v);
    if (line > limits.maxHeaderLineBytes) {
      throw tooLarge(
        `header ${k.slice(0, 64)} is ${line} bytes, over the limit of ${limits.maxHeaderLineBytes}`,
      );
    }
  }
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  if (size > limits.maxBodyBytes) {
    throw tooLarge(`body of ${size} bytes, over the limit of ${limits.maxBodyBytes}`);
  }
}

function escapedLength(s: string): number {
  let n = Buffer.byteLength(s);
  for (const c of s) if (c === '\\' || c === '\n' || c === '\r' || c === ':') n++;
  return n;
}

function tooLarge(what: string): HaClientError {
  return new HaClientError(
    'FRAME_TOO_LARGE',
    `send refused before writing: ${what} (frameLimits; ActiveMQ would close the connection on it)`,
  );
}

/** What a SEND carries beside headers and body, if anything. */
export function sendExtras(
  properties: PropertyMap | undefined,
  map: PropertyMap | undefined,
): SendExtras | undefined {
  if (!properties && !map) return undefined;
  return { ...(properties ? { properties } : {}), ...(map ? { map } : {}) };
}

/** Typed properties also as string headers: what STOMP carries of them (OpenWire keeps types). */
function withProperties(
  headers: SendHeaders | undefined,
  properties: PropertyMap | undefined,
): SendHeaders | undefined {
  if (!properties) return headers;
  const all: Record<string, string | number | boolean> = { ...headers };
  for (const [k, v] of properties) {
    const plain = plainValue(v);
    if (typeof plain === 'object' || plain === undefined) {
      throw invalidOption(
        `properties.${k}`,
        'must be a scalar (null, byte[], Map and List properties are not supported)',
      );
    }
    all[k] = String(plain);
  }
  return all;
}
