import { invalidUri } from './errors.js';

/** The wire protocol a server is spoken to in: STOMP 1.2 or ActiveMQ's native OpenWire. */
export type Protocol = 'stomp' | 'openwire';

/** One broker endpoint the client may dial. */
export interface ServerAddress {
  readonly host: string;
  readonly port: number;
  /** Dial with TLS (`stomp+ssl://`, `ssl://`). @default false */
  readonly tls?: boolean;
  /** `tcp://`/`ssl://` URIs are OpenWire, `stomp://` ones STOMP. @default 'stomp' */
  readonly protocol?: Protocol;
}

/** Default STOMP ports: ActiveMQ's well-known ones. */
export const STOMP_PORT = 61613;
export const STOMP_TLS_PORT = 61612;

const PLAIN_SCHEMES = new Set(['stomp', 'stomp+nio']);
const TLS_SCHEMES = new Set(['stomp+ssl', 'stomp+nio+ssl', 'stomp+tls']);
/** Default OpenWire ports: ActiveMQ's `openwire` connector and its usual TLS one. */
export const OPENWIRE_PORT = 61616;
export const OPENWIRE_TLS_PORT = 61617;

/** ActiveMQ's OpenWire transports as a client names them (Java's `tcp://`, `ssl://`, `nio…`). */
const OPENWIRE_PLAIN = new Set(['tcp', 'nio']);
const OPENWIRE_TLS = new Set(['ssl', 'nio+ssl', 'tls']);
/** Broker-side transports: a client URI with them is a copy of a connector's URI. */
const BROKER_ONLY = new Set(['auto', 'auto+nio', 'auto+ssl', 'auto+nio+ssl']);

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
  if (BROKER_ONLY.has(scheme)) {
    throw invalidUri(
      field,
      `"${uri}": ${scheme}:// is a broker connector transport (it detects the protocol); a client names the protocol it speaks, e.g. tcp://${rawHost}:${OPENWIRE_PORT} (OpenWire) or stomp://${rawHost}:${STOMP_PORT}`,
    );
  }
  let tls: boolean;
  let protocol: Protocol;
  if (PLAIN_SCHEMES.has(scheme)) [tls, protocol] = [false, 'stomp'];
  else if (TLS_SCHEMES.has(scheme)) [tls, protocol] = [true, 'stomp'];
  else if (OPENWIRE_PLAIN.has(scheme)) [tls, protocol] = [false, 'openwire'];
  else if (OPENWIRE_TLS.has(scheme)) [tls, protocol] = [true, 'openwire'];
  else {
    throw invalidUri(
      field,
      `"${uri}": unknown scheme "${scheme}"; use one of ${[...PLAIN_SCHEMES, ...TLS_SCHEMES, ...OPENWIRE_PLAIN, ...OPENWIRE_TLS].join(', ')}`,
    );
  }
  const host = rawHost.startsWith('[') ? rawHost.slice(1, -1) : rawHost;
  const defaultPort =
    protocol === 'openwire'
      ? tls
        ? OPENWIRE_TLS_PORT
        : OPENWIRE_PORT
      : tls
        ? STOMP_TLS_PORT
        : STOMP_PORT;
  const port = m[3] === undefined ? defaultPort : Number(m[3]);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw invalidUri(field, `"${uri}": port must be 1..65535`);
  }
  // STOMP stays the implied protocol (no field), as before OpenWire existed.
  return protocol === 'openwire' ? { host, port, tls, protocol } : { host, port, tls };
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
  const protocol = server.protocol ?? 'stomp';
  if (protocol !== 'stomp' && protocol !== 'openwire') {
    throw invalidUri(`${field}.protocol`, `must be 'stomp' or 'openwire', got ${String(protocol)}`);
  }
  const address = { host: server.host, port: server.port, tls: server.tls === true };
  return protocol === 'openwire' ? { ...address, protocol } : address;
}

/**
 * `stomp://host:port`, `stomp+ssl://[::1]:port`, `tcp://host:port`, `ssl://host:port`: for logs,
 * events and identity comparisons.
 */
export function formatServer(server: ServerAddress): string {
  const host = server.host.includes(':') ? `[${server.host}]` : server.host;
  const scheme =
    server.protocol === 'openwire'
      ? server.tls
        ? 'ssl'
        : 'tcp'
      : server.tls
        ? 'stomp+ssl'
        : 'stomp';
  return `${scheme}://${host}:${server.port}`;
}

export function sameServer(a: ServerAddress | undefined, b: ServerAddress | undefined): boolean {
  if (!a || !b) return a === b;
  return formatServer(a) === formatServer(b);
}
