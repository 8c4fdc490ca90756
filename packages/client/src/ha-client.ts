import { EventEmitter } from 'eventemitter3';
import type { ConnectionState } from './connection-state.js';
import { abortedError, closedError, HaClientError, invalidOption } from './errors.js';
import type { HaClientEvents } from './events.js';
import type { MessageChannel } from './message-stream.js';
import { type HaClientOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { protocolSessions } from './protocol-sessions.js';
import { type PullConsumer, PullConsumerImpl, type PullOptions } from './pull-consumer.js';
import { type ConnectionControlDecision, hintedRound } from './reconnect-hint.js';
import {
  type LoopClock,
  ReconnectLoop,
  type RecoveredOutage,
  systemClock,
} from './reconnect-loop.js';
import {
  type MessageBody,
  Sender,
  type SendHeaders,
  type SendOptions,
  type SendResult,
} from './sender.js';
import { formatServer, type ServerAddress } from './server-address.js';
import type { OpenSession, Session } from './session.js';
import type {
  MessageHandler,
  MessageStream,
  SubscribeOptions,
  Subscription,
} from './subscription.js';
import { bounded, Subscriptions } from './subscriptions.js';
import { type Transaction, TransactionImpl, type TransactionOptions } from './transaction.js';

/**
 * A failover-aware STOMP 1.2 client for an ActiveMQ Classic master/slave group. It follows the
 * active broker as its discovery names it, restores subscriptions, re-sends unconfirmed
 * messages (at-least-once, each with a stable id header) and never forwards an ACK to a
 * connection other than the one that delivered the message.
 */
export class HaClient extends EventEmitter<HaClientEvents> {
  readonly #o: ResolvedOptions;
  readonly #sender: Sender;
  readonly #subs: Subscriptions;
  readonly #txs = new Set<TransactionImpl>();
  /** Error codes already reported while the client had no listener for 'error'. */
  readonly #unheard = new Set<string>();
  /** Owns `state`: connecting, waiting between rounds, connected, closing, closed. */
  readonly #loop: ReconnectLoop;
  #session: Session | undefined;
  /** Sessions dropped because discovery moved the active broker (their end is `moved`). */
  readonly #movedAway = new WeakSet<Session>();
  /** Sessions the broker's reconnect hint sent elsewhere, and where: first in the next round. */
  readonly #redirected = new WeakSet<Session>();
  #hinted: readonly ServerAddress[] = [];
  /** The protocol below the HA logic. */
  readonly #openSession: OpenSession = protocolSessions();
  /** The current session's generation: its number among all dials (see `#open`). */
  #generation = 0;
  #dials = 0;
  readonly #generationOf = new WeakMap<Session, number>();
  #nextTx = 1;
  /** The endpoint discovery names now, and the one it named when the session opened. */
  #endpoint: string | undefined;
  #sessionEndpoint: string | undefined;
  #connectedWaiters: { resolve(): void; reject(e: Error): void }[] = [];
  #closed: Promise<void> | undefined;

  /** `clock` is for tests: the reconnect loop's time and timers. */
  constructor(options: HaClientOptions, clock: LoopClock = systemClock) {
    super();
    this.#o = resolveOptions(options);
    this.#loop = this.#reconnectLoop(clock);
    this.#sender = new Sender(this.#o, () => this.#session);
    this.#subs = new Subscriptions(
      () => ({ session: this.#session, generation: this.#generation }),
      this.#o.messageIdHeader,
      this.#o.clientId,
      this.#o.logger,
      (error) => this.#emit('error', error),
    );
  }

  get state(): ConnectionState {
    return this.#loop.state;
  }

  /** The server of the current connection, if any. */
  get server(): ServerAddress | undefined {
    return this.#session?.alive ? this.#session.server : undefined;
  }

  /** Unconfirmed sends (queued + in flight). */
  get pendingSends(): number {
    return this.#sender.pending;
  }

  /** Starts discovery and connecting; resolves once connected. Idempotent. */
  async connect(): Promise<void> {
    if (this.#loop.state.type === 'idle') {
      this.#loop.setState({ type: 'waiting', delayMs: 'discovery', round: 0 });
      try {
        await this.#o.discovery.start({
          moved: (change) => this.#onMoved(change),
          error: (error) => this.#emit('error', error),
        });
      } catch (cause) {
        // E.g. no kubeconfig to load: nothing will ever name a broker, so fail now.
        const error =
          cause instanceof HaClientError
            ? cause
            : new HaClientError(
                'DISCOVERY_FAILED',
                `${this.#o.discovery.description}: ${cause instanceof Error ? cause.message : String(cause)}`,
                { cause },
              );
        this.#shutdown(error, error);
        throw error;
      }
      this.#loop.start();
    }
    return this.whenConnected();
  }

  /** Resolves when a session is up (now, or after the current failover). */
  whenConnected(): Promise<void> {
    if (this.#session?.alive) return Promise.resolve();
    const state = this.#loop.state;
    if (state.type === 'closed') return Promise.reject(state.error ?? closedError('connect'));
    return new Promise((resolve, reject) => this.#connectedWaiters.push({ resolve, reject }));
  }

  /**
   * Sends a message and resolves on the broker's RECEIPT. While no broker is reachable the send
   * waits in the outbox; if the connection dies before the receipt it is sent again on the next
   * one with the same id header. Queues default to `persistent:true` (ActiveMQ's STOMP default
   * is non-persistent). String bodies go without `content-length` (a JMS TextMessage); binary
   * bodies carry it (a BytesMessage). Do not mutate a Buffer body until the promise settles.
   * What ActiveMQ would refuse by closing the connection (a frame over `frameLimits`, a wrong
   * `content-length`) is refused before writing; a send the broker closes the connection on
   * anyway rejects with `SEND_REJECTED` and does not hold up the sends behind it.
   */
  async send(
    destination: string,
    body: MessageBody,
    headers?: SendHeaders,
    options: SendOptions = {},
  ): Promise<SendResult> {
    if (this.#closing()) throw closedError('send');
    return this.#sender.send(destination, body, headers, options);
  }

  /**
   * Subscribes and resolves once the broker confirmed the SUBSCRIBE (on this connection or,
   * while disconnected, the next). The subscription is restored with the same settings after
   * every reconnect until `unsubscribe()`. The handler gets one message at a time in delivery
   * order unless `concurrency` says otherwise. Without a handler, iterate the returned stream:
   * `for await (const message of await client.subscribe('/queue/q')) { … }`.
   */
  subscribe(
    destination: string,
    handler: MessageHandler,
    options?: SubscribeOptions,
  ): Promise<Subscription>;
  subscribe(destination: string, options?: SubscribeOptions): Promise<MessageStream>;
  async subscribe(
    destination: string,
    handlerOrOptions?: MessageHandler | SubscribeOptions,
    maybeOptions: SubscribeOptions = {},
  ): Promise<MessageStream> {
    if (this.#closing()) throw closedError('subscribe');
    if (typeof handlerOrOptions === 'function') {
      return this.#subs.add(destination, handlerOrOptions, maybeOptions);
    }
    return this.#subs.add(destination, undefined, handlerOrOptions ?? {});
  }

  /**
   * A consumer with prefetch 0 (OpenWire servers only): the broker sends a message only when
   * `receive()` asks for one (MessagePull), as a JMS `receive(timeout)`. Resolves once the broker
   * confirmed it; restored after every failover, and a `receive()` under way carries on there.
   * `receive()` against a STOMP server rejects with INVALID_OPTION.
   */
  async pull(destination: string, options: PullOptions = {}): Promise<PullConsumer> {
    if (this.#closing()) throw closedError('pull');
    for (const key of Object.keys(options)) {
      if (!PULL_KEYS.has(key)) {
        throw invalidOption(`pull.${key}`, `unknown option; known: ${[...PULL_KEYS].join(', ')}`);
      }
    }
    let channel: MessageChannel | undefined;
    const stream = await this.#subs.add(destination, undefined, options, (c) => {
      channel = c;
    });
    return new PullConsumerImpl(stream, channel!, {
      session: () => (this.#session?.alive ? this.#session : undefined),
      whenConnected: () => this.whenConnected(),
    });
  }

  /** Begins a transaction on the current connection (waits for one). See `Transaction`. */
  async begin(options: TransactionOptions = {}): Promise<Transaction> {
    if (this.#closing()) throw closedError('begin');
    await bounded(this.whenConnected(), options.timeoutMs ?? 0, options.signal, 'begin');
    const session = this.#session!;
    const tx = new TransactionImpl(`tx-${this.#nextTx++}`, session, {
      prepareSend: (d, b, h, p) => this.#sender.prepare(d, b, h, p),
      messageIdHeader: this.#o.messageIdHeader,
      ended: (t) => this.#txs.delete(t),
    });
    this.#txs.add(tx);
    try {
      await bounded(
        session.request('BEGIN', { transaction: tx.id }),
        options.timeoutMs ?? 0,
        options.signal,
        'begin',
      );
    } catch (error) {
      if (error instanceof HaClientError && error.code === 'CONNECTION_LOST') {
        throw tx.markInDoubt(error);
      }
      // The broker refused the BEGIN: there is no transaction that could later be in doubt.
      this.#txs.delete(tx);
      throw error;
    }
    return tx;
  }

  /**
   * Waits up to `timeoutMs` for every outstanding receipt (reconnecting if needed), then
   * unsubscribes, sends DISCONNECT and stops. Sends still unconfirmed then reject with
   * `DRAIN_TIMEOUT`.
   */
  close(
    options: { readonly timeoutMs?: number; readonly signal?: AbortSignal } = {},
  ): Promise<void> {
    this.#closed ??= this.#close(options.timeoutMs ?? this.#o.drainTimeoutMs, options.signal);
    return this.#closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #close(timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
    let deadline = Date.now() + timeoutMs;
    // An abort cuts the waiting short: close() then finishes at once, as after its timeout.
    const onAbort = () => {
      deadline = Date.now();
      this.#sender.wakeDrain();
    };
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const wasIdle = this.#loop.state.type === 'idle';
    // Reconnecting goes on while draining, so later states may show it.
    this.#loop.setState({ type: 'closing' });
    if (!wasIdle) await this.#sender.drain(deadline);
    // Handlers under way finish (their ACKs go out) before the UNSUBSCRIBEs; what is buffered
    // is not acknowledged, so the broker keeps it for the next consumer.
    const remaining = () => Math.max(1, deadline - Date.now());
    await this.#subs.removeAll(remaining());
    this.#loop.halt();
    await this.#session?.disconnect(remaining());
    signal?.removeEventListener('abort', onAbort);
    this.#shutdown(
      signal?.aborted
        ? abortedError('close(): sends not confirmed', signal)
        : new HaClientError('DRAIN_TIMEOUT', `close(): send not confirmed within ${timeoutMs} ms`),
      undefined,
    );
  }

  /** Final stop: everything pending fails with `pendingError`; `fatal` is reported. */
  #shutdown(pendingError: HaClientError, fatal: HaClientError | undefined): void {
    this.#loop.halt();
    this.#o.discovery.stop();
    this.#session?.destroy();
    this.#session = undefined;
    this.#sender.failAll(pendingError);
    for (const tx of [...this.#txs]) tx.markInDoubt(fatal);
    this.#loop.setState(fatal ? { type: 'closed', error: fatal } : { type: 'closed' });
    const err = fatal ?? closedError('connect');
    for (const w of this.#connectedWaiters.splice(0)) w.reject(err);
    this.#subs.failPending(err);
    if (fatal) this.#emit('error', fatal);
  }

  /** close() was called or the client stopped: no new work is accepted. */
  #closing(): boolean {
    return this.#closed !== undefined || this.#loop.state.type === 'closed';
  }

  #reconnectLoop(clock: LoopClock): ReconnectLoop {
    return new ReconnectLoop(
      this.#o.reconnect,
      {
        description: this.#o.discovery.description,
        round: (lost) => {
          // A hint counts for one round; discovery's servers follow it in that round.
          const hinted = this.#hinted;
          this.#hinted = [];
          return hintedRound(hinted, this.#o.discovery.round(lost));
        },
        open: (server) => this.#open(server),
        state: (state) => this.#emit('state', state),
        connecting: (server, round) => this.#emit('connecting', { server, round }),
        adopt: (session) => this.#adopt(session),
        connected: (session, outage) => this.#onConnected(session, outage),
        problem: (error) => this.#emit('error', error),
        fatal: (error) => this.#shutdown(error, error),
        debug: (fields, message) => this.#o.logger.debug(fields, message),
      },
      clock,
    );
  }

  /**
   * Each dial gets its own generation, so that a session the loop abandoned (discovery moved
   * while it was dialling) can never be taken for the one adopted after it.
   */
  async #open(server: ServerAddress): Promise<Session> {
    const generation = ++this.#dials;
    const session = await this.#openSession(
      {
        server,
        vhost: this.#o.vhost,
        heartBeatMs: this.#o.heartBeatMs,
        connectTimeoutMs: this.#o.connectTimeoutMs,
        limits: this.#o.frameLimits,
        ...(this.#o.clientId !== undefined ? { clientId: this.#o.clientId } : {}),
        ...(this.#o.login !== undefined ? { login: this.#o.login } : {}),
        ...(this.#o.passcode !== undefined ? { passcode: this.#o.passcode } : {}),
        ...(this.#o.tls ? { tls: this.#o.tls } : {}),
        reconnectHints: this.#o.reconnectHints,
      },
      {
        message: (frame) => this.#subs.deliver(generation, frame),
        hint: (decision) => this.#onHint(generation, decision),
        closed: (error) => this.#onClosed(generation, error),
      },
    );
    this.#generationOf.set(session, generation);
    return session;
  }

  #adopt(session: Session): void {
    this.#generation = this.#generationOf.get(session) ?? ++this.#dials;
    this.#session = session;
    this.#sessionEndpoint = this.#endpoint;
  }

  #onConnected(session: Session, outage: RecoveredOutage | undefined): void {
    this.#emit('connected', { server: session.server, heartBeat: session.heartBeat });
    this.#subs.restore(session);
    const resent = this.#sender.flush(session);
    if (outage) {
      const { from, outageMs } = outage;
      this.#emit('failover', { from, to: session.server, outageMs, resent });
    }
    for (const w of this.#connectedWaiters.splice(0)) w.resolve();
  }

  #onClosed(generation: number, error: HaClientError | undefined): void {
    if (generation !== this.#generation || !this.#session) return;
    const session = this.#session;
    this.#session = undefined;
    const reason = this.#movedAway.has(session)
      ? 'moved'
      : this.#redirected.has(session)
        ? 'redirected'
        : this.#closing()
          ? 'close'
          : 'error';
    const requeued = this.#sender.requeue(error);
    this.#subs.connectionLost(generation);
    for (const tx of [...this.#txs]) this.#emit('error', tx.markInDoubt(error));
    this.#o.logger.debug(
      { server: formatServer(session.server), reason, requeued, error: error?.message },
      'disconnected',
    );
    this.#emit('disconnected', { server: session.server, reason, ...(error ? { error } : {}) });
    this.#loop.lost(session.server);
  }

  /** The broker's reconnect hint for the current session (it ends right after a redirect). */
  #onHint(generation: number, decision: ConnectionControlDecision): void {
    const session = this.#session;
    if (generation !== this.#generation || !session) return;
    for (const refused of decision.refused) {
      this.#o.logger.warn(
        { server: formatServer(session.server), refused },
        'reconnect hint refused',
      );
    }
    if (decision.type !== 'redirect') return;
    this.#o.logger.debug(
      { server: formatServer(session.server), to: decision.servers.map(formatServer) },
      `the broker hinted ${decision.why}`,
    );
    this.#redirected.add(session);
    this.#hinted = decision.servers;
  }

  #onMoved(change: { readonly from?: string; readonly to?: string }): void {
    this.#endpoint = change.to;
    if (this.#loop.state.type === 'idle' || this.#loop.halted) return;
    if (change.to === undefined && this.#session?.alive) {
      // An endpoint that left the Service with no successor (its agent died, so the pod went
      // unready, or a fence briefly preceded the claim) says nothing about the broker itself:
      // keep the working session. If the broker is really gone, the socket or heart-beat says so.
      this.#o.logger.debug({ ...change }, 'discovery: no ready endpoint; keeping the live session');
      return;
    }
    if (change.to !== undefined && change.to === this.#sessionEndpoint && this.#session?.alive) {
      // The endpoint the session was opened to came back (e.g. its pod is ready again).
      this.#o.logger.debug({ ...change }, "discovery: the session's endpoint is back");
      return;
    }
    this.#o.logger.debug({ ...change }, 'discovery: active broker moved');
    const session = this.#session;
    if (session?.alive) {
      this.#movedAway.add(session);
      session.destroy(
        new HaClientError(
          'CONNECTION_LOST',
          `${formatServer(session.server)}: discovery moved the active broker (${change.from ?? 'none'} → ${change.to ?? 'none'})`,
        ),
      );
    } else {
      this.#loop.moved();
    }
  }

  /**
   * Emits to the listeners; a listener that throws is logged at warn and ignored, so it never
   * changes the connection's course (it used to abort a connect half-way and leak its socket).
   * An 'error' nobody listens to is logged at warn and, once per code, raised as a process
   * warning: not thrown (that would crash the process from inside a socket callback), not lost.
   */
  #emit<E extends keyof HaClientEvents>(event: E, ...args: HaClientEvents[E]): void {
    if (event === 'error' && this.listenerCount('error') === 0) {
      const error = args[0] as HaClientError;
      this.#o.logger.warn(
        { code: error.code, error: error.message },
        'client error (no error listener)',
      );
      if (!this.#unheard.has(error.code)) {
        this.#unheard.add(error.code);
        process.emitWarning(`${error.message} (add an 'error' listener to handle it)`, {
          type: 'HaClientWarning',
          code: error.code,
        });
      }
      return;
    }
    try {
      (this.emit as (e: E, ...a: HaClientEvents[E]) => boolean)(event, ...args);
    } catch (thrown) {
      // The listeners after the one that threw miss this one event (eventemitter3 stops there).
      this.#o.logger.warn(
        { event, error: thrown instanceof Error ? thrown.message : String(thrown) },
        'an event listener threw; ignored',
      );
    }
  }
}

const PULL_KEYS = new Set(['ack', 'selector', 'timeoutMs', 'signal', 'headers']);

/** Creates a client and starts connecting (sends queue in the outbox meanwhile). */
export function createClient(options: HaClientOptions): HaClient {
  const client = new HaClient(options);
  client.connect().catch(() => {
    // Reported through the 'error' event and whenConnected(); nothing to do here.
  });
  return client;
}
