import { invalidUri } from './errors.js';

/** One broker endpoint the client may dial. */
export interface ServerAddress {
  readonly host: string;
  readonly port: number;
  /** Dial with TLS (`stomp+ssl://`). @default false */
  readonly tls?: boolean;
}

/** Default STOMP ports: ActiveMQ's well-known ones. */
export const STOMP_PORT = 61613;
export const STOMP_TLS_PORT = 61612;

const PLAIN_SCHEMES = new Set(['stomp', 'stomp+nio']);
const TLS_SCHEMES = new Set(['stomp+ssl', 'stomp+nio+ssl', 'stomp+tls']);
/** ActiveMQ's OpenWire transports: a STOMP client dialling them would hang in the handshake. */
const OPENWIRE_SCHEMES = new Set(['tcp', 'nio', 'ssl', 'nio+ssl', 'auto', 'auto+nio', 'auto+ssl']);

/**
 * Parses one server URI in ActiveMQ's style: `stomp://host:61613`, `stomp+ssl://host:61612`,
 * `[::1]:61613` hosts in brackets. Per-server query options are not supported (they would be
 * silently ignored otherwise), so any `?` is an error.
 */
export function parseServerUri(uri: string, field = 'server'): ServerAddress {
  const m = /^([a-z][a-z0-9+.-]*):\/\/(\[[^\]]+\]|[^:/?#[\]]+)(?::(\d+))?\/?(\?.*)?$/i.exec(
    uri.trim(),
  );
  if (!m) {
    throw invalidUri(field, `"${uri}" is not a server URI; expected e.g. stomp://broker:61613`);
  }
  const scheme = m[1]!.toLowerCase();
  const rawHost = m[2]!;
  if (m[4]) {
    throw invalidUri(field, `"${uri}": per-server options ("${m[4]}") are not supported`);
  }
  if (OPENWIRE_SCHEMES.has(scheme)) {
    throw invalidUri(
      field,
      `"${uri}": ${scheme}:// is ActiveMQ's OpenWire transport, which this client does not speak yet; use the broker's STOMP connector, e.g. stomp://${rawHost}:${STOMP_PORT}`,
    );
  }
  let tls: boolean;
  if (PLAIN_SCHEMES.has(scheme)) tls = false;
  else if (TLS_SCHEMES.has(scheme)) tls = true;
  else {
    throw invalidUri(
      field,
      `"${uri}": unknown scheme "${scheme}"; use one of ${[...PLAIN_SCHEMES, ...TLS_SCHEMES].join(', ')}`,
    );
  }
  const host = rawHost.startsWith('[') ? rawHost.slice(1, -1) : rawHost;
  const port = m[3] === undefined ? (tls ? STOMP_TLS_PORT : STOMP_PORT) : Number(m[3]);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw invalidUri(field, `"${uri}": port must be 1..65535`);
  }
  return { host, port, tls };
}

/** Accepts a URI string or an address object and validates it. */
export function toServerAddress(server: string | ServerAddress, field = 'server'): ServerAddress {
  if (typeof server === 'string') return parseServerUri(server, field);
  if (typeof server.host !== 'string' || server.host.length === 0) {
    throw invalidUri(`${field}.host`, 'must be a non-empty string');
  }
  if (!Number.isInteger(server.port) || server.port < 1 || server.port > 65_535) {
    throw invalidUri(`${field}.port`, `must be an integer 1..65535, got ${String(server.port)}`);
  }
  return { host: server.host, port: server.port, tls: server.tls === true };
}

/** `stomp://host:port` / `stomp+ssl://[::1]:port`: for logs, events and identity comparisons. */
export function formatServer(server: ServerAddress): string {
  const host = server.host.includes(':') ? `[${server.host}]` : server.host;
  return `${server.tls ? 'stomp+ssl' : 'stomp'}://${host}:${server.port}`;
}

export function sameServer(a: ServerAddress | undefined, b: ServerAddress | undefined): boolean {
  if (!a || !b) return a === b;
  return a.host === b.host && a.port === b.port && (a.tls === true) === (b.tls === true);
}
