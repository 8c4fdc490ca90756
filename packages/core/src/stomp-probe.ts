import { InvalidOptionError } from './errors.js';
import type { Probe, SocketProbeOptions } from './probe.js';
import { socketExchange } from './socket-exchange.js';
import { encodeStompFrame, parseStompFrame } from './stomp-frame.js';
import { probeName, resolveSocketOptions } from './validate-socket-options.js';

export interface StompProbeOptions extends SocketProbeOptions {
  /** STOMP `login` header; omitted when undefined. */
  readonly login?: string;
  /** STOMP `passcode` header; omitted when undefined. */
  readonly passcode?: string;
  /** Virtual host sent in the `host` header. @default the `host` option */
  readonly virtualHost?: string;
}

/**
 * CONNECT → CONNECTED, then DISCONNECT. `ok` proves the broker holds the lock and serves clients
 * (a waiting slave opens no transport connectors). An ERROR frame (e.g. bad credentials) is a
 * `protocol` result whose `detail` is the broker's message.
 */
export function stompProbe(options: StompProbeOptions): Probe {
  const o = resolveSocketOptions('stomp', options);
  const name = probeName('stomp', o);
  const headers: Record<string, string> = {
    'accept-version': '1.0,1.1,1.2',
    host: options.virtualHost ?? o.host,
    'heart-beat': '0,0',
  };
  if (options.login !== undefined) headers.login = options.login;
  if (options.passcode !== undefined) headers.passcode = options.passcode;
  // Encoded once: a forbidden character in the credentials is a configuration error, reported now.
  let request: Buffer;
  try {
    request = encodeStompFrame('CONNECT', headers);
  } catch (err) {
    throw new InvalidOptionError('stomp', (err as Error).message);
  }
  const farewell = encodeStompFrame('DISCONNECT', { receipt: 'activemq-ha-probe' });

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
          const frame = parseStompFrame(received);
          if (!frame) return { done: false };
          if (frame.command === 'CONNECTED') {
            const info: Record<string, string> = {};
            if (frame.headers.version) info.version = frame.headers.version;
            if (frame.headers.server) info.server = frame.headers.server;
            return { done: true, status: 'ok', info };
          }
          if (frame.command === 'ERROR') {
            const message = frame.headers.message ?? frame.body.trim();
            return {
              done: true,
              status: 'protocol',
              detail: `broker answered ERROR: ${message}`,
              errorCode: 'STOMP_ERROR',
            };
          }
          return {
            done: true,
            status: 'protocol',
            detail: `expected CONNECTED, got ${frame.command}`,
            errorCode: 'UNEXPECTED_FRAME',
          };
        },
      }),
  };
}
