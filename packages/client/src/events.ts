import type { ConnectionState } from './connection-state.js';
import type { HaClientError } from './errors.js';
import type { ServerAddress } from './server-address.js';

/** Events of `HaClient` (eventemitter3, typed). */
export interface HaClientEvents {
  /** Every change of `client.state`. */
  state: [state: ConnectionState];
  /** A connection attempt starts. */
  connecting: [info: { readonly server: ServerAddress; readonly round: number }];
  /** A STOMP session is up (subscriptions are being restored, the outbox is being flushed). */
  connected: [
    info: { readonly server: ServerAddress; readonly heartBeat: readonly [number, number] },
  ];
  /**
   * The session ended: `moved` when discovery named another broker, `redirected` when the
   * broker's reconnect hint (OpenWire) sent the client elsewhere, `close` on `close()`.
   */
  disconnected: [
    info: {
      readonly server: ServerAddress;
      readonly reason: 'error' | 'moved' | 'redirected' | 'close';
      readonly error?: HaClientError;
    },
  ];
  /**
   * Connected again after losing a connection. `outageMs` runs from the loss to the new
   * CONNECTED; `resent` counts unconfirmed sends written again on the new connection.
   */
  failover: [
    info: {
      readonly from: ServerAddress;
      readonly to: ServerAddress;
      readonly outageMs: number;
      readonly resent: number;
    },
  ];
  /** Problems that do not close the client, and the fatal one that does. */
  error: [error: HaClientError];
}
