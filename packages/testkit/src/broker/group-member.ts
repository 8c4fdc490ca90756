import type { BrokerProtocol } from '@activemq-ha/manifests';
import type { BrokerCommand } from './broker-command.js';
import type { BrokerPaths } from './broker-files.js';
import { BrokerProcess, type ProcessExit } from './broker-process.js';
import { BrokerGroupError } from './errors.js';
import { fileSize, lastLines, readFrom } from './log-file.js';
import { acceptsConnections } from './port-probe.js';
import { now } from './timing.js';

/** A broker of a group, as tests see it. Live: `pid` and `running` follow kills and restarts. */
export interface BrokerHandle<P extends BrokerProtocol = BrokerProtocol> {
  /** `broker-0`, `broker-1`, ... */
  readonly id: string;
  readonly index: number;
  /** Loopback address every connector binds to. */
  readonly host: string;
  /** The broker's own port for each protocol of the group. */
  readonly ports: Readonly<Record<P, number>>;
  /** The web console's port, when the group was started with `webConsole`. */
  readonly consolePort: number | undefined;
  /** Pid of the running JVM; `undefined` when not running. */
  readonly pid: number | undefined;
  readonly running: boolean;
  /** How often this broker was started (1 after the group started, +1 per restart). */
  readonly starts: number;
  /** How the last JVM of this broker ended, if one did. */
  readonly lastExit: ProcessExit | undefined;
  /** This broker's directory (activemq.base). */
  readonly dir: string;
  readonly configFile: string;
  /** ActiveMQ's log, appended across restarts. */
  readonly logFile: string;
  /** JVM stdout/stderr, appended across restarts. */
  readonly consoleFile: string;
}

export interface KillResult {
  readonly id: string;
  readonly pid: number;
  readonly signal: NodeJS.Signals;
  /** When the signal was sent, in `now()` ms. */
  readonly sentAt: number;
  /** When the process had exited, in `now()` ms. */
  readonly exitedAt: number;
  readonly exitCode: number | null;
  readonly exitSignal: NodeJS.Signals | null;
}

/** Internal: one broker's paths, ports and current JVM. */
export class GroupMember<P extends BrokerProtocol> implements BrokerHandle<P> {
  #process: BrokerProcess | undefined;
  #lastExit: ProcessExit | undefined;
  #logOffset = 0;
  #consoleOffset = 0;
  #starts = 0;
  #saved: { log: string; console: string } | undefined;

  constructor(
    readonly id: string,
    readonly index: number,
    readonly host: string,
    readonly ports: Readonly<Record<P, number>>,
    /** Internal: where this broker's files are. */
    readonly paths: BrokerPaths,
    readonly consolePort: number | undefined = undefined,
  ) {}

  get dir(): string {
    return this.paths.dir;
  }
  get configFile(): string {
    return this.paths.configFile;
  }
  get logFile(): string {
    return this.paths.logFile;
  }
  get consoleFile(): string {
    return this.paths.consoleFile;
  }
  get pid(): number | undefined {
    return this.running ? this.#process?.pid : undefined;
  }
  get running(): boolean {
    return this.#process !== undefined && this.#process.exit === undefined;
  }
  get starts(): number {
    return this.#starts;
  }
  get lastExit(): ProcessExit | undefined {
    return this.#process?.exit ?? this.#lastExit;
  }
  /** The current (or last) JVM, for waits that must notice it exiting. */
  get process(): BrokerProcess | undefined {
    return this.#process;
  }

  async start(command: BrokerCommand, env: NodeJS.ProcessEnv): Promise<void> {
    if (this.running) return;
    this.#lastExit = this.#process?.exit ?? this.#lastExit;
    // Log waits look only at what this JVM writes, not at earlier runs of the same broker.
    this.#logOffset = fileSize(this.paths.logFile);
    this.#consoleOffset = fileSize(this.paths.consoleFile);
    this.#process = await BrokerProcess.spawn(
      command,
      { consoleFile: this.paths.consoleFile, cwd: this.paths.dir, env },
      this.id,
    );
    this.#starts++;
  }

  /** Resolves once the JVM has exited; throws TIMEOUT if it has not after `timeoutMs`. */
  async kill(signal: NodeJS.Signals, timeoutMs: number): Promise<KillResult | undefined> {
    const proc = this.#process;
    if (proc === undefined || proc.exit !== undefined) return undefined;
    const sentAt = now();
    proc.signal(signal);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new BrokerGroupError(
              'TIMEOUT',
              `${this.id} (pid ${proc.pid}) still running ${timeoutMs} ms after ${signal}`,
              { brokerId: this.id },
            ),
          ),
        timeoutMs,
      );
    });
    try {
      const exit = await Promise.race([proc.exited, timeout]);
      return {
        id: this.id,
        pid: proc.pid,
        signal,
        sentAt,
        exitedAt: exit.at,
        exitCode: exit.code,
        exitSignal: exit.signal,
      };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Running and every connector accepts connections: this broker holds the lock and serves. */
  async isServing(): Promise<boolean> {
    if (!this.running) return false;
    for (const port of Object.values<number>(this.ports)) {
      if (!(await acceptsConnections(port, this.host))) return false;
    }
    return this.running;
  }

  /** What the current JVM has logged so far. */
  logSinceStart(): string {
    return readFrom(this.paths.logFile, this.#logOffset);
  }

  /** What the current JVM has written to stdout/stderr so far. */
  consoleSinceStart(): string {
    return readFrom(this.paths.consoleFile, this.#consoleOffset);
  }

  /**
   * Keeps the log tails in memory so `describe` still works once the directory is removed: with
   * `await using`, the group is stopped before a test's failure hook runs.
   */
  saveLogs(): void {
    const logs = this.#readLogs();
    this.#saved = { log: lastLines(logs.log, 2000), console: lastLines(logs.console, 200) };
  }

  #readLogs(): { log: string; console: string } {
    return { log: readFrom(this.paths.logFile), console: readFrom(this.paths.consoleFile) };
  }

  /** A short account of this broker for error messages and failed tests. */
  describe(tailLines: number): string {
    const state = this.running
      ? `running, pid ${this.pid}`
      : this.lastExit
        ? `exited (code ${this.lastExit.code}, signal ${this.lastExit.signal})`
        : 'not started';
    const ports = Object.entries(this.ports)
      .map(([p, n]) => `${p} ${n}`)
      .join(', ');
    const saved = this.#saved ?? this.#readLogs();
    const log = lastLines(saved.log, tailLines);
    const consoleTail = lastLines(saved.console, Math.min(tailLines, 40));
    return [
      `===== ${this.id}: ${state}; ${ports}; starts ${this.#starts}`,
      `----- ${this.paths.logFile}`,
      log || '(empty)',
      `----- ${this.paths.consoleFile}`,
      consoleTail || '(empty)',
    ].join('\n');
  }
}
