// Everything the emulator can do wrong on purpose, in one place: per-request faults (latency,
// error answers, stream resets, GOAWAY after an answer), cut watches, GOAWAY on every connection,
// and outages — a refused port that comes back as a restarted apiserver, or a port that resets
// every connection. Request faults are decided by the FaultInjector the API handler consults;
// connection faults act on the server and the open watches, given to this part as small
// interfaces.
import type { FailureSpec, FaultInjector } from './fault-injector.js';
import type { RequestMatch } from './request-log.js';
import type { CutMode } from './watch-stream.js';

/** How `setDown` makes the server unreachable. */
export type DownMode =
  /** The listening socket is closed: connects fail with ECONNREFUSED. Open connections are reset. */
  | 'refuse'
  /** Still listening, but every connection is reset at once (ECONNRESET). */
  | 'reset';

/** What connection faults need from the server (ApiServer). */
export interface FaultableServer {
  stopListening(): void;
  listenAgain(): Promise<void>;
  setResetIncoming(on: boolean): void;
  resetAll(): void;
  goAway(): number;
}

/** What watch cuts need from the open watches (OpenWatches). */
export interface CuttableWatches {
  cutAll(mode: CutMode): number;
}

export interface EmulatorFaultsDeps {
  /** Per-request faults; the API handler asks it about every resource request. */
  readonly requests: FaultInjector;
  readonly server: FaultableServer;
  readonly watches: CuttableWatches;
  /**
   * Called when the API comes back from a `'refuse'` outage, before it listens again: a restarted
   * apiserver's watch cache starts at the current resourceVersion.
   */
  readonly onRestart: () => void;
}

export class EmulatorFaults {
  private readonly requests: FaultInjector;
  private mode: DownMode | undefined;
  private stopped = false;

  constructor(private readonly deps: EmulatorFaultsDeps) {
    this.requests = deps.requests;
  }

  /** Delays every matching API request by `ms` (0 removes). Discovery is not delayed. */
  setLatency(ms: number, match?: RequestMatch): void {
    this.requests.setLatency(ms, match);
  }

  /** The next `count` matching API requests fail with `spec.status` (after authentication). */
  failNext(count: number, spec: FailureSpec): void {
    this.requests.failNext(count, spec);
  }

  /** Removes latency and queued failures (an outage is ended with `setDown(false)`). */
  clear(): void {
    this.requests.clear();
  }

  /** Failures still queued by failNext. */
  get pendingFailures(): number {
    return this.requests.pendingFailures;
  }

  /**
   * Ends every open watch. `reset` (default) drops the TCP connection mid-stream, `close` closes
   * it without ending the chunked body, `graceful` ends the response like a server-side timeout.
   * Returns how many were cut.
   */
  cutWatches(mode: CutMode = 'reset'): number {
    return this.deps.watches.cutAll(mode);
  }

  /**
   * Sends GOAWAY (NO_ERROR) on every open HTTP/2 connection, as a server does when it shuts down
   * gracefully: streams already open (watches included) go on, new requests need a new
   * connection. HTTP/1.1 connections are not touched. Returns how many connections were told.
   */
  goAway(): number {
    return this.deps.server.goAway();
  }

  get isDown(): boolean {
    return this.mode !== undefined;
  }

  /** The outage now, if any. */
  get downMode(): DownMode | undefined {
    return this.mode;
  }

  /**
   * Makes the API unreachable (or reachable again, on the same port). Open connections, watches
   * included, are reset either way. Coming back from `'refuse'` is a restarted apiserver: its
   * watch caches start at the current resourceVersion, so a watch resumed from an older one gets
   * an ERROR event with 410 Expired (and relists). `'reset'` is a network fault: caches stay.
   */
  async setDown(down: boolean, mode: DownMode = 'refuse'): Promise<void> {
    // A pending down(ms) may end after the emulator closed: nothing left to bring up.
    if (this.stopped) return;
    const { server } = this.deps;
    if (down) {
      if (this.mode) return;
      this.mode = mode;
      if (mode === 'refuse') server.stopListening();
      else server.setResetIncoming(true);
      server.resetAll();
      return;
    }
    if (!this.mode) return;
    if (this.mode === 'refuse') {
      this.deps.onRestart();
      await server.listenAgain();
    } else server.setResetIncoming(false);
    this.mode = undefined;
  }

  /** Down for `ms`, then up again on the same port; resolves once it is up. */
  async down(ms: number, mode: DownMode = 'refuse'): Promise<void> {
    await this.setDown(true, mode);
    await new Promise((r) => setTimeout(r, ms));
    await this.setDown(false);
  }

  /** The emulator is closing: outages in flight end without listening again. */
  stop(): void {
    this.stopped = true;
  }
}
