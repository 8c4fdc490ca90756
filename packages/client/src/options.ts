import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { type Discovery, failover, servers } from './discovery.js';
import { invalidOption } from './errors.js';
import type { Logger } from './logger.js';
import { silentLogger } from './logger.js';
import {
  RECONNECT_HINT_DEFAULTS,
  type ReconnectHintOptions,
  type ResolvedReconnectHints,
} from './reconnect-hint.js';
import {
  type ReconnectOptions,
  type ResolvedReconnect,
  validateReconnect,
} from './reconnect-policy.js';
import type { ServerAddress } from './server-address.js';

export type { ReconnectOptions } from './reconnect-policy.js';

/**
 * Limits on frames, in both directions. The defaults are ActiveMQ's own (`StompWireFormat`):
 * what the broker would refuse is refused before it is written, and what it can send is taken.
 */
export interface FrameLimits {
  /** Longest header line (name, colon and escaped value), bytes. @default 10240 */
  readonly maxHeaderLineBytes?: number;
  /** Most headers in one frame. @default 1000 */
  readonly maxHeaders?: number;
  /**
   * Largest body, bytes. ActiveMQ's `maxDataLength` is 100 MiB; a connector may set
   * `wireFormat.maxDataLength` lower — set the same value here.
   * @default 104857600
   */
  readonly maxBodyBytes?: number;
}

export const FRAME_LIMIT_DEFAULTS: Required<FrameLimits> = {
  maxHeaderLineBytes: 10 * 1024,
  maxHeaders: 1000,
  maxBodyBytes: 100 * 1024 * 1024,
};

export interface HaClientOptions {
  /**
   * Where the active broker is: `kubernetes({...})`, `servers([...])`, `failover('failover:(...)')`,
   * or directly a failover URI string or an array of server URIs.
   * @example 'failover:(stomp://amq-0:61613,stomp://amq-1:61613)?randomize=false'
   */
  readonly discovery: Discovery | string | readonly (string | ServerAddress)[];
  readonly login?: string;
  readonly passcode?: string;
  /**
   * CONNECT `client-id`. Needed for durable topic subscriptions: ActiveMQ keys them by client id
   * and subscription name, and without one every connection is a new client. Only one
   * connection per broker may use an id at a time (`CLIENT_ID_IN_USE` otherwise).
   */
  readonly clientId?: string;
  /** STOMP `host` header. @default '/' */
  readonly vhost?: string;
  /** TLS options for `stomp+ssl://` servers (CA, client certificate, ...). */
  readonly tls?: TlsOptions;
  /**
   * Heart-beat interval asked for in both directions, ms. Always negotiated (ActiveMQ's default
   * is none, which leaves a dead peer undetected); the client sends at half of what the broker
   * expects because ActiveMQ's read check has no grace.
   * @default 5000
   */
  readonly heartBeatMs?: number;
  /** Limit on TCP/TLS connect plus the STOMP handshake, ms. @default 5000 */
  readonly connectTimeoutMs?: number;
  /** Delays between failed rounds (overrides a failover URI's options). See `ReconnectOptions`. */
  readonly reconnect?: ReconnectOptions;
  /**
   * OpenWire: which of the broker's reconnect hints (ConnectionControl) to follow; a failover
   * URI's `reconnectSupported`/`updateURIsSupported` set the defaults. See `ReconnectHintOptions`.
   * @default { reconnectTo: true, connectedBrokers: true } (as ActiveMQ's failover transport)
   */
  readonly reconnectHints?: ReconnectHintOptions;
  /** Frame size limits; defaults are ActiveMQ's. */
  readonly frameLimits?: FrameLimits;
  /**
   * Writes a send gets before it is rejected with `SEND_REJECTED` when each of its connections
   * died before its receipt (a broker that closes the connection on it, or crashes on it).
   * @default 3
   */
  readonly maxSendAttempts?: number;
  /**
   * Most sends accepted and not yet confirmed by a RECEIPT (queued during a failover plus in
   * flight); bounds memory.
   * @default 1000
   */
  readonly outboxSize?: number;
  /** What `send()` does when the outbox is full: reject with `OUTBOX_FULL`, or wait. @default 'reject' */
  readonly outboxOverflow?: 'reject' | 'wait';
  /**
   * A send not confirmed within this many ms rejects with `SEND_TIMEOUT` (it may still have
   * reached the broker). 0 waits for ever. Overrides a failover URI's `timeout`.
   * @default 0
   */
  readonly sendTimeoutMs?: number;
  /** Header carrying each message's stable id (a UUID unless the caller sets it). @default 'ha-message-id' */
  readonly messageIdHeader?: string;
  /** How long `close()` waits for outstanding receipts by default, ms. @default 10000 */
  readonly drainTimeoutMs?: number;
  /** A pino-compatible logger for debug/warn lines. @default silent */
  readonly logger?: Logger;
}

export interface ResolvedOptions {
  readonly discovery: Discovery;
  readonly login: string | undefined;
  readonly passcode: string | undefined;
  readonly clientId: string | undefined;
  readonly vhost: string;
  readonly tls: TlsOptions | undefined;
  readonly heartBeatMs: number;
  readonly connectTimeoutMs: number;
  readonly reconnect: ResolvedReconnect;
  readonly reconnectHints: ResolvedReconnectHints;
  readonly frameLimits: Required<FrameLimits>;
  readonly maxSendAttempts: number;
  readonly outboxSize: number;
  readonly outboxOverflow: 'reject' | 'wait';
  readonly sendTimeoutMs: number;
  readonly messageIdHeader: string;
  readonly drainTimeoutMs: number;
  readonly logger: Logger;
}

const KEYS = new Set<string>([
  'discovery',
  'login',
  'passcode',
  'clientId',
  'vhost',
  'tls',
  'heartBeatMs',
  'connectTimeoutMs',
  'reconnect',
  'reconnectHints',
  'frameLimits',
  'maxSendAttempts',
  'outboxSize',
  'outboxOverflow',
  'sendTimeoutMs',
  'messageIdHeader',
  'drainTimeoutMs',
  'logger',
]);
const HINT_KEYS = new Set(Object.keys(RECONNECT_HINT_DEFAULTS));
const RECONNECT_KEYS = new Set([
  'initialDelayMs',
  'fastMaxDelayMs',
  'fastWindowMs',
  'maxDelayMs',
  'multiplier',
  'jitter',
  'maxRounds',
]);

/** Validates options, fills defaults, and fails on unknown keys (a typo must not be ignored). */
export function resolveOptions(options: HaClientOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw invalidOption('options', 'must be an object');
  }
  unknownKeys(options, KEYS, '');
  if (options.reconnect !== undefined) unknownKeys(options.reconnect, RECONNECT_KEYS, 'reconnect.');
  const discovery = toDiscovery(options.discovery);
  const d = discovery.defaults ?? {};
  const reconnect = validateReconnect(
    {
      ...options.reconnect,
      initialDelayMs: options.reconnect?.initialDelayMs ?? d.initialReconnectDelayMs,
      maxDelayMs: options.reconnect?.maxDelayMs ?? d.maxReconnectDelayMs,
      multiplier: options.reconnect?.multiplier ?? d.backOffMultiplier,
      maxRounds: options.reconnect?.maxRounds ?? d.maxReconnectAttempts,
    },
    'reconnect.',
  );
  if (options.reconnectHints !== undefined) {
    unknownKeys(options.reconnectHints, HINT_KEYS, 'reconnectHints.');
  }
  const reconnectHints: ResolvedReconnectHints = {
    reconnectTo: flag(
      'reconnectHints.reconnectTo',
      options.reconnectHints?.reconnectTo ?? d.reconnectSupported,
    ),
    connectedBrokers: flag(
      'reconnectHints.connectedBrokers',
      options.reconnectHints?.connectedBrokers ?? d.updateURIsSupported,
    ),
  };
  if (options.frameLimits !== undefined) {
    unknownKeys(options.frameLimits, new Set(Object.keys(FRAME_LIMIT_DEFAULTS)), 'frameLimits.');
  }
  const limits = { ...FRAME_LIMIT_DEFAULTS, ...options.frameLimits };
  for (const [k, v] of Object.entries(limits)) integer(`frameLimits.${k}`, v, 1);
  const resolved: ResolvedOptions = {
    discovery,
    login: optionalString('login', options.login),
    passcode: optionalString('passcode', options.passcode),
    clientId: optionalString('clientId', options.clientId),
    vhost: optionalString('vhost', options.vhost) ?? '/',
    tls: options.tls,
    heartBeatMs: integer('heartBeatMs', options.heartBeatMs ?? 5000, 100),
    connectTimeoutMs: integer('connectTimeoutMs', options.connectTimeoutMs ?? 5000, 1),
    reconnect,
    reconnectHints,
    frameLimits: limits,
    maxSendAttempts: integer('maxSendAttempts', options.maxSendAttempts ?? 3, 1),
    outboxSize: integer('outboxSize', options.outboxSize ?? 1000, 1),
    outboxOverflow: options.outboxOverflow ?? 'reject',
    sendTimeoutMs: integer('sendTimeoutMs', options.sendTimeoutMs ?? d.sendTimeoutMs ?? 0, 0),
    messageIdHeader: optionalString('messageIdHeader', options.messageIdHeader) ?? 'ha-message-id',
    drainTimeoutMs: integer('drainTimeoutMs', options.drainTimeoutMs ?? 10_000, 0),
    logger: options.logger ?? silentLogger,
  };
  if (resolved.outboxOverflow !== 'reject' && resolved.outboxOverflow !== 'wait') {
    throw invalidOption(
      'outboxOverflow',
      `must be 'reject' or 'wait', got ${String(resolved.outboxOverflow)}`,
    );
  }
  if (!/^[a-z0-9-]+$/i.test(resolved.messageIdHeader)) {
    throw invalidOption('messageIdHeader', 'must be a plain header name ([A-Za-z0-9-]+)');
  }
  return resolved;
}

function toDiscovery(value: HaClientOptions['discovery']): Discovery {
  // A single server URI ('stomp://host:61613') is a one-element list; anything else a string
  // can say is a failover URI.
  if (typeof value === 'string') {
    return /^failover:/i.test(value.trim()) ? failover(value) : servers([value]);
  }
  if (Array.isArray(value)) return servers(value);
  if (value && typeof value === 'object' && typeof (value as Discovery).round === 'function') {
    return value as Discovery;
  }
  throw invalidOption(
    'discovery',
    'must be kubernetes({...}), servers([...]), failover(uri), a server or failover URI string, or an array of server URIs',
  );
}

function unknownKeys(o: object, known: Set<string>, prefix: string): void {
  for (const key of Object.keys(o)) {
    if (!known.has(key)) {
      throw invalidOption(`${prefix}${key}`, `unknown option; known: ${[...known].join(', ')}`);
    }
  }
}

function flag(field: string, value: boolean | undefined): boolean {
  if (value !== undefined && typeof value !== 'boolean') {
    throw invalidOption(field, `must be true or false, got ${String(value)}`);
  }
  return value ?? true;
}

function integer(field: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw invalidOption(field, `must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

function optionalString(field: string, value: string | undefined): string | undefined {
  if (value !== undefined && typeof value !== 'string') {
    throw invalidOption(field, `must be a string, got ${typeof value}`);
  }
  return value;
}
