import { definedOnly } from '@activemq-ha/policy';
import { type Clock, jittered, monotonicNow, systemClock, type TimerHandle } from './clock.js';
import { addResult, decide, type LeaderState, NO_STREAKS, type Streaks } from './elector-policy.js';
import { InvalidOptionError, ProbeFailedError } from './errors.js';
import { GuardedEmitter, type ListenerErrorEvents } from './guarded-emitter.js';
import type { Probe, ProbeResult, ProbeStatus } from './probe.js';
import { runProbeSafely } from './run-probe.js';

export interface LeaderElectorOptions {
  /** The check of the local broker, e.g. `anyOf(stompProbe(…), openwireProbe(…))`. */
  readonly probe: Probe;
  /**
   * Pause between the end of one probe and the start of the next, in ms. Probes never overlap.
   * @default 250
   */
  readonly intervalMs?: number;
  /**
   * The pause while not leader. A waiting broker opens no ports, so a probe of it is one refused
   * loopback connect: probing it more often shortens the takeover (the probe that finds the new
   * master's port open comes sooner) without adding load to a serving broker.
   * @default intervalMs
   */
  readonly standbyIntervalMs?: number;
  /** Random spread of the interval, 0..1. @default 0.1 */
  readonly jitter?: number;
  /**
   * Consecutive `ok` results to become leader. 1 because a broker that answers the protocol holds
   * the lock (a waiting slave opens no ports): labelling it fast shortens the outage.
   * @default 1
   */
  readonly successThreshold?: number;
  /**
   * Consecutive failures to leave leader (or to settle standby/unknown). 2 so that one lost probe
   * (a GC pause, a CPU-starved node, a dropped SYN) does not drop the Service endpoint and make
   * every client fail over; it costs one interval when the port is closed (refusals are instant)
   * and one probe timeout when the broker hangs.
   * @default 2
   */
  readonly failureThreshold?: number;
  /** @default systemClock */
  readonly clock?: Clock;
  /** Source of jitter. @default Math.random */
  readonly random?: () => number;
}

/** One probe as the elector saw it. */
export interface ProbeEvent {
  readonly result: ProbeResult;
  /** Epoch ms when the result arrived. */
  readonly at: number;
  /** Monotonic ms when the result arrived (`Clock.monotonic`): what freshness is judged on. */
  readonly monotonicAt: number;
  /** State after this result. */
  readonly state: LeaderState;
  readonly streaks: Streaks;
}

export interface Transition {
  readonly from: LeaderState;
  readonly to: LeaderState;
  /** Human-readable, e.g. `stomp://127.0.0.1:61613 refused ×2: connection refused`. */
  readonly reason: string;
  /** The status of the result that tipped the decision. */
  readonly evidence: ProbeStatus;
  /** Epoch ms. */
  readonly at: number;
  /** How long the previous state lasted, in ms. */
  readonly previousDurationMs: number;
  readonly result: ProbeResult;
}

export interface LeaderElectorEvents extends ListenerErrorEvents {
  probe: [event: ProbeEvent];
  transition: [transition: Transition];
  leader: [transition: Transition];
  standby: [transition: Transition];
  unknown: [transition: Transition];
  /**
   * A probe threw (custom probes only; the result counts as inconclusive), or, never expected, the
   * probe loop itself failed (it carries on).
   */
  error: [error: Error];
}

export interface ElectorSnapshot {
  readonly state: LeaderState;
  /** Epoch ms of entering `state`. */
  readonly since: number;
  readonly running: boolean;
  readonly lastProbe: ProbeEvent | undefined;
  /** Epoch ms of the last `ok` result, if any. */
  readonly lastOkAt: number | undefined;
  readonly probes: number;
  readonly transitions: number;
}

const DEFAULTS = { intervalMs: 250, jitter: 0.1, successThreshold: 1, failureThreshold: 2 };

/**
 * Turns the local probe into a leadership state: `starting → leader | standby | unknown`.
 * Probes run back to back with `intervalMs` (+ jitter) between them.
 */
export class LeaderElector extends GuardedEmitter<LeaderElectorEvents> {
  readonly #probe: Probe;
  readonly #o: typeof DEFAULTS & { readonly standbyIntervalMs: number };
  readonly #clock: Clock;
  readonly #random: () => number;
  #state: LeaderState = 'starting';
  #since: number;
  #streaks: Streaks = NO_STREAKS;
  #lastProbe: ProbeEvent | undefined;
  #lastOkAt: number | undefined;
  #probes = 0;
  #transitions = 0;
  #running = false;
  /** Bumped by start/stop so that a probe finishing after a restart cannot start a second loop. */
  #generation = 0;
  #timer: TimerHandle | undefined;
  #inflight: Promise<void> | undefined;
  #abort: AbortController | undefined;

  constructor(options: LeaderElectorOptions) {
    super();
    const o = { ...DEFAULTS, ...definedOnly(options) };
    if (!Number.isFinite(o.intervalMs) || o.intervalMs < 0) {
      throw new InvalidOptionError('intervalMs', 'must be a finite number >= 0');
    }
    const standbyIntervalMs = options.standbyIntervalMs ?? o.intervalMs;
    if (!Number.isFinite(standbyIntervalMs) || standbyIntervalMs < 0) {
      throw new InvalidOptionError('standbyIntervalMs', 'must be a finite number >= 0');
    }
    if (!(o.jitter >= 0 && o.jitter <= 1)) throw new InvalidOptionError('jitter', 'must be 0..1');
    for (const k of ['successThreshold', 'failureThreshold'] as const) {
      if (!Number.isInteger(o[k]) || o[k] < 1)
        throw new InvalidOptionError(k, 'must be an integer >= 1');
    }
    this.#o = {
      intervalMs: o.intervalMs,
      standbyIntervalMs,
      jitter: o.jitter,
      successThreshold: o.successThreshold,
      failureThreshold: o.failureThreshold,
    };
    this.#probe = options.probe;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#since = this.#clock.now();
  }

  get state(): LeaderState {
    return this.#state;
  }

  /** Epoch ms of entering the current state. */
  get since(): number {
    return this.#since;
  }

  get lastProbe(): ProbeEvent | undefined {
    return this.#lastProbe;
  }

  get running(): boolean {
    return this.#running;
  }

  snapshot(): ElectorSnapshot {
    return {
      state: this.#state,
      since: this.#since,
      running: this.#running,
      lastProbe: this.#lastProbe,
      lastOkAt: this.#lastOkAt,
      probes: this.#probes,
      transitions: this.#transitions,
    };
  }

  /** Starts probing at once. Idempotent. */
  start(): this {
    if (this.#running) return this;
    this.#running = true;
    this.#generation++;
    this.#schedule(0);
    return this;
  }

  /** Stops probing, aborting a probe in flight; the state is kept. Idempotent. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#generation++;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#abort?.abort();
    await this.#inflight;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** Runs the next probe now instead of after the pending interval (e.g. on SIGTERM). */
  probeNow(): void {
    if (!this.#running || this.#inflight) return;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#schedule(0);
  }

  #schedule(ms: number): void {
    const generation = this.#generation;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#inflight = this.#tick(generation)
        .catch((err: unknown) => {
          this.emit('error', err instanceof Error ? err : new Error(String(err)));
        })
        .finally(() => {
          this.#inflight = undefined;
        });
    }, ms);
  }

  async #tick(generation: number): Promise<void> {
    try {
      const abort = new AbortController();
      this.#abort = abort;
      const result = await runProbeSafely(this.#probe, abort.signal);
      this.#abort = undefined;
      if (generation !== this.#generation) return;
      if (result.errorCode === 'PROBE_FAILED') {
        this.emit('error', new ProbeFailedError(this.#probe.name, { cause: result.detail }));
      }
      this.#accept(result);
    } finally {
      // Whatever happened above, probing goes on: a stopped loop would freeze the label.
      if (generation === this.#generation) {
        const pause = this.#state === 'leader' ? this.#o.intervalMs : this.#o.standbyIntervalMs;
        this.#schedule(jittered(pause, this.#o.jitter, this.#random));
      }
    }
  }

  #accept(result: ProbeResult): void {
    const at = this.#clock.now();
    this.#probes++;
    if (result.status === 'ok') this.#lastOkAt = at;
    this.#streaks = addResult(this.#streaks, result.status);
    const from = this.#state;
    const to = decide(from, this.#streaks, this.#o);
    // State first, then events: listeners reading `state` must see the new one.
    if (to !== from) {
      this.#state = to;
      this.#transitions++;
    }
    this.#lastProbe = {
      result,
      at,
      monotonicAt: monotonicNow(this.#clock),
      state: to,
      streaks: this.#streaks,
    };
    this.emit('probe', this.#lastProbe);
    if (to === from) return;
    const previousDurationMs = at - this.#since;
    this.#since = at;
    const transition: Transition = {
      from,
      to,
      reason: describe(result, this.#streaks),
      evidence: result.status,
      at,
      previousDurationMs,
      result,
    };
    this.emit('transition', transition);
    if (to !== 'starting') this.emit(to, transition);
  }
}

function describe(result: ProbeResult, s: Streaks): string {
  const count =
    result.status === 'ok' ? s.ok : result.status === 'refused' ? s.refused : s.failures;
  const detail = result.detail ? `: ${result.detail}` : '';
  return `${result.probe} ${result.status} ×${count}${detail}`;
}
