import { randomUUID } from 'node:crypto';
import {
  type ConnectionControl,
  type Destination,
  type LocalTransactionId,
  OpenWireBrokerError,
  OpenWireConnection,
  type OpenWireConsumer,
  OpenWireError,
  type ReceivedMessage as ReceivedOpenWireMessage,
} from '@activemq-ha/openwire';
import { BrokerError, HaClientError, invalidOption } from './errors.js';
import { isOwnTemporary, toOpenWireDestination } from './openwire-destinations.js';
import { fromOpenWireMessage, toOpenWireSend } from './openwire-frames.js';
import { readConnectionControl } from './reconnect-hint.js';
import { formatServer, type ServerAddress } from './server-address.js';
import type {
  FrameHeaders,
  IncomingLimits,
  OpenSession,
  SendExtras,
  Session,
  SessionCommand,
  SessionHandlers,
  SessionOptions,
} from './session.js';
import { connectFailed, connectionLost, goodbyeWithin } from './session-ending.js';

/**
 * What the OpenWire connections of one client share, as Java's failover transport shares its
 * connection state across transports: one ConnectionId (so one producer id), one producer
 * sequence, and the sequence each unconfirmed SEND was first written with. A SEND written again
 * on the next connection (the outbox hands the same headers object back) carries the same
 * message id, and the broker drops it if it already stored it: the new connection says
 * `failoverReconnect`, so the broker reads the store's last sequence for the producer and
 * suppresses persistent sends at or below it (`ProducerBrokerExchange.canDispatch`); KahaDB also
 * refuses an id already in its index (`MessageDatabase`, "Duplicate message add attempt").
 */
export class OpenWireIdentity {
  readonly connectionId = `ID:${randomUUID()}-0:1`;
  #sequence = 0n;
  readonly #sequences = new WeakMap<FrameHeaders, bigint>();
  #connections = 0;

  readonly producerSequence = { next: (): bigint => ++this.#sequence };

  /** The sequence of this SEND: new on its first write, the same on every rewrite. */
  sequenceFor(headers: FrameHeaders): bigint {
    let sequence = this.#sequences.get(headers);
    if (sequence === undefined) {
      sequence = this.producerSequence.next();
      this.#sequences.set(headers, sequence);
    }
    return sequence;
  }

  /** Counts connections: every one after the first is a failover reconnect. */
  opened(): boolean {
    return this.#connections++ > 0;
  }
}

/** An OpenSession for OpenWire servers; one per client (it keeps the client's identity). */
export function openWireSessions(): OpenSession {
  const identity = new OpenWireIdentity();
  return (options, handlers) => OpenWireSession.open(identity, options, handlers);
}

/**
 * One OpenWire connection as the HA layer's `Session`: the STOMP-vocabulary commands become
 * OpenWire commands, each confirmed by the broker's Response for its command id, and
 * MessageDispatch becomes the client's message frames (typed properties kept beside the
 * string headers).
 */
export class OpenWireSession implements Session {
  readonly server: ServerAddress;
  readonly heartBeat: readonly [number, number];
  readonly #conn: OpenWireConnection;
  readonly #identity: OpenWireIdentity;
  readonly #handlers: SessionHandlers;
  readonly #limits: IncomingLimits;
  readonly #hints: SessionOptions['reconnectHints'];
  readonly #consumers = new Map<string, OpenWireConsumer>();
  /** Consumers being registered (a pull may come before the SUBSCRIBE is confirmed). */
  readonly #subscribing = new Map<string, Promise<OpenWireConsumer>>();
  /** Waits that end with the connection (pulls under way). */
  readonly #onEnd = new Set<(error: HaClientError) => void>();
  /** Ack ids handed out with MESSAGE frames → the delivery to settle. */
  readonly #deliveries = new Map<string, { sub: string; message: ReceivedOpenWireMessage }>();
  readonly #transactions = new Map<string, LocalTransactionId>();
  /** Our temporary destinations registered on this connection. */
  readonly #temporaries = new Map<string, Promise<void>>();
  #nextAck = 1;
  #alive = true;

  private constructor(
    server: ServerAddress,
    conn: OpenWireConnection,
    identity: OpenWireIdentity,
    limits: IncomingLimits,
    hints: SessionOptions['reconnectHints'],
    handlers: SessionHandlers,
  ) {
    this.server = server;
    this.#conn = conn;
    this.#identity = identity;
    this.#limits = limits;
    this.#hints = hints;
    this.#handlers = handlers;
    const max = conn.negotiated?.maxInactivityDuration ?? 0;
    this.heartBeat = max > 0 ? [Math.max(1, Math.floor(max / 3)), max] : [0, 0];
    conn.on('close', (reason) => this.#end(reason ? lostOrBroker(server, reason) : undefined));
    conn.on('connectionControl', (command) => this.#onConnectionControl(command));
    conn.on('error', () => {
      // A frame that failed to decode (e.g. an ObjectMessage): the stream is intact; the
      // broker keeps that message in flight for the consumer until it closes.
    });
    // The broker's ConnectionControl for a manageable ConnectionInfo comes during the handshake;
    // it is read once the HA layer has adopted this session (as Java rebalances after connecting).
    const early = conn.handshakeConnectionControls;
    if (early.length > 0) {
      setImmediate(() => {
        for (const command of early) this.#onConnectionControl(command);
      });
    }
  }

  /** Dials, exchanges WireFormatInfo, registers connection, session and producer. */
  static async open(
    identity: OpenWireIdentity,
    options: SessionOptions,
    handlers: SessionHandlers,
  ): Promise<Session> {
    const { server } = options;
    const reconnect = identity.opened();
    let timer: NodeJS.Timeout | undefined;
    const connecting = OpenWireConnection.connect({
      host: server.host,
      port: server.port,
      connectionId: identity.connectionId,
      failoverReconnect: reconnect,
      // As Java's failover transport: the broker then sends its cluster hints to this client.
      faultTolerant: true,
      producerSequence: identity.producerSequence,
      ...(options.clientId !== undefined ? { clientId: options.clientId } : {}),
      ...(options.login !== undefined ? { userName: options.login } : {}),
      ...(options.passcode !== undefined ? { password: options.passcode } : {}),
      ...(server.tls ? { tls: options.tls ?? {} } : {}),
      requestTimeoutMs: options.connectTimeoutMs,
      // Once connected, waits are bounded by the HA layer (sendTimeoutMs, timeoutMs) and
      // the inactivity monitor, not by a per-request timer.
      responseTimeoutMs: 0,
      wireFormat: {
        // The same budget as STOMP's heart-beats: silence for two intervals is death.
        maxInactivityDuration: options.heartBeatMs * 2,
        maxInactivityDurationInitialDelay: options.heartBeatMs * 2,
        maxFrameSize: options.limits.maxBodyBytes + 64 * 1024,
      },
    });
    try {
      const conn = await Promise.race([
        connecting,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new HaClientError(
                  'CONNECT_TIMEOUT',
                  `${formatServer(server)}: no OpenWire handshake within ${options.connectTimeoutMs} ms`,
                ),
              ),
            options.connectTimeoutMs,
          );
        }),
      ]);
      return new OpenWireSession(
        server,
        conn,
        identity,
        options.limits,
        options.reconnectHints,
        handlers,
      );
    } catch (error) {
      // Too late is too late: a handshake that completes after the timeout is dropped.
      connecting.then(
        (c) => c.socket.destroy(),
        () => {},
      );
      throw connectFailure(server, error);
    } finally {
      clearTimeout(timer);
    }
  }

  get alive(): boolean {
    return this.#alive;
  }

  async request(
    command: SessionCommand,
    headers: FrameHeaders,
    body?: Buffer | string,
    extras?: SendExtras,
  ): Promise<void> {
    if (!this.#alive) throw connectionLost(this.server, undefined);
    try {
      await this.#execute(command, headers, body, extras, true);
    } catch (error) {
      throw this.#translate(error);
    }
  }

  fire(
    command: SessionCommand,
    headers: FrameHeaders,
    body?: Buffer | string,
    extras?: SendExtras,
  ): boolean {
    if (!this.#alive) return false;
    // Nobody waits: a failure here is one the connection's end reports, or a refusal the
    // caller chose not to hear about (an ACK for a message the broker no longer holds).
    this.#execute(command, headers, body, extras, false).catch(() => {});
    return true;
  }

  async pull(subscription: string, timeoutMs: number): Promise<boolean> {
    if (!this.#alive) throw connectionLost(this.server, undefined);
    let stop: (error: HaClientError) => void = () => {};
    const ended = new Promise<never>((_, reject) => {
      stop = reject;
    });
    ended.catch(() => {}); // raced below; it may end before the race starts
    this.#onEnd.add(stop);
    try {
      const consumer =
        this.#consumers.get(subscription) ?? (await this.#subscribing.get(subscription));
      if (!consumer) {
        throw invalidOption('subscription', `${subscription} is not subscribed on this connection`);
      }
      const message = await Promise.race([consumer.pull(timeoutMs), ended]);
      if (message === null) return false;
      this.#deliver(subscription, message);
      return true;
    } catch (error) {
      throw this.#translate(error);
    } finally {
      this.#onEnd.delete(stop);
    }
  }

  async disconnect(timeoutMs: number): Promise<void> {
    if (!this.#alive) return;
    await goodbyeWithin(
      () => this.#conn.close(),
      timeoutMs,
      () => this.destroy(),
    );
  }

  destroy(error?: HaClientError): void {
    if (!this.#alive) return;
    this.#end(error);
    this.#conn.socket.destroy();
  }

  async #execute(
    command: SessionCommand,
    headers: FrameHeaders,
    body: Buffer | string | undefined,
    extras: SendExtras | undefined,
    confirmed: boolean,
  ): Promise<void> {
    const connectionId = this.#identity.connectionId;
    switch (command) {
      case 'SEND': {
        const tx = this.#transaction(headers.transaction);
        const send = toOpenWireSend(
          headers,
          body,
          connectionId,
          extras?.properties,
          Date.now(),
          extras?.map,
        );
        await this.#temporary(send.destination);
        if (send.options.replyTo) await this.#temporary(send.options.replyTo);
        await this.#conn.send(send.destination, send.body, {
          ...send.options,
          // Transactional sends are never rewritten elsewhere (in doubt instead): any fresh
          // sequence does; the others keep the one of their first write.
          producerSequence: tx
            ? this.#conn.nextProducerSequence()
            : this.#identity.sequenceFor(headers),
          sync: confirmed,
          ...(tx ? { transactionId: tx } : {}),
        });
        return;
      }
      case 'SUBSCRIBE': {
        const id = required(headers, 'id');
        const subscribing = this.#subscribe(id, headers, connectionId);
        this.#subscribing.set(id, subscribing);
        try {
          this.#consumers.set(id, await subscribing);
        } finally {
          this.#subscribing.delete(id);
        }
        return;
      }
      case 'UNSUBSCRIBE': {
        const id = required(headers, 'id');
        const durable = headers['activemq.subscriptionName'];
        if (durable !== undefined) {
          await this.#conn.unsubscribeDurable(durable);
          return;
        }
        const consumer = this.#consumers.get(id);
        this.#consumers.delete(id);
        for (const [ackId, d] of this.#deliveries) if (d.sub === id) this.#deliveries.delete(ackId);
        await consumer?.close();
        return;
      }
      case 'ACK':
      case 'NACK': {
        const ackId = required(headers, 'id');
        const delivery = this.#deliveries.get(ackId);
        this.#deliveries.delete(ackId);
        if (!delivery) {
          throw new BrokerError(
            `${command} ${ackId}: no such delivery on this connection`,
            undefined,
          );
        }
        await delivery.message.settle({ poison: command === 'NACK', sync: confirmed });
        return;
      }
      case 'BEGIN': {
        const name = required(headers, 'transaction');
        this.#transactions.set(name, await this.#conn.begin());
        return;
      }
      case 'COMMIT':
      case 'ABORT': {
        const name = required(headers, 'transaction');
        const tx = this.#transaction(name)!;
        this.#transactions.delete(name);
        await (command === 'COMMIT' ? this.#conn.commit(tx) : this.#conn.rollback(tx));
        return;
      }
      case 'DISCONNECT':
        await this.#conn.close();
        return;
    }
  }

  async #subscribe(
    id: string,
    headers: FrameHeaders,
    connectionId: string,
  ): Promise<OpenWireConsumer> {
    const destination = toOpenWireDestination(required(headers, 'destination'), connectionId);
    await this.#temporary(destination);
    const prefetch = Number(headers['activemq.prefetchSize'] ?? 1000);
    return this.#conn.subscribe(destination, (message) => this.#deliver(id, message), {
      ack: 'individual',
      prefetch: Number.isInteger(prefetch) && prefetch >= 0 ? prefetch : 1000,
      ...(headers.selector !== undefined ? { selector: headers.selector } : {}),
      ...(headers['activemq.subscriptionName'] !== undefined
        ? { subscriptionName: headers['activemq.subscriptionName'] }
        : {}),
      exclusive: headers['activemq.exclusive'] === 'true',
      noLocal: headers['activemq.noLocal'] === 'true',
    });
  }

  #transaction(name: string | undefined): LocalTransactionId | undefined {
    if (name === undefined) return undefined;
    const tx = this.#transactions.get(name);
    if (!tx) throw invalidOption('transaction', `${name} is not open on this connection`);
    return tx;
  }

  /** Our temporary destinations exist per connection: registered before their first use. */
  #temporary(destination: Destination): Promise<void> {
    if (!isOwnTemporary(destination, this.#identity.connectionId)) return Promise.resolve();
    const key = `${destination.type}:${destination.physicalName}`;
    let added = this.#temporaries.get(key);
    if (!added) {
      added = this.#conn.addTemporaryDestination(destination);
      this.#temporaries.set(key, added);
      added.catch(() => this.#temporaries.delete(key));
    }
    return added;
  }

  #deliver(sub: string, message: ReceivedOpenWireMessage): void {
    if (!this.#alive) return;
    const ackId = `${sub}:${this.#nextAck++}`;
    this.#deliveries.set(ackId, { sub, message });
    const incoming = fromOpenWireMessage(
      message,
      message.redeliveryCounter,
      this.#identity.connectionId,
    );
    const headers = { ...incoming.headers, subscription: sub, ack: ackId };
    const over =
      incoming.body.length > this.#limits.maxBodyBytes
        ? `body over ${this.#limits.maxBodyBytes} bytes`
        : undefined;
    this.#handlers.message(
      over
        ? { headers, body: Buffer.alloc(0), oversize: over }
        : {
            headers,
            body: incoming.body,
            properties: incoming.properties,
            ...(incoming.map ? { map: incoming.map } : {}),
            ...(incoming.dataStructure ? { dataStructure: incoming.dataStructure } : {}),
          },
    );
  }

  /**
   * The broker's ConnectionControl: `close`/`exit`, or a reconnect hint (`reconnectTo`, or
   * `connectedBrokers` with `rebalanceConnection`), read by `readConnectionControl`. To act on
   * one the session tells the HA layer where to go (`hint`), then ends as lost: the HA layer's
   * reconnect re-sends what is unconfirmed and restores the subscriptions there, and acks for
   * what this connection delivered are never forwarded to the next one.
   */
  #onConnectionControl(command: ConnectionControl): void {
    if (!this.#alive) return;
    const decision = readConnectionControl(command, this.server, this.#hints);
    if (decision.type === 'stay') {
      if (decision.refused.length > 0) this.#handlers.hint?.(decision);
      return;
    }
    this.#handlers.hint?.(decision);
    this.destroy(
      new HaClientError(
        'CONNECTION_LOST',
        `${formatServer(this.server)}: the broker ${decision.type === 'leave' ? decision.why : `hinted ${decision.why}`} (ConnectionControl)`,
      ),
    );
  }

  #end(error: HaClientError | undefined): void {
    if (!this.#alive) return;
    this.#alive = false;
    this.#deliveries.clear();
    const lost = connectionLost(this.server, error);
    for (const stop of this.#onEnd) stop(lost);
    this.#onEnd.clear();
    this.#handlers.closed(error);
  }

  #translate(error: unknown): Error {
    if (error instanceof HaClientError) return error;
    if (!this.#alive || (error instanceof OpenWireError && isConnectionEnd(error))) {
      return connectionLost(this.server, error instanceof Error ? error : undefined);
    }
    if (error instanceof OpenWireBrokerError) {
      return new BrokerError(
        error.brokerMessage ?? 'broker error',
        error.exceptionClass ?? undefined,
      );
    }
    if (error instanceof OpenWireError) return invalidOption('message', error.message);
    return error instanceof Error ? error : new Error(String(error));
  }
}

function isConnectionEnd(error: OpenWireError): boolean {
  return (
    error.code === 'CONNECTION_CLOSED' ||
    error.code === 'INACTIVITY_TIMEOUT' ||
    error.code === 'TIMEOUT'
  );
}

function required(headers: FrameHeaders, name: string): string {
  const value = headers[name];
  if (value === undefined) throw invalidOption(`headers.${name}`, 'is required');
  return value;
}

/** A connection that ended: broker-sent errors (ConnectionError) stay broker errors. */
function lostOrBroker(server: ServerAddress, reason: OpenWireError): HaClientError {
  if (reason instanceof OpenWireBrokerError) {
    return new BrokerError(
      `${formatServer(server)}: ${reason.brokerMessage ?? 'connection error'}`,
      reason.exceptionClass ?? undefined,
    );
  }
  return connectionLost(server, reason);
}

/**
 * The broker's refusals of ConnectionInfo: `SecurityException` from the authentication
 * plugins (refused credentials), `InvalidClientIDException` from `RegionBroker.addConnection`
 * (the client id is connected elsewhere).
 */
function connectFailure(server: ServerAddress, error: unknown): HaClientError {
  if (error instanceof HaClientError) return error;
  if (error instanceof OpenWireBrokerError) {
    const cls = error.exceptionClass ?? '';
    const code = /SecurityException$/.test(cls)
      ? 'AUTHENTICATION_FAILED'
      : /InvalidClientIDException$/.test(cls)
        ? 'CLIENT_ID_IN_USE'
        : 'BROKER_ERROR';
    return new BrokerError(
      `${formatServer(server)} refused the connection: ${error.brokerMessage ?? cls}`,
      cls || undefined,
      code,
    );
  }
  return connectFailed(server, error instanceof Error ? error : new Error(String(error)));
}
