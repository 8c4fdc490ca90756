import {
  decodePayload,
  encodeFrame,
  FrameSplitter,
  INITIAL_WIRE_FORMAT,
  type PropertyValue,
} from '@activemq-ha/openwire';
import type { Probe, SocketProbeOptions } from './probe.js';
import { socketExchange } from './socket-exchange.js';
import { probeName, resolveSocketOptions } from './validate-socket-options.js';

export interface OpenWireProbeOptions extends SocketProbeOptions {
  /**
   * OpenWire version we announce; the peers settle on the lower one. Only the broker's answer
   * matters to the probe, so any version the broker accepts will do.
   * @default 12
   */
  readonly version?: number;
}

/** Loose encoding, no cache, no inactivity monitor: the cheapest transport for one exchange. */
const PROBE_PROPERTIES = new Map<string, PropertyValue>([
  ['TightEncodingEnabled', false],
  ['SizePrefixDisabled', false],
  ['CacheEnabled', false],
  ['CacheSize', 0],
  ['TcpNoDelayEnabled', true],
  ['StackTraceEnabled', false],
  ['MaxInactivityDuration', 0n],
  ['MaxInactivityDurationInitalDelay', 0n],
  // Sent explicitly: the broker negotiates min(ours, its own) and an absent value counts as 0.
  ['MaxFrameSize', 0x7fffffffffffffffn],
  ['ProviderName', 'activemq-ha-probe'],
]);

/** A broker's WireFormatInfo is a few hundred bytes; anything bigger is not one. */
const MAX_ANSWER_SIZE = 64 * 1024;

/**
 * Exchanges WireFormatInfo with the broker's OpenWire connector: proves a live OpenWire transport
 * (magic "ActiveMQ" and a version came back), not just an open port. `info.version` is the
 * broker's wire version; leaves with a ShutdownInfo.
 */
export function openwireProbe(options: OpenWireProbeOptions): Probe {
  const o = resolveSocketOptions('openwire', options);
  const name = probeName('openwire', o);
  // Before negotiation both peers speak the initial (loose) format.
  const request = Buffer.from(
    encodeFrame(
      { type: 'WireFormatInfo', version: options.version ?? 12, properties: PROBE_PROPERTIES },
      INITIAL_WIRE_FORMAT,
    ),
  );
  const farewell = Buffer.from(encodeFrame({ type: 'ShutdownInfo' }, INITIAL_WIRE_FORMAT));
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
          // `received` is everything so far; a fresh splitter finds the first frame in it.
          const [payload] = new FrameSplitter(MAX_ANSWER_SIZE).push(received);
          if (payload === undefined) return { done: false };
          if (payload[0] !== 1) {
            return {
              done: true,
              status: 'protocol',
              detail: `expected WireFormatInfo (type 1), got command type ${payload[0]}`,
              errorCode: 'UNEXPECTED_COMMAND',
            };
          }
          const wfi = decodePayload(payload, INITIAL_WIRE_FORMAT);
          if (wfi.type !== 'WireFormatInfo') throw new TypeError('not a WireFormatInfo');
          if (Buffer.from(wfi.magic).toString('latin1') !== 'ActiveMQ') {
            throw new TypeError('bad magic: not OpenWire');
          }
          const info: Record<string, string | number | boolean> = { version: wfi.version };
          for (const key of ['ProviderName', 'ProviderVersion', 'PlatformDetails'] as const) {
            const v = wfi.properties?.get(key);
            if (typeof v === 'string') info[key[0]!.toLowerCase() + key.slice(1)] = v;
          }
          return { done: true, status: 'ok', info };
        },
      }),
  };
}
