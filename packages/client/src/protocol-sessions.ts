import { openWireSessions } from './openwire-session.js';
import type { OpenSession } from './session.js';
import { StompSession } from './stomp-session.js';

/**
 * The protocol below the HA logic, chosen per server by its URI (`stomp://` or `tcp://`/
 * `ssl://`). One per client: the OpenWire side keeps the client's identity across its
 * connections (see `OpenWireIdentity`).
 */
export function protocolSessions(): OpenSession {
  const openWire = openWireSessions();
  return (options, handlers) =>
    options.server.protocol === 'openwire'
      ? openWire(options, handlers)
      : StompSession.open(options, handlers);
}
