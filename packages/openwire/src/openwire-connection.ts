import { randomUUID } from 'node:crypto';
import { isIP, type Socket, connect as tcpConnect } from 'node:net';
import { type ConnectionOptions as TlsOptions, connect as tlsConnect } from 'node:tls';
import { EventEmitter } from 'eventemitter3';
import { OpenWireBrokerError, OpenWireError } from './errors.js';
import { inactivityDecision, keepAliveIntervalMs } from './inactivity-policy.js';
import {
  type MessageHandler,
  OpenWireConsumer,
  type SubscribeOptions,
} from './openwire-consumer.js';
import { type MessageBody, outgoingMessage, type SendOptions } from './outgoing-message.js';
import { encodePrimitiveMap } from './primitive-map.js';
import { messageSize, ProducerWindow } from './producer-window.js';
import {
  type BrokerInfo,
  type Command,
  type CommandInput,
  type ConnectionControl,
  type ConnectionId,
  type ConsumerControl,
  type Destination,
  type LocalTransactionId,
  type ProducerAck,
  type ProducerId,
  type SessionId,
  TRANSACTION_TYPE,
  type WireFormatInfo,
} from './structures.js';
import {
  decodePayload,
  encodeFrame,
  FrameSplitter,
  INITIAL_WIRE_FORMAT,
  type Negotiated,
  negotiate,
  preferredWireFormatInfo,
  type WireFormat,
  type WireFormatPreferences,
} from './wire-format.js';

export interface OpenWireConnectionOptions {
  readonly host?: string;
  readonly port: number;
  /** JMS client id (needed for durable subscriptions). @default none: the broker makes one up */
  readonly clientId?: string;
  readonly userName?: string;
  readonly password?: string;
  /** What we offer in WireFormatInfo (tight encoding, inactivity duration…). */
  readonly wireFormat?: WireFormatPreferences;
  /** Deadline for connecting and for each request the broker must answer. @default 10000 */
  readonly requestTimeoutMs?: number;
  /**
   * Deadline for the answers to requests once connected; 0 waits as long as the connection
   * lives (a failover layer that bounds its own waits, and a broker under flow control may
   * hold a send's Response back for long).
   * @default requestTimeoutMs
   */
  readonly responseTimeoutMs?: number;
  /** Dial with TLS (`ssl://`), with these options (CA, client certificate…). */
  readonly tls?: TlsOptions;
  /**
   * The ConnectionId to register (`ID:…`). A failover layer keeps one id for every connection
   * of a logical client, as Java's failover transport replays its ConnectionInfo: the producer
   * id (and so every message id) stays the same on a resend, and the broker drops an older
   * connection with the same id ("Killing previous stale connection").
   * @default a fresh `ID:<uuid>-0:1`
   */
  readonly connectionId?: string;
  /**
   * Sets ConnectionInfo.failoverReconnect. The broker then reads the store's last sequence
   * number of each producer of this connection (`getLastProducerSequenceId`) and drops a
   * persistent send at or below it as a duplicate (`ProducerBrokerExchange.canDispatch`).
   */
  readonly failoverReconnect?: boolean;
  /**
   * Sets ConnectionInfo.manageable and faultTolerant, as Java's failover transport does: the
   * broker then sends its ConnectionControl on connect and on cluster changes (the
   * `updateClusterClients`/`rebalanceClusterClients` hints of its connector; see
   * `handshakeConnectionControls` for the ones that arrive before `connect()` resolves).
   * @default false
   */
  readonly faultTolerant?: boolean;
  /**
   * The producer's message sequence, shared by the connections of one logical client (message
   * ids must keep growing across connections, or the broker's audit above drops new sends).
   * @default a counter of this connection
   */
  readonly producerSequence?: { next(): bigint };
  /**
   * ProducerInfo.windowSize: bytes of asynchronous sends the broker may hold before it answers
   * with ProducerAck (producer flow control). 0: no window.
   * @default 0
   */
  readonly producerWindowSize?: number;
}

/** Events of a connection; `close` comes exactly once, with the reason when it was not ours. */
export interface OpenWireConnectionEvents {
  /** The broker asks us to reconnect elsewhere, rebalance, suspend… (failover hints). */
  connectionControl: (command: ConnectionControl) => void;
  /** The broker changes a consumer's prefetch, or closes it. */
  consumerControl: (command: ConsumerControl) => void;
  /** The broker acknowledges `size` bytes of asynchronous sends (producer window). */
  producerAck: (command: ProducerAck) => void;
  /** A problem that did not close the connection (a refused message, a handler that threw). */
  error: (error: unknown) => void;
  close: (reason: OpenWireError | undefined) => void;
}

interface Pending {
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
  readonly timer: NodeJS.Timeout | undefined;
}

/**
 * One OpenWire connection to one broker with one session and one anonymous producer: what a
 * Java `ActiveMQConnection` does on a single transport, without failover (the HA client wraps
 * this). Use `OpenWireConnection.connect()`.
 */
export class OpenWireConnection extends EventEmitter<OpenWireConnectionEvents> {
  readonly connectionId: ConnectionId;
  readonly sessionId: SessionId;
  readonly producerId: ProducerId;
  /** The JMS client id: the one given, else a generated `ID:…`. */
  readonly clientId: string;
  #wf: WireFormat = INITIAL_WIRE_FORMAT;
  #negotiated: Negotiated | undefined;
  #brokerInfo: BrokerInfo | undefined;
  #commandId = 0;
  #producerSequence = 0n;
  #consumerSequence = 0n;
  #transactionSequence = 0n;
  #tempSequence = 0;
  readonly #pending = new Map<number, Pending>();
  readonly #consumers = new Map<bigint, OpenWireConsumer>();
  readonly #splitter = new FrameSplitter(INITIAL_WIRE_FORMAT.maxFrameSize);
  #lastReadAt = Date.now();
  #lastWriteAt = Date.now();
  #monitor: NodeJS.Timeout | undefined;
  #closed = false;
  /** Asynchronous sends wait here while the broker has not acknowledged `producerWindowSize` bytes. */
  readonly #window: ProducerWindow | undefined;
  /** The handshake is over: requests use `responseTimeoutMs`. */
  #connected = false;
  #onWireFormat: ((theirs: WireFormatInfo) => void) | undefined;
  /** ConnectionControls that came during the handshake, before anyone could listen. */
  readonly #handshakeControls: ConnectionControl[] = [];

  private constructor(
    readonly socket: Socket,
    readonly options: OpenWireConnectionOptions,
  ) {
    super();
    const id = options.connectionId ?? `ID:${randomUUID()}-0:1`;
    this.connectionId = { type: 'ConnectionId', value: id };
    this.sessionId = { type: 'SessionId', connectionId: id, value: 1n };
    this.producerId = { type: 'ProducerId', connectionId: id, sessionId: 1n, value: 1n };
    this.clientId = options.clientId ?? `ID:${randomUUID()}`;
    const window = options.producerWindowSize ?? 0;
    this.#window = window > 0 ? new ProducerWindow(window) : undefined;
  }

  /**
   * Opens the TCP connection, exchanges WireFormatInfo, then registers the connection
   * (ConnectionInfo with the client id), its session and its producer, each confirmed, in one
   * round trip.
   */
  static async connect(options: OpenWireConnectionOptions): Promise<OpenWireConnection> {
    const timeoutMs = options.requestTimeoutMs ?? 10_000;
    const host = options.host ?? '127.0.0.1';
    const socket = options.tls
      ? tlsConnect({
          host,
          port: options.port,
          ...(isIP(host) ? {} : { servername: host }),
          ...options.tls,
        })
      : tcpConnect({ host, port: options.port, noDelay: true });
    if (options.tls) socket.setNoDelay(true);
    const connection = new OpenWireConnection(socket, options);
    try {
      await connection.#open(timeoutMs);
      return connection;
    } catch (error) {
      connection.#shutdown(undefined);
      throw error;
    }
  }

  async #open(timeoutMs: number): Promise<void> {
    const ours = preferredWireFormatInfo(this.options.wireFormat);
    let timer: NodeJS.Timeout | undefined;
    const theirs = new Promise<WireFormatInfo>((resolve, reject) => {
      this.#onWireFormat = resolve;
      timer = setTimeout(
        () => reject(new OpenWireError('TIMEOUT', `no WireFormatInfo within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.once('close', (reason) =>
        reject(reason ?? new OpenWireError('CONNECTION_CLOSED', 'closed while connecting')),
      );
    });
    this.socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    this.socket.on('error', (cause) =>
      this.#shutdown(
        new OpenWireError('CONNECTION_CLOSED', `socket error: ${cause.message}`, { cause }),
      ),
    );
    this.socket.on('close', () =>
      this.#shutdown(new OpenWireError('CONNECTION_CLOSED', 'the broker closed the connection')),
    );
    this.#write(ours);
    const info = await theirs.finally(() => clearTimeout(timer));
    this.#negotiated = negotiate(
      decodePayload(
        encodeFrame(ours, INITIAL_WIRE_FORMAT).subarray(4),
        INITIAL_WIRE_FORMAT,
      ) as WireFormatInfo,
      info,
    );
    this.#wf = this.#negotiated.wireFormat;
    this.#splitter.setMaxFrameSize(this.#wf.maxFrameSize);
    this.#startMonitor();
    // The three registrations go out back to back and are awaited together: one round trip,
    // not three, to a broker that has just started and is busy with every client coming back
    // at once (Java's failover transport restores them all as oneways). The broker takes a
    // connection's commands in order, so SessionInfo and ProducerInfo meet a registered
    // connection; when ConnectionInfo is refused (credentials), its error is the one reported,
    // not what the broker then says about the other two.
    const registered = await Promise.allSettled([
      this.#request({
        type: 'ConnectionInfo',
        connectionId: this.connectionId,
        // The broker insists on one; Java makes one up the same way when none is set.
        clientId: this.clientId,
        userName: this.options.userName ?? null,
        password: this.options.password ?? null,
        manageable: this.options.faultTolerant ?? false,
        faultTolerant: this.options.faultTolerant ?? false,
        failoverReconnect: this.options.failoverReconnect ?? false,
      }),
      this.#request({ type: 'SessionInfo', sessionId: this.sessionId }),
      this.#request({
        type: 'ProducerInfo',
        producerId: this.producerId,
        windowSize: this.options.producerWindowSize ?? 0,
      }),
    ]);
    const refused = registered.find((r) => r.status === 'rejected');
    if (refused) throw refused.reason;
    this.#connected = true;
  }

  /**
   * The broker's ConnectionControls that arrived before `connect()` resolved (a broker sends one
   * right after ConnectionInfo to a manageable connection): read them once connected.
   */
  get handshakeConnectionControls(): readonly ConnectionControl[] {
    return this.#handshakeControls;
  }

  /** The broker's BrokerInfo (name, URL), once it arrived. */
  get brokerInfo(): BrokerInfo | undefined {
    return this.#brokerInfo;
  }

  /** The negotiated wire format and inactivity limits. */
  get negotiated(): Negotiated | undefined {
    return this.#negotiated;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Bytes of asynchronous sends the broker has not acknowledged yet (with a producer window). */
  get producerWindowUsed(): number {
    return this.#window?.used ?? 0;
  }

  /**
   * Sends one message. Resolves once the broker confirmed it (sync) or it was written (async),
   * with the message id the broker uses for duplicate detection.
   */
  async send(
    destination: Destination,
    body: MessageBody,
    options: SendOptions = {},
  ): Promise<string> {
    const persistent = options.persistent ?? true;
    const sync = options.sync ?? (persistent && options.transactionId === undefined);
    const sequence =
      options.producerSequence ?? this.options.producerSequence?.next() ?? ++this.#producerSequence;
    const commandId = this.#nextCommandId();
    const message = outgoingMessage(
      destination,
      body,
      options,
      {
        producerId: this.producerId,
        messageId: {
          type: 'MessageId',
          textView: null,
          producerId: this.producerId,
          producerSequenceId: sequence,
          brokerSequenceId: 0n,
        },
        commandId,
      },
      Date.now(),
      sync,
    );
    if (sync) await this.#awaitResponse(commandId, message);
    else {
      if (this.#window) {
        const props = options.properties;
        const content = (message as { content?: Uint8Array | null }).content;
        await this.#window.reserve(
          messageSize(props ? encodePrimitiveMap(props).length : 0, content?.length ?? 0),
        );
      }
      await this.#writeAsync(message);
    }
    return `${this.producerId.connectionId}:1:1:${sequence}`;
  }

  /** The sequence the next `send` without `producerSequence` would use (for a failover layer). */
  nextProducerSequence(): bigint {
    return this.options.producerSequence?.next() ?? ++this.#producerSequence;
  }

  /** Subscribes to a queue or topic; with prefetch 0 use `consumer.pull()` instead of a handler. */
  async subscribe(
    destination: Destination,
    handler: MessageHandler | undefined,
    options: SubscribeOptions = {},
  ): Promise<OpenWireConsumer> {
    const value = ++this.#consumerSequence;
    const consumerId = {
      type: 'ConsumerId',
      connectionId: this.connectionId.value,
      sessionId: 1n,
      value,
    } as const;
    const consumer = new OpenWireConsumer(
      consumerId,
      destination,
      options,
      handler,
      {
        send: (command, sync) => (sync ? this.#request(command) : this.#writeAsync(command)),
        nextCommandId: () => this.#nextCommandId(),
      },
      async (lastDeliveredSequenceId) => {
        this.#consumers.delete(value);
        await this.#request({ type: 'RemoveInfo', objectId: consumerId, lastDeliveredSequenceId });
      },
    );
    this.#consumers.set(value, consumer);
    try {
      await this.#request({
        type: 'ConsumerInfo',
        consumerId,
        destination,
        prefetchSize: options.prefetch ?? 1000,
        maximumPendingMessageLimit: 0,
        dispatchAsync: true,
        selector: options.selector ?? null,
        clientId: options.subscriptionName === undefined ? null : this.clientId,
        subscriptionName: options.subscriptionName ?? null,
        noLocal: options.noLocal ?? false,
        exclusive: options.exclusive ?? false,
        priority: 0,
      });
    } catch (error) {
      this.#consumers.delete(value);
      throw error;
    }
    return consumer;
  }

  /** Starts a local transaction (TransactionInfo BEGIN); pass its id to send/ack, then commit or roll back. */
  async begin(): Promise<LocalTransactionId> {
    const transactionId: LocalTransactionId = {
      type: 'LocalTransactionId',
      value: ++this.#transactionSequence,
      connectionId: this.connectionId,
    };
    await this.#transaction(transactionId, TRANSACTION_TYPE.BEGIN);
    return transactionId;
  }

  commit(transactionId: LocalTransactionId): Promise<void> {
    return this.#transaction(transactionId, TRANSACTION_TYPE.COMMIT_ONE_PHASE);
  }

  rollback(transactionId: LocalTransactionId): Promise<void> {
    return this.#transaction(transactionId, TRANSACTION_TYPE.ROLLBACK);
  }

  #transaction(transactionId: LocalTransactionId, transactionType: number): Promise<void> {
    return this.#request({
      type: 'TransactionInfo',
      connectionId: this.connectionId,
      transactionId,
      transactionType,
    });
  }

  /**
   * Removes this client id's durable subscription `name` and its stored messages (its consumer
   * must be closed first: the broker refuses while one is active).
   */
  unsubscribeDurable(name: string): Promise<void> {
    return this.#request({
      type: 'RemoveSubscriptionInfo',
      connectionId: this.connectionId,
      subcriptionName: name,
      clientId: this.clientId,
    });
  }

  /**
   * Registers a temporary destination under a name of ours (`<connectionId>:<suffix>`): a
   * failover layer re-creates its temporary destinations under their old names.
   */
  async addTemporaryDestination(destination: Destination): Promise<void> {
    await this.#request({
      type: 'DestinationInfo',
      connectionId: this.connectionId,
      destination,
      operationType: 0,
    });
  }

  /** Creates a temporary queue (or topic) that lives as long as this connection. */
  async createTemporaryDestination(kind: 'queue' | 'topic' = 'queue'): Promise<Destination> {
    const destination: Destination = {
      type: kind === 'queue' ? 'ActiveMQTempQueue' : 'ActiveMQTempTopic',
      physicalName: `${this.connectionId.value}:${++this.#tempSequence}`,
    };
    await this.#request({
      type: 'DestinationInfo',
      connectionId: this.connectionId,
      destination,
      operationType: 0,
    });
    return destination;
  }

  async deleteTemporaryDestination(destination: Destination): Promise<void> {
    await this.#request({
      type: 'DestinationInfo',
      connectionId: this.connectionId,
      destination,
      operationType: 1,
    });
  }

  /**
   * Closes cleanly: consumers, session and connection removed on the broker (confirmed), then
   * ShutdownInfo and the socket end. Safe to call twice.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      for (const consumer of [...this.#consumers.values()]) await consumer.close();
      await this.#request({
        type: 'RemoveInfo',
        objectId: this.sessionId,
        lastDeliveredSequenceId: -1n,
      });
      await this.#request({
        type: 'RemoveInfo',
        objectId: this.connectionId,
        lastDeliveredSequenceId: -1n,
      });
      this.#write({ type: 'ShutdownInfo', commandId: this.#nextCommandId() });
    } finally {
      this.#shutdown(undefined);
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close().catch(() => undefined);
  }

  // ------------------------------------------------------------------ transport

  #nextCommandId(): number {
    this.#commandId = (this.#commandId + 1) | 0;
    return this.#commandId;
  }

  #request(command: CommandInput): Promise<void> {
    const commandId = this.#nextCommandId();
    return this.#awaitResponse(commandId, {
      ...command,
      commandId,
      responseRequired: true,
    } as CommandInput);
  }

  #awaitResponse(commandId: number, command: CommandInput): Promise<void> {
    if (this.#closed) return Promise.reject(closedError());
    const requestMs = this.options.requestTimeoutMs ?? 10_000;
    const timeoutMs = this.#connected ? (this.options.responseTimeoutMs ?? requestMs) : requestMs;
    return new Promise<void>((resolve, reject) => {
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              this.#pending.delete(commandId);
              reject(
                new OpenWireError('TIMEOUT', `no answer to ${command.type} within ${timeoutMs} ms`),
              );
            }, timeoutMs)
          : undefined;
      this.#pending.set(commandId, { resolve, reject, timer });
      try {
        this.#write(command);
      } catch (error) {
        clearTimeout(timer);
        this.#pending.delete(commandId);
        reject(error);
      }
    });
  }

  #writeAsync(command: CommandInput): Promise<void> {
    if (this.#closed) return Promise.reject(closedError());
    return new Promise((resolve, reject) => {
      this.socket.write(this.#encode(command), (error) => (error ? reject(error) : resolve()));
      this.#lastWriteAt = Date.now();
    });
  }

  #write(command: CommandInput): void {
    this.socket.write(this.#encode(command));
    this.#lastWriteAt = Date.now();
  }

  #encode(command: CommandInput): Uint8Array {
    return encodeFrame(command, command.type === 'WireFormatInfo' ? INITIAL_WIRE_FORMAT : this.#wf);
  }

  #onData(chunk: Buffer): void {
    this.#lastReadAt = Date.now();
    let payloads: Uint8Array[];
    try {
      payloads = this.#splitter.push(chunk);
    } catch (error) {
      // A bad size prefix: the stream cannot be resynchronised.
      this.#shutdown(
        error instanceof OpenWireError ? error : new OpenWireError('MALFORMED', String(error)),
      );
      return;
    }
    for (const payload of payloads) {
      let command: Command;
      try {
        command = decodePayload(
          payload,
          this.#negotiated === undefined ? INITIAL_WIRE_FORMAT : this.#wf,
        );
      } catch (error) {
        // The frame boundary is intact: report it and carry on with the next frame.
        this.emit('error', error);
        continue;
      }
      this.#onCommand(command);
    }
  }

  #onCommand(command: Command): void {
    switch (command.type) {
      case 'WireFormatInfo':
        this.#onWireFormat?.(command);
        this.#onWireFormat = undefined;
        return;
      case 'BrokerInfo':
        this.#brokerInfo = command;
        return;
      case 'Response':
      case 'IntegerResponse':
      case 'DataResponse':
      case 'ExceptionResponse': {
        const pending = this.#pending.get(command.correlationId);
        if (pending === undefined) return;
        this.#pending.delete(command.correlationId);
        clearTimeout(pending.timer);
        if (command.type === 'ExceptionResponse') {
          pending.reject(
            new OpenWireBrokerError(
              command.exception?.exceptionClass ?? null,
              command.exception?.message ?? null,
            ),
          );
        } else {
          pending.resolve();
        }
        return;
      }
      case 'MessageDispatch': {
        const consumer = this.#consumers.get(command.consumerId?.value ?? -1n);
        consumer?.dispatch(command, (e) => this.emit('error', e));
        return;
      }
      case 'KeepAliveInfo':
        if (command.responseRequired)
          this.#write({ type: 'KeepAliveInfo', commandId: this.#nextCommandId() });
        return;
      case 'ConnectionControl':
        if (!this.#connected) this.#handshakeControls.push(command);
        this.emit('connectionControl', command);
        return;
      case 'ConsumerControl':
        this.emit('consumerControl', command);
        return;
      case 'ProducerAck':
        this.#window?.release(command.size);
        this.emit('producerAck', command);
        return;
      case 'ConnectionError':
        this.#shutdown(
          new OpenWireBrokerError(
            command.exception?.exceptionClass ?? null,
            command.exception?.message ?? null,
          ),
        );
        return;
      case 'ShutdownInfo':
        this.#shutdown(
          new OpenWireError('CONNECTION_CLOSED', 'the broker shut the connection down'),
        );
        return;
      default:
        return;
    }
  }

  #startMonitor(): void {
    const max = this.#negotiated?.maxInactivityDuration ?? 0;
    if (max <= 0) return;
    this.#monitor = setInterval(() => {
      const decision = inactivityDecision({
        now: Date.now(),
        lastReadAt: this.#lastReadAt,
        lastWriteAt: this.#lastWriteAt,
        maxInactivityMs: max,
      });
      if (decision === 'dead') {
        this.#shutdown(
          new OpenWireError('INACTIVITY_TIMEOUT', `nothing from the broker for ${max} ms`),
        );
      } else if (decision === 'keep-alive') {
        this.#write({ type: 'KeepAliveInfo', commandId: this.#nextCommandId() });
      }
    }, keepAliveIntervalMs(max));
    this.#monitor.unref();
  }

  #shutdown(reason: OpenWireError | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#monitor);
    this.#window?.releaseAll();
    const error = reason ?? closedError();
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.#pending.clear();
    this.socket.end();
    this.socket.destroy();
    this.emit('close', reason);
  }
}

function closedError(): OpenWireError {
  return new OpenWireError('CONNECTION_CLOSED', 'the connection is closed');
}
