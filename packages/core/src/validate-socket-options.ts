import { InvalidOptionError } from './errors.js';
import { DEFAULT_PROBE_HOST, DEFAULT_PROBE_TIMEOUT_MS, type SocketProbeOptions } from './probe.js';

export interface ResolvedSocketOptions {
  readonly host: string;
  readonly port: number;
  readonly timeoutMs: number;
  readonly tls: boolean;
}

export function resolveSocketOptions(kind: string, o: SocketProbeOptions): ResolvedSocketOptions {
  const host = o.host ?? DEFAULT_PROBE_HOST;
  const timeoutMs = o.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  if (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535) {
    throw new InvalidOptionError(`${kind}.port`, `must be an integer in 1..65535, got ${o.port}`);
  }
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new InvalidOptionError(`${kind}.timeoutMs`, `must be > 0, got ${timeoutMs}`);
  }
  if (host.length === 0) throw new InvalidOptionError(`${kind}.host`, 'must not be empty');
  return { host, port: o.port, timeoutMs, tls: o.tls ?? false };
}

/** A probe's name: `scheme://host:port`, the scheme marked `+ssl` over TLS (as ActiveMQ's URIs). */
export function probeName(scheme: string, o: ResolvedSocketOptions): string {
  return `${scheme}${o.tls ? '+ssl' : ''}://${hostPort(o.host, o.port)}`;
}

/** `host:port` with IPv6 literals bracketed, for probe names. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
