import type { ConnectionState } from './connection-state.js';
import { HaClientError } from './errors.js';
import { nextReconnect, type ResolvedReconnect } from './reconnect-policy.js';
import { formatServer, type ServerAddress } from './server-address.js';
import type { Session } from './session.js';

/** Time source and timers of the loop; injected so that tests drive it without waiting. */
export interface LoopClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: LoopClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** What the loop asks of its owner (the HA client) and tells it. */
export interface ReconnectLoopHooks {
  /** The discovery, for messages. */
  readonly description: string;
  /** Servers for the next round, in order; empty while discovery knows none. */
  round(lost: ServerAddress | undefined): readonly ServerAddress[];
  open(server: ServerAddress): Promise<Session>;
  /** Every state change, `connected` included (set before `connected()` runs). */
  state(state: ConnectionState): void;
  connecting(server: ServerAddress, round: number): void;
  /** A session is up: the owner takes it (before the `connected` state is set). */
  adopt(session: Session): void;
  /** After the `connected` state; `outage` when a session had been lost before. */
  connected(session: Session, outage: RecoveredOutage | undefined): void;
  /** A non-fatal problem worth reporting (a client id still in use, once per outage). */
  problem(error: HaClientError): void;
  /** The loop gave up for good (refused credentials, `maxRounds` spent): close the client. */
  fatal(error: HaClientError): void;
  debug(fields: Record<string, unknown>, message: string): void;
}

/** The server lost, and the time from its loss to the new session (for the `failover` event). */
export interface RecoveredOutage {
  readonly from: ServerAddress;
  readonly outageMs: number;
}

/** The loop's memory of one outage (or of the first connect), from its start to a session. */
interface Outage {
  readonly since: number;
  readonly lost: { readonly server: ServerAddress; readonly at: number } | undefined;
  rounds: number;
  previousDelayMs: number;
  lastError: HaClientError | undefined;
}

/**
 * The one reconnect loop. Its state is the public `ConnectionState`:
 * - `idle` --start()--> a round: `connecting` per server, then `connected`, or `waiting`
 *   (backoff from `nextReconnect`, or `'discovery'` while no server is known);
 * - `connected` --lost()--> a round at once (a new outage begins);
 * - `waiting`/`connecting` --moved()--> a new round at once, the dial under way abandoned;
 * - `closing`/`closed` are set by the owner (`setState`); `halt()` stops new attempts.
 * Rounds are numbered: a dial or a timer of an older round finds itself superseded and stops,
 * so there is no flag to keep in sync. Time and timers come from the injected clock.
 */
export class ReconnectLoop {
  #state: ConnectionState = { type: 'idle' };
  #outage: Outage | undefined;
  /** Bumped whenever a round starts or the loop halts: older dials and timers stand down. */
  #epoch = 0;
  #timer: unknown;
  #halted = false;
  #lastServer: ServerAddress | undefined;

  constructor(
    private readonly policy: ResolvedReconnect,
    private readonly hooks: ReconnectLoopHooks,
    private readonly clock: LoopClock = systemClock,
    private readonly random: () => number = Math.random,
  ) {}

  get state(): ConnectionState {
    return this.#state;
  }

  /** `halt()` was called: no new attempts. */
  get halted(): boolean {
    return this.#halted;
  }

  /** Sets the state (the owner's `closing`/`closed`); nothing changes once `closed`. */
  setState(state: ConnectionState): void {
    if (this.#state.type === 'closed') return;
    this.#state = state;
    this.hooks.state(state);
  }

  /** First connect; also re-arms a loop that is waiting for discovery. Idempotent. */
  start(): void {
    if (this.#halted || this.#running()) return;
    this.#outage ??= this.#newOutage(undefined);
    this.#round();
  }

  /** The session died: a new outage begins now and a round starts at once. */
  lost(server: ServerAddress): void {
    if (this.#halted) return;
    this.#outage = this.#newOutage({ server, at: this.clock.now() });
    this.#round();
  }

  /**
   * Discovery named another endpoint. While dialling or waiting, that ends the round: the new
   * one starts when the policy says (at once). A live session is the owner's to drop.
   */
  moved(): void {
    if (this.#halted || !this.#outage) return;
    const type = this.#state.type;
    if (type !== 'waiting' && type !== 'connecting') return;
    this.#decide(true);
  }

  /** No more attempts: a dial under way is abandoned, a sleep ends. */
  halt(): void {
    this.#halted = true;
    this.#epoch++;
    this.clock.clearTimeout(this.#timer);
  }

  #running(): boolean {
    const s = this.#state;
    return (
      s.type === 'connecting' ||
      s.type === 'connected' ||
      (s.type === 'waiting' && s.delayMs !== 'discovery')
    );
  }

  #newOutage(lost: Outage['lost']): Outage {
    return {
      since: lost?.at ?? this.clock.now(),
      lost,
      rounds: 0,
      previousDelayMs: 0,
      lastError: undefined,
    };
  }

  #round(): void {
    const epoch = ++this.#epoch;
    this.clock.clearTimeout(this.#timer);
    const outage = this.#outage!;
    const servers = this.hooks.round(outage.lost?.server ?? this.#lastServer);
    if (servers.length === 0) {
      this.setState({ type: 'waiting', delayMs: 'discovery', round: outage.rounds });
      return;
    }
    void this.#dial(epoch, outage, servers);
  }

  async #dial(epoch: number, outage: Outage, servers: readonly ServerAddress[]): Promise<void> {
    for (const server of servers) {
      if (epoch !== this.#epoch) return;
      this.setState({ type: 'connecting', server, round: outage.rounds });
      this.hooks.connecting(server, outage.rounds);
      if (epoch !== this.#epoch) return; // a listener closed the client or discovery moved
      try {
        const session = await this.hooks.open(server);
        if (epoch !== this.#epoch) {
          session.destroy();
          return;
        }
        this.#outage = undefined;
        this.#lastServer = session.server;
        this.hooks.adopt(session);
        this.setState({
          type: 'connected',
          server: session.server,
          since: this.clock.now(),
          heartBeat: session.heartBeat,
        });
        const { lost } = outage;
        this.hooks.connected(
          session,
          lost ? { from: lost.server, outageMs: this.clock.now() - lost.at } : undefined,
        );
        return;
      } catch (error) {
        if (epoch !== this.#epoch) return;
        const err = error instanceof HaClientError ? error : lostError(server, error);
        this.hooks.debug({ server: formatServer(server), error: err.message }, 'connect failed');
        if (err.code === 'AUTHENTICATION_FAILED') {
          // Retrying refused credentials would only hammer the broker: stop here.
          this.halt();
          this.hooks.fatal(err);
          return;
        }
        if (
          (err.code === 'CLIENT_ID_IN_USE' || err.code === 'TLS_FAILED') &&
          outage.lastError?.code !== err.code
        ) {
          // Not fatal: the broker may still hold our own previous connection until it notices
          // it is dead; a server's certificate may be replaced. Reported once per outage (a
          // wrong CA must not loop in silence); retried under the back-off.
          this.hooks.problem(err);
        }
        outage.lastError = err;
      }
    }
    if (epoch !== this.#epoch) return;
    outage.rounds++;
    this.#decide(false);
  }

  /** After a failed round (or a move): sleep as `nextReconnect` says, or give up. */
  #decide(endpointChanged: boolean): void {
    const outage = this.#outage!;
    const decision = nextReconnect(
      {
        state: this.#state,
        round: Math.max(1, outage.rounds),
        sinceLossMs: this.clock.now() - outage.since,
        endpointChanged,
        previousDelayMs: outage.previousDelayMs,
      },
      this.policy,
      this.random,
    );
    if (decision.type === 'give-up') {
      this.halt();
      if (this.#state.type === 'closing' || this.#state.type === 'closed') return;
      const { rounds, lastError } = outage;
      this.hooks.fatal(
        new HaClientError(
          'CONNECTION_LOST',
          `gave up after ${rounds} rounds over ${this.hooks.description}: ${lastError?.message ?? 'no server'}`,
          lastError ? { cause: lastError } : undefined,
        ),
      );
      return;
    }
    outage.previousDelayMs = decision.delayMs;
    if (decision.delayMs === 0) {
      this.#round();
      return;
    }
    const epoch = ++this.#epoch;
    const { lastError } = outage;
    this.setState(
      lastError
        ? { type: 'waiting', delayMs: decision.delayMs, round: outage.rounds, lastError }
        : { type: 'waiting', delayMs: decision.delayMs, round: outage.rounds },
    );
    this.clock.clearTimeout(this.#timer);
    this.#timer = this.clock.setTimeout(() => {
      if (epoch === this.#epoch) this.#round();
    }, decision.delayMs);
  }
}

function lostError(server: ServerAddress, error: unknown): HaClientError {
  return new HaClientError('CONNECTION_LOST', `${formatServer(server)}: ${String(error)}`, {
    cause: error,
  });
}
