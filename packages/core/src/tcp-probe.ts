import type { Probe, SocketProbeOptions } from './probe.js';
import { socketExchange } from './socket-exchange.js';
import { probeName, resolveSocketOptions } from './validate-socket-options.js';

/**
 * A TCP connect check. Cheapest, but it proves only that a port is open; prefer `stompProbe` or
 * `openwireProbe`, which prove a live broker transport. On an OpenWire port the broker may log
 * "Could not accept connection" when the connection closes before its WireFormatInfo is sent.
 */
export function tcpProbe(options: SocketProbeOptions): Probe {
  const o = resolveSocketOptions('tcp', options);
  const name = probeName('tcp', o);
  return {
    name,
    run: (signal) => socketExchange({ name, ...o, signal }),
  };
}
