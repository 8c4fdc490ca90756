import type { HaClientError } from './errors.js';
import { invalidUri } from './errors.js';
import { type FailoverUriOptions, parseFailoverUri } from './failover-uri.js';
import { formatServer, type ServerAddress, toServerAddress } from './server-address.js';
import { ServerList, type ServerListOptions } from './server-list.js';

/** What a discovery tells the client between rounds. */
export interface DiscoveryListener {
  /**
   * The active broker moved (or vanished: `to` undefined). The client drops a connection to a
   * server no longer named and starts a new round at once, without waiting for a socket error
   * or a heart-beat timeout.
   */
  moved(change: { readonly from?: string; readonly to?: string }): void;
  /** A non-fatal problem (e.g. the API is unreachable; the last known answer is kept). */
  error(error: HaClientError): void;
}

/** Where the active broker is. `servers()`, `failover()` and `kubernetes()` make one. */
export interface Discovery {
  /** For logs, e.g. `servers(stomp://a:61613, stomp://b:61613)`. */
  readonly description: string;
  /** Reconnect options implied by the source (a failover URI's query); client options win. */
  readonly defaults?: FailoverUriOptions;
  start(listener: DiscoveryListener): void | Promise<void>;
  /**
   * Servers for the next connection round, in the order to try them. Empty when nothing is
   * known yet: the client then waits for `moved`.
   */
  round(lost?: ServerAddress): readonly ServerAddress[];
  stop(): void;
}

/**
 * A fixed list of brokers, tried in the written order, a round starting after the one just lost
 * (or shuffled with `randomize`); the README's "Order" has the details.
 * For clients outside the cluster or without API access.
 */
export function servers(
  list: readonly (string | ServerAddress)[],
  options: Omit<ServerListOptions, 'random'> = {},
): Discovery {
  const parsed = list.map((s, i) => toServerAddress(s, `servers[${i}]`));
  return staticDiscovery(parsed, options, undefined);
}

/**
 * ActiveMQ's failover URI, e.g.
 * `failover:(stomp://a:61613,stomp+ssl://b:61612)?randomize=false&initialReconnectDelay=10`.
 * Its reconnect options become the client's defaults.
 */
export function failover(uri: string): Discovery {
  const { servers: list, options } = parseFailoverUri(uri);
  return staticDiscovery(list, { randomize: options.randomize ?? false }, options);
}

function staticDiscovery(
  list: readonly ServerAddress[],
  options: ServerListOptions,
  defaults: FailoverUriOptions | undefined,
): Discovery {
  const protocols = new Set(list.map((s) => s.protocol ?? 'stomp'));
  if (protocols.size > 1) {
    // Subscriptions, acks and message ids are restored in one protocol's terms.
    throw invalidUri(
      'servers',
      `${list.map(formatServer).join(', ')} mixes STOMP and OpenWire; one client speaks one protocol: list the brokers' stomp:// or their tcp:// connectors`,
    );
  }
  const pool = new ServerList(list, options);
  const description = `servers(${list.map(formatServer).join(', ')})`;
  return {
    description,
    ...(defaults ? { defaults } : {}),
    start() {},
    round: (lost) => pool.round(lost),
    stop() {},
  };
}
