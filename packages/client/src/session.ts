import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { DataStructure, PropertyMap, PropertyValue } from '@activemq-ha/openwire';
import type { HaClientError } from './errors.js';
import type { ConnectionControlDecision, ResolvedReconnectHints } from './reconnect-hint.js';
import type { ServerAddress } from './server-address.js';

/**
 * One broker connection as the HA layer sees it — the reconnect loop, the outbox, subscriptions
 * and transactions talk only to this: commands a broker confirms (`request`, settled by a
 * receipt or failed by the broker's error for it), commands it does not (`fire`), incoming
 * messages and the connection's end. `StompSession` is the STOMP one; an OpenWire session fits
 * the same shape (a Response for the command id instead of a RECEIPT), with commands and headers
 * in STOMP's vocabulary, which is also JMS's.
 */
export interface Session {
  readonly server: ServerAddress;
  /** [we send every, we expect the broker within] in ms. */
  readonly heartBeat: readonly [number, number];
  readonly alive: boolean;
  /** Resolves when the broker confirmed the command; rejects with its error, or CONNECTION_LOST. */
  request(
    command: SessionCommand,
    headers: FrameHeaders,
    body?: Buffer | string,
    extras?: SendExtras,
  ): Promise<void>;
  /** Writes a command nobody waits for; false when the connection is gone. */
  fire(
    command: SessionCommand,
    headers: FrameHeaders,
    body?: Buffer | string,
    extras?: SendExtras,
  ): boolean;
  /**
   * OpenWire only: asks the broker for one message of the prefetch-0 subscription `subscription`
   * (MessagePull). The message comes through `SessionHandlers.message` like any delivery; resolves
   * true then, false when none came within `timeoutMs` (0: no limit); rejects with
   * CONNECTION_LOST when the connection ends first.
   */
  pull?(subscription: string, timeoutMs: number): Promise<boolean>;
  /** Orderly goodbye, bounded by `timeoutMs`, then closed. */
  disconnect(timeoutMs: number): Promise<void>;
  destroy(error?: HaClientError): void;
}

export type SessionCommand =
  | 'SEND'
  | 'SUBSCRIBE'
  | 'UNSUBSCRIBE'
  | 'ACK'
  | 'NACK'
  | 'BEGIN'
  | 'COMMIT'
  | 'ABORT'
  | 'DISCONNECT';

/** Dials, handshakes and resolves with an open session. */
export type OpenSession = (options: SessionOptions, handlers: SessionHandlers) => Promise<Session>;

export type FrameHeaders = Record<string, string>;

/**
 * What a SEND carries beside its headers in a protocol with typed messages (OpenWire): JMS
 * properties with their Java types. STOMP has only strings (the headers hold those).
 */
export interface SendExtras {
  readonly properties?: PropertyMap;
  /** A MapMessage's entries (the body is then empty); OpenWire only. */
  readonly map?: PropertyMap;
}

/** A MESSAGE frame read in full. */
export interface MessageFrame {
  readonly headers: Readonly<FrameHeaders>;
  readonly body: Buffer;
  /** Set when the frame is over a `frameLimits` bound: what is over (the body is then empty). */
  readonly oversize?: string;
  /** OpenWire: the JMS properties with their Java types (the headers have them as strings). */
  readonly properties?: ReadonlyMap<string, PropertyValue>;
  /** OpenWire: a MapMessage's entries, typed (the body is then their JSON). */
  readonly map?: ReadonlyMap<string, PropertyValue>;
  /** OpenWire: the command an advisory message carries (ActiveMQMessage.getDataStructure()). */
  readonly dataStructure?: DataStructure;
}

/** Frame limits as the session applies them to incoming MESSAGE frames. */
export interface IncomingLimits {
  readonly maxHeaderLineBytes: number;
  readonly maxHeaders: number;
  readonly maxBodyBytes: number;
}

export interface SessionOptions {
  readonly server: ServerAddress;
  readonly login?: string;
  readonly passcode?: string;
  /** CONNECT `client-id`. */
  readonly clientId?: string;
  readonly limits: IncomingLimits;
  /** STOMP `host` header (virtual host). */
  readonly vhost: string;
  /** Heart-beat interval asked for in both directions, ms (> 0). */
  readonly heartBeatMs: number;
  /** Covers TCP/TLS connect and the CONNECT/CONNECTED exchange. */
  readonly connectTimeoutMs: number;
  readonly tls?: TlsOptions;
  /** Which broker reconnect hints to follow (OpenWire's ConnectionControl). */
  readonly reconnectHints: ResolvedReconnectHints;
}

export interface SessionHandlers {
  message(frame: MessageFrame): void;
  /**
   * The broker sent a reconnect hint the session acted on (`redirect`: it ends next, and the
   * servers go first in the next round) or refused (`refused` says why).
   */
  hint?(decision: ConnectionControlDecision): void;
  /** Called once when the connection ends; `error` is undefined after a clean DISCONNECT. */
  closed(error: HaClientError | undefined): void;
}
