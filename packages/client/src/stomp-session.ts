import { isIP } from 'node:net';
import stompit from 'stompit';
import { BrokerError, HaClientError, invalidOption } from './errors.js';
import { formatServer, type ServerAddress } from './server-address.js';
import type {
  FrameHeaders,
  IncomingLimits,
  SendExtras,
  Session,
  SessionCommand,
  SessionHandlers,
  SessionOptions,
} from './session.js';
import { connectFailed, connectionLost, goodbyeWithin } from './session-ending.js';

/**
 * stompit's parser must read a frame to the end to keep its place in the stream, so its own
 * limits are set well above ours: a frame between the two is read, refused and NACKed alone;
 * only a frame beyond the parser's (memory guard) costs the connection.
 */
const PARSER_SLACK = 16;

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
  setCommandHandlers(handlers: Record<string, CommandHandler>): void;
  destroy(error?: Error): void;
}
/** Enough of a Java stack trace to see its "Caused by" lines. */
const ERROR_BODY_LIMIT = 64 * 1024;

interface PendingReceipt {
  resolve(): void;
  reject(error: Error): void;
}

/**
 * ActiveMQ's answer to refused credentials: `SimpleAuthenticationBroker` and
 * `JaasAuthenticationBroker` both throw `SecurityException("User name [<u>] or password is
 * invalid.")`, which `ProtocolConverter.handleException` puts in the ERROR's `message` header
 * (the stack trace, causes included, is the body).
 */
const LOGIN_REFUSED = /^User name \[.*\] or password is invalid/;
/**
 * JAAS wraps *every* login failure in that same message, a login module that cannot reach its
 * backend (LDAP down, a timeout) too: the cause in the body tells the two apart.
 */
const BACKEND_TROUBLE =
  /CommunicationException|ServiceUnavailableException|Error contacting LDAP|ConnectException|SocketTimeoutException|TimeoutException|UnknownHostException/;
/** `RegionBroker.addConnection`: InvalidClientIDException "Broker: b - Client: c already connected from …". */
const CLIENT_ID_IN_USE = /Client: .* already connected from/;

/**
 * One STOMP 1.2 connection, on stompit's low-level client (framing, CONNECT, heart-beat
 * timers). RECEIPT, MESSAGE and ERROR frames are handled here rather than by stompit, so that
 * every receipt-bearing command gets a promise and an ERROR that names a receipt fails only its
 * own command (ActiveMQ keeps the connection open after such an ERROR; stompit would drop it).
 */
export class StompSession implements Session {
  readonly server: ServerAddress;
  /** [we send every, we expect the broker within] in ms. */
  readonly heartBeat: readonly [number, number];
  readonly #client: WireClient;
  readonly #handlers: SessionHandlers;
  readonly #limits: IncomingLimits;
  readonly #receipts = new Map<string, PendingReceipt>();
  #nextReceipt = 1;
  #alive = true;

  private constructor(
    server: ServerAddress,
    client: WireClient,
    heartBeat: readonly [number, number],
    limits: IncomingLimits,
    handlers: SessionHandlers,
  ) {
    this.server = server;
    this.#limits = limits;
    this.#client = client;
    this.heartBeat = heartBeat;
    this.#handlers = handlers;
    client.setCommandHandler('RECEIPT', (frame) => this.#onReceipt(frame));
    client.setCommandHandler('MESSAGE', (frame) => this.#onMessage(frame));
    client.setCommandHandler('ERROR', (frame) => this.#onError(frame));
    client.on('error', (error) =>
      this.#end(error instanceof HaClientError ? error : connectionLost(server, error)),
    );
    client.on('end', () => this.#end(undefined));
  }

  /** Dials, sends CONNECT and resolves on CONNECTED. */
  static open(options: SessionOptions, handlers: SessionHandlers): Promise<Session> {
    const { server, heartBeatMs } = options;
    return new Promise((resolve, reject) => {
      let settled = false;
      const connectHeaders: FrameHeaders = { host: options.vhost, 'accept-version': '1.2' };
      if (options.login !== undefined) connectHeaders.login = options.login;
      if (options.passcode !== undefined) connectHeaders.passcode = options.passcode;
      if (options.clientId !== undefined) connectHeaders['client-id'] = options.clientId;
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
          // stompit's defaults (1024-byte lines, 64 headers) are far below what ActiveMQ sends.
          maxLineLength: options.limits.maxHeaderLineBytes * PARSER_SLACK,
          maxHeaders: options.limits.maxHeaders * PARSER_SLACK,
        } as stompit.connect.ConnectOptions,
        (error: Error | null) => {
          // The socket's end may overtake the ERROR frame's body: that one says more (and the
          // connect timer still bounds the wait for it).
          if (error && sawError) return;
          clearTimeout(timer);
          if (settled) return;
          settled = true;
          if (error) {
            reject(connectFailed(server, error));
            return;
          }
          const wire = client as unknown as WireClient;
          resolve(
            new StompSession(
              server,
              wire,
              negotiated(heartBeatMs, wire.headers),
              options.limits,
              handlers,
            ),
          );
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
      // stompit reads an ERROR's body only with content-type text/plain and a content-length
      // up to 4 KiB; ActiveMQ sends no content-length and a stack trace that is often longer,
      // and the causes in it are what tells refused credentials from a login backend that is
      // down. So the handshake's ERROR is read here.
      let sawError = false;
      const onHandshakeError: CommandHandler = (frame) => {
        sawError = true;
        readBody(frame, ERROR_BODY_LIMIT, (body) => {
          clearTimeout(timer);
          if (settled) return;
          settled = true;
          reject(
            connectFailure(server, frame.headers.message ?? 'broker sent an ERROR frame', body),
          );
          client.destroy();
        });
      };
      // stompit installs its handlers when the socket is up: ours for ERROR goes in with them.
      const install = client.setCommandHandlers.bind(client);
      client.setCommandHandlers = (handlers) => install({ ...handlers, ERROR: onHandshakeError });
    });
  }

  get alive(): boolean {
    return this.#alive;
  }

  /** Sends a command with a `receipt` header; resolves on the broker's RECEIPT. */
  request(
    command: SessionCommand,
    headers: FrameHeaders,
    body?: Buffer | string,
    extras?: SendExtras,
  ): Promise<void> {
    if (extras?.map) {
      // Refused before writing; the send is rejected, nothing is lost on the wire.
      return Promise.reject(
        invalidOption(
          'body',
          `a Map body (JMS MapMessage) needs an OpenWire server (tcp://); ${formatServer(this.server)} speaks STOMP, which carries text and bytes`,
        ),
      );
    }
    if (!this.#alive) return Promise.reject(connectionLost(this.server, undefined));
    const id = `r${this.#nextReceipt++}`;
    return new Promise((resolve, reject) => {
      this.#receipts.set(id, { resolve, reject });
      this.#write(command, { ...headers, receipt: id }, body);
    });
  }

  /** Sends a command without waiting for anything (no receipt). */
  fire(command: SessionCommand, headers: FrameHeaders, body?: Buffer | string): boolean {
    if (!this.#alive) return false;
    this.#write(command, headers, body);
    return true;
  }

  /** DISCONNECT with a receipt, then closes; gives up after `timeoutMs`. */
  async disconnect(timeoutMs: number): Promise<void> {
    if (!this.#alive) return;
    await goodbyeWithin(
      () => this.request('DISCONNECT', {}),
      timeoutMs,
      () => this.destroy(),
    );
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
    const reason = connectionLost(this.server, error);
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
    let bytes = 0;
    let oversize = headersOverLimit(frame.headers, this.#limits);
    frame.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > this.#limits.maxBodyBytes) {
        // Keep reading (the parser needs it) but stop keeping.
        oversize ??= `body over ${this.#limits.maxBodyBytes} bytes`;
        chunks.length = 0;
      }
      if (!oversize) chunks.push(chunk);
    });
    frame.on('end', () => {
      if (!this.#alive) return;
      this.#handlers.message(
        oversize
          ? { headers: frame.headers, body: Buffer.alloc(0), oversize }
          : { headers: frame.headers, body: Buffer.concat(chunks) },
      );
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

function headersOverLimit(headers: FrameHeaders, limits: IncomingLimits): string | undefined {
  const entries = Object.entries(headers);
  if (entries.length > limits.maxHeaders) {
    return `${entries.length} headers, over the limit of ${limits.maxHeaders}`;
  }
  for (const [k, v] of entries) {
    const line = Buffer.byteLength(k) + 1 + Buffer.byteLength(v);
    if (line > limits.maxHeaderLineBytes) {
      return `header ${k.slice(0, 64)} is ${line} bytes, over the limit of ${limits.maxHeaderLineBytes}`;
    }
  }
  return undefined;
}

function negotiated(heartBeatMs: number, headers: FrameHeaders | undefined): [number, number] {
  // CONNECTED heart-beat is "sx,sy": the broker sends every sx, expects us every sy.
  const [sx, sy] = (headers?.['heart-beat'] ?? '0,0').split(',').map((v) => Number(v.trim()));
  const send = !sy ? 0 : Math.max(sy, heartBeatMs) - Math.ceil(heartBeatMs / 2);
  const receive = !sx ? 0 : Math.max(sx, heartBeatMs) + heartBeatMs;
  return [send, receive];
}

function connectFailure(server: ServerAddress, message: string, body: string): HaClientError {
  const details = body ? firstLine(body) : undefined;
  const code =
    LOGIN_REFUSED.test(message) && !BACKEND_TROUBLE.test(body)
      ? 'AUTHENTICATION_FAILED'
      : CLIENT_ID_IN_USE.test(message)
        ? 'CLIENT_ID_IN_USE'
        : 'BROKER_ERROR';
  return new BrokerError(`${formatServer(server)} refused CONNECT: ${message}`, details, code);
}

/** Reads a frame's body as text, keeping at most `limit` bytes of it. */
function readBody(frame: IncomingFrame, limit: number, done: (body: string) => void): void {
  const chunks: Buffer[] = [];
  let kept = 0;
  frame.on('data', (chunk: Buffer) => {
    if (kept < limit) chunks.push(chunk.subarray(0, limit - kept));
    kept += chunk.length;
  });
  frame.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
}

function firstLine(text: string): string {
  return text.trim().split('\n', 1)[0] ?? '';
}
