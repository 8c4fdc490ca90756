import {
  decodeWireFormatInfo,
  encodeShutdownInfo,
  encodeWireFormatInfo,
  readFrame,
  WIRE_FORMAT_INFO_TYPE,
} from './openwire-codec.js';
import type { Probe, SocketProbeOptions } from './probe.js';
import { socketExchange } from './socket-exchange.js';
import { hostPort, resolveSocketOptions } from './validate-socket-options.js';

export interface OpenWireProbeOptions extends SocketProbeOptions {
  /**
   * OpenWire version we announce; the peers settle on the lower one. Only the broker's answer
   * matters to the probe, so any version the broker accepts will do.
   * @default 12
   */
  readonly version?: number;
}

/** Loose encoding, no cache, no inactivity monitor: the cheapest transport for one exchange. */
const PROBE_PROPERTIES = {
  TightEncodingEnabled: false,
  SizePrefixDisabled: false,
  CacheEnabled: false,
  CacheSize: 0,
  TcpNoDelayEnabled: true,
  StackTraceEnabled: false,
  MaxInactivityDuration: 0n,
  MaxInactivityDurationInitalDelay: 0n,
  // Sent explicitly: the broker negotiates min(ours, its own) and an absent value counts as 0.
  MaxFrameSize: 0x7fffffffffffffffn,
  ProviderName: 'activemq-ha-probe',
} as const;

/**
 * Exchanges WireFormatInfo with the broker's OpenWire connector: proves a live OpenWire transport
 * (magic "ActiveMQ" and a version came back), not just an open port. `info.version` is the
 * broker's wire version; leaves with a ShutdownInfo.
 */
export function openwireProbe(options: OpenWireProbeOptions): Probe {
  const o = resolveSocketOptions('openwire', options);
  const name = `openwire://${hostPort(o.host, o.port)}`;
  const request = encodeWireFormatInfo(options.version ?? 12, PROBE_PROPERTIES);
  const farewell = encodeShutdownInfo();
  return {
    name,
    run: (signal) =>
      socketExchange({
        name,
        ...o,
        signal,
        request,
        farewell,
        read: (received) => {
          const frame = readFrame(received);
          if (!frame.complete) return { done: false };
          if (frame.type !== WIRE_FORMAT_INFO_TYPE) {
            return {
              done: true,
              status: 'protocol',
              detail: `expected WireFormatInfo (type 1), got command type ${frame.type}`,
              errorCode: 'UNEXPECTED_COMMAND',
            };
          }
          const wfi = decodeWireFormatInfo(frame.body);
          const info: Record<string, string | number | boolean> = { version: wfi.version };
          for (const key of ['ProviderName', 'ProviderVersion', 'PlatformDetails'] as const) {
            const v = wfi.properties?.[key];
            if (typeof v === 'string') info[key[0]!.toLowerCase() + key.slice(1)] = v;
          }
          return { done: true, status: 'ok', info };
        },
      }),
  };
}
