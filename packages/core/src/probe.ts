/**
 * What a probe found:
 * - `ok`: the broker answered the protocol exchange (it holds the lock and serves clients);
 * - `refused`: nothing listens (a waiting slave opens no ports): evidence of standby;
 * - `timeout`: no answer in time (hung JVM, overloaded node): inconclusive;
 * - `protocol`: something answered, but not as a serving broker would (garbage, early close,
 *   STOMP ERROR such as bad credentials): inconclusive;
 * - `error`: the probe could not run (DNS failure, unreachable host, aborted): inconclusive.
 */
export type ProbeStatus = 'ok' | 'refused' | 'timeout' | 'protocol' | 'error';

export interface ProbeResult {
  /** The probe's name, e.g. `stomp://127.0.0.1:61613` or `allOf(tcp://…, stomp://…)`. */
  readonly probe: string;
  readonly status: ProbeStatus;
  /** Time from starting the connect to the verdict, in ms. */
  readonly latencyMs: number;
  /** Human-readable explanation of a non-ok result (or of what answered). */
  readonly detail?: string;
  /** Machine-readable cause: a socket error code (`ECONNREFUSED`) or a protocol marker. */
  readonly errorCode?: string;
  /** Facts learned from the answer, e.g. `{ server: 'ActiveMQ/5.17.6' }` or `{ version: 12 }`. */
  readonly info?: Readonly<Record<string, string | number | boolean>>;
  /** Results of the parts of a composed probe. */
  readonly children?: readonly ProbeResult[];
}

/** A check of the local broker. `run` never rejects: every failure is a typed result. */
export interface Probe {
  readonly name: string;
  run(signal?: AbortSignal): Promise<ProbeResult>;
}

/** Options shared by the socket probes. */
export interface SocketProbeOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  readonly port: number;
  /**
   * Deadline for the whole exchange, in ms. With the elector's default `failureThreshold` of 2 a
   * hung broker is demoted after about two timeouts plus one interval.
   * @default 1000
   */
  readonly timeoutMs?: number;
  /**
   * Speak the protocol inside TLS (ActiveMQ's `ssl://` and `stomp+ssl://` connectors). The
   * broker's certificate is not verified: the probe checks that the local broker serves, over
   * loopback inside its own pod, where its identity is not in question; clients verify it.
   * A handshake that fails after the TCP connect is a `protocol` result.
   * @default false
   */
  readonly tls?: boolean;
}

export const DEFAULT_PROBE_HOST = '127.0.0.1';
export const DEFAULT_PROBE_TIMEOUT_MS = 1000;

/** The statuses that count as evidence that the broker does not serve (vs. "cannot tell"). */
export function isInconclusive(status: ProbeStatus): boolean {
  return status === 'timeout' || status === 'protocol' || status === 'error';
}
