import type { HaClientError } from './errors.js';
import type { ServerAddress } from './server-address.js';

/**
 * Where the client is in its connection lifecycle. `client.state` holds the current one and the
 * `state` event reports every change, so callers can switch on `type`.
 */
export type ConnectionState =
  /** Created, `connect()` not called yet. */
  | { readonly type: 'idle' }
  /** Dialling `server` (TCP/TLS + STOMP CONNECT); `round` counts failed rounds so far. */
  | { readonly type: 'connecting'; readonly server: ServerAddress; readonly round: number }
  /** A STOMP session is up. */
  | {
      readonly type: 'connected';
      readonly server: ServerAddress;
      readonly since: number;
      /** Negotiated intervals in ms: [we send every, we expect the broker every]. */
      readonly heartBeat: readonly [number, number];
    }
  /** Between rounds: sleeping `delayMs` of backoff, or waiting for discovery to name a server. */
  | {
      readonly type: 'waiting';
      readonly delayMs: number | 'discovery';
      readonly round: number;
      readonly lastError?: Error;
    }
  /** `close()` is draining outstanding receipts. */
  | { readonly type: 'closing' }
  /** Closed for good; `error` when it was a fatal failure (e.g. credentials refused). */
  | { readonly type: 'closed'; readonly error?: HaClientError };

export type ConnectionStateType = ConnectionState['type'];

/** True in the states where `send()` may still succeed eventually. */
export function isOpen(state: ConnectionState): boolean {
  return state.type !== 'closed' && state.type !== 'closing';
}
