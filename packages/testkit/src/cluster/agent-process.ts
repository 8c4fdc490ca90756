import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { EventEmitter } from 'eventemitter3';
import { hasPdeathsig } from '../broker/broker-command.js';
import { trackProcessGroup, untrackProcessGroup } from '../broker/process-reaper.js';
import { imageNodeFlags } from './image-node-flags.js';

/** One parsed NDJSON log line of the agent. */
export type AgentLogLine = { readonly msg?: string; readonly level?: string } & Record<
  string,
  unknown
>;

export interface AgentProcessOptions {
  /** Path of the agent's bundle (`packages/agent/dist/agent.js`): the container's exact entrypoint. */
  readonly entrypoint: string;
  readonly env: NodeJS.ProcessEnv;
  readonly args?: readonly string[];
  /** Flags for node itself. @default the image's (imageNodeFlags: its Dockerfile's ENTRYPOINT) */
  readonly nodeFlags?: readonly string[];
  /** Where stdout and stderr are appended. */
  readonly logFile: string;
}

interface AgentProcessEvents {
  log: [line: AgentLogLine];
  exit: [code: number | null, signal: NodeJS.Signals | null];
}

/**
 * A real agent process, started through its CLI as a sidecar container would run it. Its JSON log
 * lines are parsed and re-emitted so tests and the demo can wait on them instead of sleeping.
 */
export class AgentProcess extends EventEmitter<AgentProcessEvents> {
  readonly child: ChildProcess;
  readonly lines: AgentLogLine[] = [];
  #exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #log: WriteStream;
  #stderrTail = '';
  httpPort: number | undefined;

  constructor(readonly options: AgentProcessOptions) {
    super();
    this.#log = createWriteStream(options.logFile, { flags: 'a' });
    const argv = [
      ...(options.nodeFlags ?? imageNodeFlags(options.entrypoint)),
      options.entrypoint,
      ...(options.args ?? []),
    ];
    // Same safety nets as the broker JVMs: own process group, reaped on exit, killed by the
    // kernel if this process dies without running any hook.
    this.child = hasPdeathsig()
      ? spawn('setpriv', ['--pdeathsig', 'KILL', '--', process.execPath, ...argv], {
          env: options.env,
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
        })
      : spawn(process.execPath, argv, {
          env: options.env,
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
    const pid = this.child.pid;
    if (pid !== undefined) trackProcessGroup(pid);
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.#log.write(chunk);
      this.#stderrTail = (this.#stderrTail + chunk.toString()).slice(-2000);
    });
    const rl = createInterface({ input: this.child.stdout! });
    rl.on('line', (text) => {
      this.#log.write(`${text}\n`);
      let line: AgentLogLine;
      try {
        line = JSON.parse(text) as AgentLogLine;
      } catch {
        return;
      }
      if (typeof line.httpPort === 'number') this.httpPort = line.httpPort;
      this.lines.push(line);
      this.emit('log', line);
    });
    this.#exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        if (pid !== undefined) untrackProcessGroup(pid);
        rl.close();
        this.emit('exit', code, signal);
        resolve({ code, signal });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves with the first log line (already seen or future) matching `predicate`. */
  waitForLog(
    predicate: (line: AgentLogLine) => boolean,
    timeoutMs = 30_000,
  ): Promise<AgentLogLine> {
    const seen = this.lines.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `agent pid ${this.pid}: no matching log line within ${timeoutMs} ms (log: ${this.options.logFile})`,
          ),
        );
      }, timeoutMs);
      const onLog = (line: AgentLogLine) => {
        if (!predicate(line)) return;
        cleanup();
        resolve(line);
      };
      const onExit = () => {
        cleanup();
        reject(
          new Error(
            `agent pid ${this.pid} exited (code ${this.child.exitCode}) before the awaited log line (log: ${this.options.logFile}); stderr: ${this.#stderrTail.trim() || '(empty)'}; last line: ${JSON.stringify(this.lines.at(-1) ?? null)}`,
          ),
        );
      };
      const cleanup = () => {
        clearTimeout(timer);
        this.off('log', onLog);
        this.off('exit', onExit);
      };
      this.on('log', onLog);
      this.on('exit', onExit);
    });
  }

  /** Sends `signal` and resolves once the process has exited. */
  async kill(
    signal: NodeJS.Signals = 'SIGTERM',
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.running) this.child.kill(signal);
    const exit = await this.#exited;
    await new Promise<void>((resolve) => this.#log.end(resolve));
    return exit;
  }

  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.#exited;
  }
}
