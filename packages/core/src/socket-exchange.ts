import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { connect as connectTls } from 'node:tls';
import { roundMs } from './clock.js';
import type { ProbeResult, ProbeStatus } from './probe.js';

/** What a reader makes of the bytes received so far. */
export type ReadOutcome =
  | { readonly done: false }
  | {
      readonly done: true;
      readonly status: Extract<ProbeStatus, 'ok' | 'protocol'>;
      readonly detail?: string;
      readonly errorCode?: string;
      readonly info?: Readonly<Record<string, string | number | boolean>>;
    };

export interface ExchangeSpec {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly timeoutMs: number;
  /** Wrap the exchange in TLS without verifying the peer (see SocketProbeOptions.tls). */
  readonly tls?: boolean;
  readonly signal?: AbortSignal | undefined;
  /** Bytes to send once connected; none for a plain connect check. */
  readonly request?: Buffer;
  /** Consumes everything received so far; absent = connected is enough. */
  readonly read?: (received: Buffer) => ReadOutcome;
  /** Sent after an `ok` verdict so the broker sees a clean goodbye rather than an EOF. */
  readonly farewell?: Buffer;
  /** How long the farewell may linger before the socket is destroyed. @default 200 */
  readonly farewellMs?: number;
}

/** Larger answers than this are not what a probe expects; stop reading instead of buffering. */
const MAX_RECEIVED = 64 * 1024;

/**
 * Connect, optionally send a request and read until the reader decides, all under one deadline.
 * Resolves a typed result; never rejects. Latency covers connect + exchange, not the farewell.
 */
export function socketExchange(spec: ExchangeSpec): Promise<ProbeResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    let connected = false;
    let received: Buffer = Buffer.alloc(0);
    const socket: Socket = spec.tls
      ? connectTls({ host: spec.host, port: spec.port, rejectUnauthorized: false })
      : connect({ host: spec.host, port: spec.port });
    socket.setNoDelay(true);

    const finish = (
      status: ProbeStatus,
      extra: Omit<ProbeResult, 'probe' | 'status' | 'latencyMs'> = {},
    ) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      spec.signal?.removeEventListener('abort', onAbort);
      resolve({
        probe: spec.name,
        status,
        latencyMs: roundMs(performance.now() - started),
        ...extra,
      });
      if (status === 'ok') {
        // FIN rather than RST: the broker sees a clean goodbye instead of a transport error.
        if (spec.farewell) socket.end(spec.farewell);
        else socket.end();
        const linger = setTimeout(() => socket.destroy(), spec.farewellMs ?? 200);
        linger.unref();
        socket.once('close', () => clearTimeout(linger));
        // The broker's reply (e.g. a RECEIPT) is of no interest; keep the stream flowing.
        socket.removeAllListeners('data');
        socket.on('data', () => {});
      } else {
        socket.destroy();
      }
    };

    const onAbort = () => finish('error', { detail: 'aborted', errorCode: 'ABORTED' });
    if (spec.signal?.aborted) {
      queueMicrotask(onAbort);
    } else {
      spec.signal?.addEventListener('abort', onAbort, { once: true });
    }

    const timer = setTimeout(() => {
      finish('timeout', {
        detail: connected
          ? `no answer within ${spec.timeoutMs} ms after connect`
          : `connect not completed within ${spec.timeoutMs} ms`,
        errorCode: connected ? 'READ_TIMEOUT' : 'CONNECT_TIMEOUT',
      });
    }, spec.timeoutMs);

    // Over TLS "connected" (a refusal is no longer possible) comes with the TCP connect, the
    // exchange only after the handshake.
    socket.once('connect', () => {
      connected = true;
      if (!spec.tls) ready();
    });
    if (spec.tls) socket.once('secureConnect', ready);
    function ready() {
      if (!spec.read) {
        finish('ok');
        return;
      }
      if (spec.request) socket.write(spec.request);
    }

    socket.on('data', (chunk: Buffer) => {
      if (!spec.read) return;
      received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
      let outcome: ReadOutcome;
      try {
        outcome = spec.read(received);
      } catch (err) {
        finish('protocol', {
          detail: `unparseable answer: ${(err as Error).message}`,
          errorCode: 'MALFORMED',
        });
        return;
      }
      if (outcome.done) {
        const { done: _done, status, ...extra } = outcome;
        finish(status, extra);
      } else if (received.length > MAX_RECEIVED) {
        finish('protocol', {
          detail: `answer exceeds ${MAX_RECEIVED} bytes without a complete reply`,
          errorCode: 'OVERSIZED',
        });
      }
    });

    socket.once('end', () => {
      finish('protocol', {
        detail: 'connection closed by the peer before a complete answer',
        errorCode: 'EARLY_CLOSE',
      });
    });

    socket.once('error', (err: NodeJS.ErrnoException) => {
      finish(...classifySocketError(err, connected));
    });
  });
}

function classifySocketError(
  err: NodeJS.ErrnoException,
  connected: boolean,
): [ProbeStatus, Omit<ProbeResult, 'probe' | 'status' | 'latencyMs'>] {
  const code = err.code ?? 'UNKNOWN';
  if (connected) {
    // Something accepted the connection and then broke it: not a serving broker, not a closed port.
    return ['protocol', { detail: `connection broken: ${err.message}`, errorCode: code }];
  }
  if (code === 'ECONNREFUSED') {
    return ['refused', { detail: 'connection refused (nothing listens)', errorCode: code }];
  }
  if (code === 'ETIMEDOUT') {
    return ['timeout', { detail: err.message, errorCode: code }];
  }
  return ['error', { detail: err.message, errorCode: code }];
}
