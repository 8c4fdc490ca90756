import { EventEmitter } from 'eventemitter3';
import { Backoff } from './backoff.js';
import type { ConnectionState } from './connection-state.js';
import { closedError, HaClientError } from './errors.js';
import type { HaClientEvents } from './events.js';
import { type HaClientOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { type MessageBody, Sender, type SendHeaders, type SendResult } from './sender.js';
import { formatServer, type ServerAddress } from './server-address.js';
import { StompSession } from './stomp-session.js';
import type { MessageHandler, SubscribeOptions, Subscription } from './subscription.js';
import { Subscriptions } from './subscriptions.js';
import { type Transaction, TransactionImpl } from './transaction.js';

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
  readonly #backoff: Backoff;
  #state: ConnectionState = { type: 'idle' };
  #session: StompSession | undefined;
  #generation = 0;
  #nextTx = 1;
  #looping = false;
  /** Discovery moved the broker since the current round began. */
  #stale = false;
  #wake: (() => void) | undefined;
  #lost: { server: ServerAddress; at: number } | undefined;
  #lastServer: ServerAddress | undefined;
  /** The endpoint discovery names now, and the one it named when the session opened. */
  #endpoint: string | undefined;
  #sessionEndpoint: string | undefined;
  #connectedWaiters: { resolve(): void; reject(e: Error): void }[] = [];
  #closed: Promise<void> | undefined;
  #closing = false;
  /** No new connection attempts: set when the drain is over (DISCONNECT under way) or closed. */
  #final = false;

  constructor(options: HaClientOptions) {
    super();
    this.#o = resolveOptions(options);
    this.#sender = new Sender(this.#o, () => this.#session);
    this.#subs = new Subscriptions(
      () => ({ session: this.#session, generation: this.#generation }),
      this.#o.messageIdHeader,
      this.#o.logger,
      (error) => this.emit('error', error),
    );
    this.#backoff = new Backoff(this.#o.reconnect);
  }

  get state(): ConnectionState {
    return this.#state;
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
    if (this.#state.type === 'idle') {
      this.#setState({ type: 'waiting', delayMs: 'discovery', round: 0 });
      try {
        await this.#o.discovery.start({
          moved: (change) => this.#onMoved(change),
          error: (error) => this.emit('error', error),
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
      this.#startLoop();
    }
    return this.whenConnected();
  }

  /** Resolves when a session is up (now, or after the current failover). */
  whenConnected(): Promise<void> {
    if (this.#session?.alive) return Promise.resolve();
    if (this.#state.type === 'closed') {
      return Promise.reject(this.#state.error ?? closedError('connect'));
    }
    return new Promise((resolve, reject) => this.#connectedWaiters.push({ resolve, reject }));
  }

  /**
   * Sends a message and resolves on the broker's RECEIPT. While no broker is reachable the send
   * waits in the outbox; if the connection dies before the receipt it is sent again on the next
   * one with the same id header. Queues default to `persistent:true` (ActiveMQ's STOMP default
   * is non-persistent). String bodies go without `content-length` (a JMS TextMessage); binary
   * bodies carry it (a BytesMessage). Do not mutate a Buffer body until the promise settles.
   */
  async send(destination: string, body: MessageBody, headers?: SendHeaders): Promise<SendResult> {
    if (this.#closing) throw closedError('send');
    return this.#sender.send(destination, body, headers);
  }

  /**
   * Subscribes and resolves once the broker confirmed the SUBSCRIBE (on this connection or,
   * while disconnected, the next). The subscription is restored with the same settings after
   * every reconnect until `unsubscribe()`.
   */
  async subscribe(
    destination: string,
    handler: MessageHandler,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    if (this.#closing) throw closedError('subscribe');
    return this.#subs.add(destination, handler, options);
  }

  /** Begins a transaction on the current connection (waits for one). See `Transaction`. */
  async begin(): Promise<Transaction> {
    if (this.#closing) throw closedError('begin');
    await this.whenConnected();
    const session = this.#session!;
    const tx = new TransactionImpl(`tx-${this.#nextTx++}`, session, {
      prepareSend: (d, b, h) => this.#sender.prepare(d, b, h),
      ended: (t) => this.#txs.delete(t),
    });
    this.#txs.add(tx);
    try {
      await session.request('BEGIN', { transaction: tx.id });
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
  close(options: { readonly timeoutMs?: number } = {}): Promise<void> {
    this.#closed ??= this.#close(options.timeoutMs ?? this.#o.drainTimeoutMs);
    return this.#closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #close(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const wasIdle = this.#state.type === 'idle';
    this.#closing = true;
    // Reconnecting goes on while draining, so later states may show it.
    this.#setState({ type: 'closing' });
    if (!wasIdle) await this.#sender.drain(deadline);
    this.#final = true;
    this.#wake?.();
    const session = this.#session;
    const remaining = () => Math.max(1, deadline - Date.now());
    await this.#subs.removeAll(session, remaining());
    await session?.disconnect(remaining());
    this.#shutdown(
      new HaClientError('DRAIN_TIMEOUT', `close(): send not confirmed within ${timeoutMs} ms`),
      undefined,
    );
  }

  /** Final stop: everything pending fails with `pendingError`; `fatal` is reported. */
  #shutdown(pendingError: HaClientError, fatal: HaClientError | undefined): void {
    this.#final = true;
    this.#closing = true;
    this.#o.discovery.stop();
    this.#session?.destroy();
    this.#session = undefined;
    this.#sender.failAll(pendingError);
    for (const tx of [...this.#txs]) tx.markInDoubt(fatal);
    this.#setState(fatal ? { type: 'closed', error: fatal } : { type: 'closed' });
    const err = fatal ?? closedError('connect');
    for (const w of this.#connectedWaiters.splice(0)) w.reject(err);
    this.#subs.failPending(err);
    this.#wake?.();
    if (fatal) this.emit('error', fatal);
  }

  #startLoop(): void {
    if (this.#looping) return;
    this.#looping = true;
    void this.#loop().finally(() => {
      this.#looping = false;
    });
  }

  /**
   * Rounds of connection attempts until one succeeds, the client closes or gives up. A round
   * tries the servers discovery names back to back; backoff sleeps only between rounds.
   */
  async #loop(): Promise<void> {
    let rounds = 0;
    this.#backoff.reset();
    let lastError: HaClientError | undefined;
    while (!this.#final) {
      this.#stale = false;
      const round = this.#o.discovery.round(this.#lost?.server ?? this.#lastServer);
      if (round.length === 0) {
        this.#setState({ type: 'waiting', delayMs: 'discovery', round: rounds });
        await this.#sleep(undefined);
        continue;
      }
      for (const server of round) {
        if (this.#final || this.#stale) break;
        this.#setState({ type: 'connecting', server, round: rounds });
        this.emit('connecting', { server, round: rounds });
        try {
          const session = await this.#open(server);
          if (this.#final || this.#stale) {
            session.destroy();
            break;
          }
          this.#onSession(session);
          return;
        } catch (error) {
          lastError = error instanceof HaClientError ? error : lostError(server, error);
          this.#o.logger.debug(
            { server: formatServer(server), error: lastError.message },
            'connect failed',
          );
          if (lastError.code === 'AUTHENTICATION_FAILED') {
            // Retrying refused credentials would only hammer the broker: stop here.
            this.#shutdown(lastError, lastError);
            return;
          }
        }
      }
      if (this.#stale) {
        this.#backoff.reset();
        continue;
      }
      if (this.#final) return;
      rounds++;
      const max = this.#o.reconnect.maxRounds;
      if (max >= 0 && rounds > max) {
        const error = new HaClientError(
          'CONNECTION_LOST',
          `gave up after ${rounds} rounds over ${this.#o.discovery.description}: ${lastError?.message ?? 'no server'}`,
          lastError ? { cause: lastError } : undefined,
        );
        this.#shutdown(error, error);
        return;
      }
      const delayMs = this.#backoff.next();
      this.#setState(
        lastError
          ? { type: 'waiting', delayMs, round: rounds, lastError }
          : { type: 'waiting', delayMs, round: rounds },
      );
      await this.#sleep(delayMs);
    }
  }

  #open(server: ServerAddress): Promise<StompSession> {
    const generation = this.#generation + 1;
    return StompSession.open(
      {
        server,
        vhost: this.#o.vhost,
        heartBeatMs: this.#o.heartBeatMs,
        connectTimeoutMs: this.#o.connectTimeoutMs,
        ...(this.#o.login !== undefined ? { login: this.#o.login } : {}),
        ...(this.#o.passcode !== undefined ? { passcode: this.#o.passcode } : {}),
        ...(this.#o.tls ? { tls: this.#o.tls } : {}),
      },
      {
        message: (frame) => this.#subs.deliver(generation, frame),
        closed: (error) => this.#onClosed(generation, error),
      },
    );
  }

  #onSession(session: StompSession): void {
    this.#generation++;
    this.#session = session;
    this.#lastServer = session.server;
    this.#sessionEndpoint = this.#endpoint;
    this.#setState({
      type: 'connected',
      server: session.server,
      since: Date.now(),
      heartBeat: session.heartBeat,
    });
    this.emit('connected', { server: session.server, heartBeat: session.heartBeat });
    this.#subs.restore(session);
    const resent = this.#sender.flush(session);
    if (this.#lost) {
      const { server: from, at } = this.#lost;
      this.#lost = undefined;
      this.emit('failover', { from, to: session.server, outageMs: Date.now() - at, resent });
    }
    for (const w of this.#connectedWaiters.splice(0)) w.resolve();
  }

  #onClosed(generation: number, error: HaClientError | undefined): void {
    if (generation !== this.#generation || !this.#session) return;
    const session = this.#session;
    this.#session = undefined;
    const reason = this.#stale ? 'moved' : this.#closing ? 'close' : 'error';
    this.#lost = { server: session.server, at: Date.now() };
    const requeued = this.#sender.requeue();
    for (const tx of [...this.#txs]) this.emit('error', tx.markInDoubt(error));
    this.#o.logger.debug(
      { server: formatServer(session.server), reason, requeued, error: error?.message },
      'disconnected',
    );
    this.emit('disconnected', { server: session.server, reason, ...(error ? { error } : {}) });
    if (!this.#final) this.#startLoop();
  }

  #onMoved(change: { readonly from?: string; readonly to?: string }): void {
    this.#endpoint = change.to;
    if (this.#final || this.#state.type === 'idle') return;
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
    this.#stale = true;
    this.#backoff.reset();
    const session = this.#session;
    if (session?.alive) {
      session.destroy(
        new HaClientError(
          'CONNECTION_LOST',
          `${formatServer(session.server)}: discovery moved the active broker (${change.from ?? 'none'} → ${change.to ?? 'none'})`,
        ),
      );
    } else {
      this.#wake?.();
    }
  }

  #sleep(ms: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = undefined;
        done();
      };
    });
  }

  #setState(state: ConnectionState): void {
    if (this.#state.type === 'closed') return;
    this.#state = state;
    this.emit('state', state);
  }
}

/** Creates a client and starts connecting (sends queue in the outbox meanwhile). */
export function createClient(options: HaClientOptions): HaClient {
  const client = new HaClient(options);
  client.connect().catch(() => {
    // Reported through the 'error' event and whenConnected(); nothing to do here.
  });
  return client;
}

function lostError(server: ServerAddress, error: unknown): HaClientError {
  return new HaClientError('CONNECTION_LOST', `${formatServer(server)}: ${String(error)}`, {
    cause: error,
  });
}
