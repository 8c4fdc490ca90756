import { rm } from 'node:fs/promises';
import type { BrokerProtocol } from '@activemq-ha/manifests';
import type { BrokerCommand } from './broker-command.js';
import { BrokerGroupError } from './errors.js';
import type { BrokerHandle, GroupMember, KillResult } from './group-member.js';
import { LOG_LINES } from './log-file.js';
import { trackDirectory, untrackDirectory } from './process-reaper.js';
import { warmupOutcome } from './takeover-warmup.js';
import { now, pollUntil } from './timing.js';

export type BrokerSignal = 'SIGKILL' | 'SIGTERM';

export interface WaitOptions {
  /** @default 30000 */
  readonly timeoutMs?: number;
  /** Time between probes; also the resolution of the reported timestamps. @default 25 */
  readonly pollIntervalMs?: number;
}

export interface WaitForActiveOptions extends WaitOptions {
  /** Brokers not to consider, e.g. the one just killed. @default [] */
  readonly exclude?: string | readonly string[];
}

export interface ActiveBroker<P extends BrokerProtocol = BrokerProtocol> {
  readonly broker: BrokerHandle<P>;
  /** First probe that found every connector accepting, in `now()` ms. */
  readonly servingAt: number;
  /** From the call to `servingAt`. */
  readonly waitedMs: number;
}

export interface WaitingBroker<P extends BrokerProtocol = BrokerProtocol> {
  readonly broker: BrokerHandle<P>;
  /** When the "slave mode waiting a lock" log line was first seen, in `now()` ms. */
  readonly waitingAt: number;
  readonly waitedMs: number;
}

export interface FailoverResult<P extends BrokerProtocol = BrokerProtocol> {
  readonly from: BrokerHandle<P>;
  readonly to: BrokerHandle<P>;
  readonly killed: KillResult;
  readonly servingAt: number;
  /** Signal sent → another broker serving: what a client sees at best. */
  readonly takeoverMs: number;
  /** Old JVM gone → another broker serving: the lock hand-over alone. */
  readonly afterExitMs: number;
}

/** What the group needs from `startBrokerGroup`; not public. */
export interface BrokerGroupSetup<P extends BrokerProtocol> {
  readonly dir: string;
  readonly sharedDataDir: string;
  readonly members: readonly GroupMember<P>[];
  readonly command: (member: GroupMember<P>) => BrokerCommand;
  readonly env: NodeJS.ProcessEnv;
  readonly lockAcquireSleepIntervalMs: number;
  readonly lockKeepAlivePeriodMs: number;
  readonly stopTimeoutMs: number;
  readonly keepDir: boolean;
  /** The JVMs load the takeover warm-up agent: a slave counts as waiting once it reported. */
  readonly takeoverWarmup?: boolean;
}

const DEFAULT_WAIT_MS = 30_000;
const DEFAULT_POLL_MS = 25;
const SIGKILL_EXIT_MS = 10_000;

/**
 * A running shared-store master/slave group of real ActiveMQ Classic brokers. Create it with
 * `startBrokerGroup`; end it with `stop()` or `await using`.
 */
export class BrokerGroup<P extends BrokerProtocol = BrokerProtocol> implements AsyncDisposable {
  /** Temp directory with one folder per broker and `shared/` (KahaDB and its lock). */
  readonly dir: string;
  readonly sharedDataDir: string;
  readonly lockAcquireSleepIntervalMs: number;
  readonly lockKeepAlivePeriodMs: number;
  #keepDir: boolean;
  #stopping: Promise<void> | undefined;
  #removed = false;

  constructor(private readonly setup: BrokerGroupSetup<P>) {
    this.dir = setup.dir;
    this.sharedDataDir = setup.sharedDataDir;
    this.lockAcquireSleepIntervalMs = setup.lockAcquireSleepIntervalMs;
    this.lockKeepAlivePeriodMs = setup.lockKeepAlivePeriodMs;
    this.#keepDir = setup.keepDir;
    trackDirectory(this.dir, () => this.#keepDir);
  }

  get brokers(): readonly BrokerHandle<P>[] {
    return this.setup.members;
  }

  broker(id: string): BrokerHandle<P> {
    return this.#member(id);
  }

  /** Every running broker whose connectors all accept connections (normally one). */
  async serving(): Promise<BrokerHandle<P>[]> {
    const members = this.setup.members;
    const open = await Promise.all(members.map((m) => m.isServing()));
    return members.filter((_, i) => open[i]);
  }

  /** The broker that serves, `undefined` if none does; SPLIT_BRAIN if several do. */
  async active(): Promise<BrokerHandle<P> | undefined> {
    const serving = await this.serving();
    if (serving.length > 1) throw this.#splitBrain(serving);
    return serving[0];
  }

  /** Waits until exactly one broker (not excluded) serves. */
  async waitForActive(options: WaitForActiveOptions = {}): Promise<ActiveBroker<P>> {
    const excluded = new Set(
      typeof options.exclude === 'string' ? [options.exclude] : options.exclude,
    );
    const started = now();
    return pollUntil(
      async () => {
        const candidates = this.setup.members.filter((m) => m.running && !excluded.has(m.id));
        if (candidates.length === 0) {
          throw new BrokerGroupError(
            'NO_BROKER_RUNNING',
            `no broker${excluded.size ? ` other than ${[...excluded].join(', ')}` : ''} is running\n${this.logs({ tailLines: 20 })}`,
          );
        }
        const open = await Promise.all(candidates.map((m) => m.isServing()));
        const serving = candidates.filter((_, i) => open[i]);
        if (serving.length > 1) throw this.#splitBrain(serving);
        const broker = serving[0];
        if (broker === undefined) return undefined;
        const servingAt = now();
        return { broker, servingAt, waitedMs: servingAt - started };
      },
      this.#poll(options),
      () =>
        new BrokerGroupError(
          'TIMEOUT',
          `no broker became active within ${this.#poll(options).timeoutMs} ms\n${this.logs({ tailLines: 20 })}`,
        ),
    );
  }

  /** Waits until broker `id` serves; BROKER_EXITED at once if its JVM ends meanwhile. */
  async waitForServing(id: string, options: WaitOptions = {}): Promise<ActiveBroker<P>> {
    const member = this.#member(id);
    const started = now();
    return pollUntil(
      async () => {
        if (!member.running) throw this.#exited(member, 'while waiting for it to serve');
        if (!(await member.isServing())) return undefined;
        const servingAt = now();
        return { broker: member, servingAt, waitedMs: servingAt - started };
      },
      this.#poll(options),
      () => this.#timeout(member, 'to serve', options),
    );
  }

  /**
   * Waits until broker `id` has logged that it waits for the store lock (a slave opens no ports,
   * so its log is the only sign). NOT_SLAVE if it started serving instead. In a group started
   * with `takeoverWarmup`, also until the warm-up agent reported (rehearsed, skipped or failed),
   * so that a failover measured next meets a warmed JVM, as a long-waiting slave in a pod is.
   */
  async waitForSlave(id: string, options: WaitOptions = {}): Promise<WaitingBroker<P>> {
    const member = this.#member(id);
    const started = now();
    return pollUntil(
      () => {
        const log = member.logSinceStart();
        const warmed =
          !this.setup.takeoverWarmup || warmupOutcome(member.consoleSinceStart()) !== undefined;
        if (LOG_LINES.waitingForLock.test(log) && warmed) {
          const waitingAt = now();
          return { broker: member, waitingAt, waitedMs: waitingAt - started };
        }
        if (LOG_LINES.started.test(log)) {
          throw new BrokerGroupError(
            'NOT_SLAVE',
            `${id} took the lock and serves; expected it to wait`,
            {
              brokerId: id,
            },
          );
        }
        if (!member.running)
          throw this.#exited(member, 'while waiting for it to wait for the lock');
        return undefined;
      },
      this.#poll(options),
      () => this.#timeout(member, 'to wait for the lock', options),
    );
  }

  /**
   * Sends `signal` to broker `id` and resolves once its JVM has exited.
   * @param timeoutMs @default 10000 for SIGKILL, the group's stopTimeoutMs for SIGTERM
   */
  async kill(
    id: string,
    signal: BrokerSignal = 'SIGKILL',
    timeoutMs?: number,
  ): Promise<KillResult> {
    const member = this.#member(id);
    const limit = timeoutMs ?? (signal === 'SIGKILL' ? SIGKILL_EXIT_MS : this.setup.stopTimeoutMs);
    const result = await member.kill(signal, limit);
    if (result === undefined) {
      throw new BrokerGroupError('NOT_RUNNING', `${id} is not running`, { brokerId: id });
    }
    return result;
  }

  /**
   * Starts broker `id` again with the same ports and config (SIGTERM first if it still runs). It
   * returns as soon as the JVM is spawned: with another broker holding the lock it becomes a
   * waiting slave (see `waitForSlave`), otherwise it will serve (see `waitForServing`).
   */
  async restart(id: string, signal: BrokerSignal = 'SIGTERM'): Promise<BrokerHandle<P>> {
    const member = this.#member(id);
    if (this.#stopping) {
      throw new BrokerGroupError('GROUP_STOPPED', `cannot restart ${id}: the group is stopped`, {
        brokerId: id,
      });
    }
    if (member.running) await this.kill(id, signal);
    await member.start(this.setup.command(member), this.setup.env);
    return member;
  }

  /**
   * Kills the active broker and measures until another one serves.
   * @param signal @default 'SIGKILL'
   */
  async failover(
    signal: BrokerSignal = 'SIGKILL',
    options: WaitOptions = {},
  ): Promise<FailoverResult<P>> {
    const from = await this.active();
    if (from === undefined) {
      throw new BrokerGroupError('NO_BROKER_RUNNING', 'no active broker to fail over from');
    }
    const killed = await this.kill(from.id, signal);
    const next = await this.waitForActive({ ...options, exclude: from.id });
    return {
      from,
      to: next.broker,
      killed,
      servingAt: next.servingAt,
      takeoverMs: next.servingAt - killed.sentAt,
      afterExitMs: next.servingAt - killed.exitedAt,
    };
  }

  /** The tail of every broker's logs, for a failed test's output. */
  logs(options: { readonly tailLines?: number } = {}): string {
    const tail = options.tailLines ?? 200;
    return [
      `broker group ${this.dir} (lockAcquireSleepInterval ${this.lockAcquireSleepIntervalMs} ms, lockKeepAlivePeriod ${this.lockKeepAlivePeriodMs} ms)`,
      ...this.setup.members.map((m) => m.describe(tail)),
    ].join('\n');
  }

  /**
   * Prints `logs()` to stderr and keeps the directory if it still exists. Bound, so it can be
   * passed as is: `onTestFailed(group.dumpLogs)`. Works after `stop()` too (the tails are kept in
   * memory), which is the order `await using` in a failing test produces.
   */
  readonly dumpLogs = (): void => {
    this.keepDir();
    const where = this.#removed
      ? `${this.dir} was removed on stop; keepDir: true or ACTIVEMQ_HA_KEEP_DIRS=1 keeps it`
      : `kept ${this.dir} for inspection`;
    console.error(`${this.logs()}\n(${where})`);
  };

  /** Keep the directory after `stop()` (it is removed by default). */
  keepDir(): void {
    this.#keepDir = true;
  }

  /**
   * SIGTERMs every broker, SIGKILLs those still running after `timeoutMs`, then removes the
   * directory unless kept. Idempotent; safe to call after a failure.
   * @param timeoutMs grace period for SIGTERM; 0 kills at once. @default the group's stopTimeoutMs
   */
  stop(options: { readonly timeoutMs?: number } = {}): Promise<void> {
    this.#stopping ??= this.#stop(options.timeoutMs ?? this.setup.stopTimeoutMs);
    return this.#stopping;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  async #stop(graceMs: number): Promise<void> {
    const results = await Promise.allSettled(
      this.setup.members.map(async (m) => {
        if (graceMs > 0) await m.kill('SIGTERM', graceMs).catch(() => undefined);
        await m.kill('SIGKILL', SIGKILL_EXIT_MS);
      }),
    );
    const failed = results.filter((r) => r.status === 'rejected');
    untrackDirectory(this.dir);
    for (const m of this.setup.members) m.saveLogs();
    // A JVM that survived is still tracked by the reaper; keep its files for the post-mortem.
    if (failed.length === 0 && !this.#keepDir) {
      await rm(this.dir, { recursive: true, force: true });
      this.#removed = true;
    }
    if (failed.length > 0) {
      throw new BrokerGroupError(
        'TIMEOUT',
        `${failed.length} broker(s) did not exit; see ${this.dir}`,
        {
          cause: (failed[0] as PromiseRejectedResult).reason,
        },
      );
    }
  }

  #member(id: string): GroupMember<P> {
    const member = this.setup.members.find((m) => m.id === id);
    if (member === undefined) {
      throw new BrokerGroupError(
        'UNKNOWN_BROKER',
        `no broker "${id}"; the group has ${this.setup.members.map((m) => m.id).join(', ')}`,
        { brokerId: id },
      );
    }
    return member;
  }

  #poll(options: WaitOptions): { timeoutMs: number; intervalMs: number } {
    return {
      timeoutMs: options.timeoutMs ?? DEFAULT_WAIT_MS,
      intervalMs: options.pollIntervalMs ?? DEFAULT_POLL_MS,
    };
  }

  #exited(member: GroupMember<P>, when: string): BrokerGroupError {
    return new BrokerGroupError(
      'BROKER_EXITED',
      `${member.id} exited ${when}\n${member.describe(30)}`,
      {
        brokerId: member.id,
      },
    );
  }

  #timeout(member: GroupMember<P>, what: string, options: WaitOptions): BrokerGroupError {
    return new BrokerGroupError(
      'TIMEOUT',
      `${member.id} did not start ${what} within ${this.#poll(options).timeoutMs} ms\n${member.describe(30)}`,
      { brokerId: member.id },
    );
  }

  #splitBrain(serving: readonly BrokerHandle<P>[]): BrokerGroupError {
    return new BrokerGroupError(
      'SPLIT_BRAIN',
      `${serving.map((b) => b.id).join(' and ')} all accept connections: the shared store lock failed\n${this.logs({ tailLines: 30 })}`,
    );
  }
}
