import { isIP } from 'node:net';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import stompit from 'stompit';
import { BrokerError, HaClientError } from './errors.js';
import { formatServer, type ServerAddress } from './server-address.js';

export type FrameHeaders = Record<string, string>;

/** A MESSAGE frame read in full. */
export interface MessageFrame {
  readonly headers: Readonly<FrameHeaders>;
  readonly body: Buffer;
}

export interface SessionOptions {
  readonly server: ServerAddress;
  readonly login?: string;
  readonly passcode?: string;
  /** STOMP `host` header (virtual host). */
  readonly vhost: string;
  /** Heart-beat interval asked for in both directions, ms (> 0). */
  readonly heartBeatMs: number;
  /** Covers TCP/TLS connect and the CONNECT/CONNECTED exchange. */
  readonly connectTimeoutMs: number;
  readonly tls?: TlsOptions;
}

export interface SessionHandlers {
  message(frame: MessageFrame): void;
  /** Called once when the connection ends; `error` is undefined after a clean DISCONNECT. */
  closed(error: HaClientError | undefined): void;
}

// The slice of stompit's untyped internals this file relies on (verified against stompit 1.0.0).
interface IncomingFrame extends NodeJS.ReadableStream {
  readonly command: string;
  readonly headers: FrameHeaders;
}
type CommandHandler = (frame: IncomingFrame, beforeSendResponse: () => void) => void;
interface WireClient {
  headers?: FrameHeaders;
  on(event: 'error', listener: (error: Error) => void): void;
  on(event: 'end', listener: () => void): void;
  sendFrame(command: string, headers: FrameHeaders): NodeJS.WritableStream;
  setCommandHandler(command: string, handler: CommandHandler): void;
  destroy(error?: Error): void;
}
interface StompitError extends Error {
  isApplicationError?: () => boolean;
  longMessage?: string;
}

interface PendingReceipt {
  resolve(): void;
  reject(error: Error): void;
}

const AUTH_REFUSED = /password|user ?name|credential|authenticat|not authori[sz]ed|security/i;

/**
 * One STOMP 1.2 connection, on stompit's low-level client (framing, CONNECT, heart-beat
 * timers). RECEIPT, MESSAGE and ERROR frames are handled here rather than by stompit, so that
 * every receipt-bearing command gets a promise and an ERROR that names a receipt fails only its
 * own command (ActiveMQ keeps the connection open after such an ERROR; stompit would drop it).
 */
export class StompSession {
  readonly server: ServerAddress;
  /** [we send every, we expect the broker within] in ms. */
  readonly heartBeat: readonly [number, number];
  readonly #client: WireClient;
  readonly #handlers: SessionHandlers;
  readonly #receipts = new Map<string, PendingReceipt>();
  #nextReceipt = 1;
  #alive = true;

  private constructor(
    server: ServerAddress,
    client: WireClient,
    heartBeat: readonly [number, number],
    handlers: SessionHandlers,
  ) {
    this.server = server;
    this.#client = client;
    this.heartBeat = heartBeat;
    this.#handlers = handlers;
    client.setCommandHandler('RECEIPT', (frame) => this.#onReceipt(frame));
    client.setCommandHandler('MESSAGE', (frame) => this.#onMessage(frame));
    client.setCommandHandler('ERROR', (frame) => this.#onError(frame));
    client.on('error', (error) =>
      this.#end(error instanceof HaClientError ? error : lost(server, error)),
    );
    client.on('end', () => this.#end(undefined));
  }

  /** Dials, sends CONNECT and resolves on CONNECTED. */
  static open(options: SessionOptions, handlers: SessionHandlers): Promise<StompSession> {
    const { server, heartBeatMs } = options;
    return new Promise((resolve, reject) => {
      let settled = false;
      const connectHeaders: FrameHeaders = { host: options.vhost, 'accept-version': '1.2' };
      if (options.login !== undefined) connectHeaders.login = options.login;
      if (options.passcode !== undefined) connectHeaders.passcode = options.passcode;
      const client = stompit.connect(
        {
          host: server.host,
          port: server.port,
          ...(server.tls
            ? {
                ssl: true as const,
                ...(isIP(server.host) ? {} : { servername: server.host }),
                ...options.tls,
              }
            : {}),
          // Our own timer below covers the handshake too; stompit's covers only the TCP part.
          timeout: 0,
          connectHeaders,
          heartbeat: [heartBeatMs, heartBeatMs],
          // ActiveMQ's read check is strict (no grace): send at half the interval it expects.
          heartbeatOutputMargin: Math.ceil(heartBeatMs / 2),
          // The broker's write check can leave up to two intervals between its frames.
          heartbeatDelayMargin: heartBeatMs,
        } as stompit.connect.ConnectOptions,
        (error: Error | null) => {
          clearTimeout(timer);
          if (settled) return;
          settled = true;
          if (error) {
            reject(connectFailure(server, error));
            return;
          }
          const wire = client as unknown as WireClient;
          resolve(new StompSession(server, wire, negotiated(heartBeatMs, wire.headers), handlers));
        },
      ) as unknown as WireClient;
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        reject(
          new HaClientError(
            'CONNECT_TIMEOUT',
            `${formatServer(server)}: no CONNECTED frame within ${options.connectTimeoutMs} ms`,
          ),
        );
        client.destroy(new Error('connect timed out'));
      }, options.connectTimeoutMs);
      // stompit emits 'error' after the connect callback; swallow it once we have settled.
      client.on('error', () => {});
    });
  }

  get alive(): boolean {
    return this.#alive;
  }

  /** Sends a command with a `receipt` header; resolves on the broker's RECEIPT. */
  request(command: string, headers: FrameHeaders, body?: Buffer | string): Promise<void> {
    if (!this.#alive) return Promise.reject(lost(this.server, undefined));
    const id = `r${this.#nextReceipt++}`;
    return new Promise((resolve, reject) => {
      this.#receipts.set(id, { resolve, reject });
      this.#write(command, { ...headers, receipt: id }, body);
    });
  }

  /** Sends a command without waiting for anything (no receipt). */
  fire(command: string, headers: FrameHeaders, body?: Buffer | string): boolean {
    if (!this.#alive) return false;
    this.#write(command, headers, body);
    return true;
  }

  /** DISCONNECT with a receipt, then closes; gives up after `timeoutMs`. */
  async disconnect(timeoutMs: number): Promise<void> {
    if (!this.#alive) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.request('DISCONNECT', {}),
        new Promise((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
        }),
      ]);
    } catch {
      // The connection is going away either way.
    } finally {
      clearTimeout(timer);
      this.destroy();
    }
  }

  destroy(error?: HaClientError): void {
    if (!this.#alive) return;
    this.#client.destroy(error);
    this.#end(error);
  }

  #write(command: string, headers: FrameHeaders, body?: Buffer | string): void {
    const frame = this.#client.sendFrame(command, headers);
    if (body === undefined) frame.end();
    else frame.end(body);
  }

  #end(error: HaClientError | undefined): void {
    if (!this.#alive) return;
    this.#alive = false;
    // Whatever ended the connection, its unanswered commands share one fate: connection lost.
    const reason = lost(this.server, error);
    for (const r of this.#receipts.values()) r.reject(reason);
    this.#receipts.clear();
    this.#handlers.closed(error);
  }

  #onReceipt(frame: IncomingFrame): void {
    frame.resume();
    const id = frame.headers['receipt-id'];
    const pending = id === undefined ? undefined : this.#receipts.get(id);
    if (id !== undefined) this.#receipts.delete(id);
    pending?.resolve();
  }

  #onMessage(frame: IncomingFrame): void {
    const chunks: Buffer[] = [];
    frame.on('data', (chunk: Buffer) => chunks.push(chunk));
    frame.on('end', () => {
      if (this.#alive)
        this.#handlers.message({ headers: frame.headers, body: Buffer.concat(chunks) });
    });
  }

  #onError(frame: IncomingFrame): void {
    const chunks: Buffer[] = [];
    frame.on('data', (chunk: Buffer) => chunks.push(chunk));
    frame.on('end', () => {
      const message = frame.headers.message ?? 'broker sent an ERROR frame';
      const details = firstLine(Buffer.concat(chunks).toString('utf8'));
      const error = new BrokerError(message, details !== message ? details : undefined);
      const id = frame.headers['receipt-id'];
      const pending = id === undefined ? undefined : this.#receipts.get(id);
      if (id !== undefined && pending) {
        // ActiveMQ answers a failed command with an ERROR naming its receipt and keeps serving.
        this.#receipts.delete(id);
        pending.reject(error);
        return;
      }
      this.destroy(error);
    });
  }
}

function negotiated(heartBeatMs: number, headers: FrameHeaders | undefined): [number, number] {
  // CONNECTED heart-beat is "sx,sy": the broker sends every sx, expects us every sy.
  const [sx, sy] = (headers?.['heart-beat'] ?? '0,0').split(',').map((v) => Number(v.trim()));
  const send = !sy ? 0 : Math.max(sy, heartBeatMs) - Math.ceil(heartBeatMs / 2);
  const receive = !sx ? 0 : Math.max(sx, heartBeatMs) + heartBeatMs;
  return [send, receive];
}

function connectFailure(server: ServerAddress, error: Error): HaClientError {
  const e = error as StompitError;
  if (e.isApplicationError?.()) {
    const details = e.longMessage ? firstLine(e.longMessage) : undefined;
    const refused = AUTH_REFUSED.test(`${e.message} ${details ?? ''}`);
    const err = new BrokerError(
      `${formatServer(server)} refused CONNECT: ${e.message}`,
      details,
      refused ? 'AUTHENTICATION_FAILED' : 'BROKER_ERROR',
    );
    return err;
  }
  return lost(server, error);
}

function lost(server: ServerAddress, cause: Error | undefined): HaClientError {
  if (cause instanceof HaClientError && cause.code === 'CONNECTION_LOST') return cause;
  return new HaClientError(
    'CONNECTION_LOST',
    `${formatServer(server)}: ${cause?.message ?? 'connection closed'}`,
    cause ? { cause } : undefined,
  );
}

function firstLine(text: string): string {
  return text.trim().split('\n', 1)[0] ?? '';
}
