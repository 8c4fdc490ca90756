import { invalidUri } from './errors.js';
import { parseServerUri, type ServerAddress } from './server-address.js';

/** Reconnect policy carried by a failover URI, in ActiveMQ's option names. */
export interface FailoverUriOptions {
  /** ms before the first reconnect attempt. ActiveMQ: `initialReconnectDelay`. */
  readonly initialReconnectDelayMs?: number;
  /** ms cap on the delay between attempts. ActiveMQ: `maxReconnectDelay`. */
  readonly maxReconnectDelayMs?: number;
  /** ActiveMQ: `backOffMultiplier` (used only when `useExponentialBackOff` is true). */
  readonly backOffMultiplier?: number;
  /** Attempts before giving up; -1 for never. ActiveMQ: `maxReconnectAttempts`. */
  readonly maxReconnectAttempts?: number;
  /** Shuffle the server list once per round. ActiveMQ: `randomize` (ours defaults to false). */
  readonly randomize?: boolean;
  /** ms a send may wait for its receipt; 0 for no limit. ActiveMQ: `timeout`. */
  readonly sendTimeoutMs?: number;
  /** OpenWire: follow the broker's `reconnectTo` hint. ActiveMQ: `reconnectSupported`. */
  readonly reconnectSupported?: boolean;
  /**
   * OpenWire: follow the broker's `connectedBrokers` rebalance hint. ActiveMQ:
   * `updateURIsSupported`.
   */
  readonly updateURIsSupported?: boolean;
}

export interface ParsedFailoverUri {
  readonly servers: readonly ServerAddress[];
  readonly options: FailoverUriOptions;
}

type OptionParser = (value: string, name: string) => Partial<Record<string, unknown>>;

const int =
  (key: keyof FailoverUriOptions, min: number): OptionParser =>
  (value, name) => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value) || n < min) {
      throw invalidUri(`failover.${name}`, `must be an integer >= ${min}, got "${value}"`);
    }
    return { [key]: n };
  };

const bool =
  (key: keyof FailoverUriOptions): OptionParser =>
  (value, name) => {
    if (value !== 'true' && value !== 'false') {
      throw invalidUri(`failover.${name}`, `must be true or false, got "${value}"`);
    }
    return { [key]: value === 'true' };
  };

const KNOWN: Record<string, OptionParser> = {
  initialReconnectDelay: int('initialReconnectDelayMs', 0),
  maxReconnectDelay: int('maxReconnectDelayMs', 0),
  maxReconnectAttempts: int('maxReconnectAttempts', -1),
  randomize: bool('randomize'),
  reconnectSupported: bool('reconnectSupported'),
  updateURIsSupported: bool('updateURIsSupported'),
  timeout: (value, name) => {
    // ActiveMQ spells "no timeout" as -1; ours is 0.
    const { sendTimeoutMs } = int('sendTimeoutMs', -1)(value, name) as { sendTimeoutMs: number };
    return { sendTimeoutMs: Math.max(0, sendTimeoutMs) };
  },
  backOffMultiplier: (value, name) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 1) {
      throw invalidUri(`failover.${name}`, `must be a number >= 1, got "${value}"`);
    }
    return { backOffMultiplier: n };
  },
  // Applied after the other options so that its position in the query does not matter.
  useExponentialBackOff: (value, name) => ({
    useExponentialBackOff: bool('randomize')(value, name).randomize,
  }),
};

/**
 * Parses `failover:(stomp://a:61613,stomp+ssl://b:61612)?randomize=false&initialReconnectDelay=10`
 * (ActiveMQ's failover transport syntax; the parentheses may be left out when there are no
 * options). Servers keep their written order. Unknown options are errors, not ignored.
 */
export function parseFailoverUri(uri: string): ParsedFailoverUri {
  const text = uri.trim();
  const m = /^failover:(?:\((.*)\)|([^()?]*))(?:\?(.*))?$/i.exec(text);
  if (!m) {
    throw invalidUri(
      'failover',
      `"${uri}" is not a failover URI; expected failover:(stomp://a:61613,stomp://b:61613)?randomize=false`,
    );
  }
  const list = (m[1] ?? m[2] ?? '').trim();
  if (list === '') throw invalidUri('failover', `"${uri}" lists no servers`);
  const servers = list.split(',').map((s, i) => parseServerUri(s, `failover.servers[${i}]`));

  let options: Record<string, unknown> = {};
  const query = m[3];
  if (query !== undefined && query !== '') {
    for (const pair of query.split('&')) {
      const eq = pair.indexOf('=');
      const name = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
      const value = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1));
      const parse = KNOWN[name];
      if (!parse) {
        throw invalidUri(
          `failover.${name}`,
          `unknown failover option; supported: ${Object.keys(KNOWN).join(', ')}`,
        );
      }
      options = { ...options, ...parse(value, name) };
    }
  }
  const { useExponentialBackOff, ...rest } = options;
  if (useExponentialBackOff === false) rest.backOffMultiplier = 1;
  return { servers, options: rest as FailoverUriOptions };
}
