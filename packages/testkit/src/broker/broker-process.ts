import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { BrokerCommand } from './broker-command.js';
import { BrokerGroupError } from './errors.js';
import { killProcessGroup, trackProcessGroup, untrackProcessGroup } from './process-reaper.js';
import { now } from './timing.js';

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** When Node saw the exit, in `now()` milliseconds. */
  readonly at: number;
}

/** One JVM, in its own process group, with stdout/stderr appended to a file. */
export class BrokerProcess {
  #exit: ProcessExit | undefined;
  /** Settles (never rejects) when the process has exited and been reaped. */
  readonly exited: Promise<ProcessExit>;

  private constructor(
    child: ChildProcess,
    readonly pid: number,
    /** When the process was spawned, in `now()` milliseconds. */
    readonly spawnedAt: number,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#exit = { code, signal, at: now() };
        untrackProcessGroup(pid);
        resolve(this.#exit);
      });
    });
  }

  static async spawn(
    command: BrokerCommand,
    options: {
      readonly consoleFile: string;
      readonly cwd: string;
      readonly env: NodeJS.ProcessEnv;
    },
    brokerId: string,
  ): Promise<BrokerProcess> {
    const out = openSync(options.consoleFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(command.file, command.args, {
        cwd: options.cwd,
        env: options.env,
        // Own process group: a Ctrl-C in the terminal reaches us, not the JVMs, and we can signal
        // the group as a whole.
        detached: true,
        stdio: ['ignore', out, out],
      });
    } finally {
      closeSync(out);
    }
    const spawnedAt = now();
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err) =>
        reject(
          new BrokerGroupError(
            'SPAWN_FAILED',
            `${brokerId}: cannot run ${command.file}: ${err.message}`,
            {
              brokerId,
              cause: err,
            },
          ),
        ),
      );
    });
    const pid = child.pid;
    if (pid === undefined) {
      throw new BrokerGroupError(
        'SPAWN_FAILED',
        `${brokerId}: ${command.file} started without a pid`,
        {
          brokerId,
        },
      );
    }
    trackProcessGroup(pid);
    return new BrokerProcess(child, pid, spawnedAt);
  }

  /** `undefined` while running. */
  get exit(): ProcessExit | undefined {
    return this.#exit;
  }

  /** Signals the whole process group; a no-op once exited. */
  signal(signal: NodeJS.Signals): void {
    if (this.#exit === undefined) killProcessGroup(this.pid, signal);
  }
}
