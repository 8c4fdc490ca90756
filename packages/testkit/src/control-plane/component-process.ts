import { join } from 'node:path';
import { hasPdeathsig } from '../broker/broker-command.js';
import { BrokerProcess } from '../broker/broker-process.js';
import { lastLines, readFrom } from '../broker/log-file.js';
import { now } from '../broker/timing.js';
import { ControlPlaneError } from './errors.js';

/**
 * One control-plane binary (etcd, kube-apiserver, kube-controller-manager) in its own process
 * group, logging to `<dir>/<name>.log`. The broker harness's process type does the spawning and
 * reaping (process-reaper.ts), so a dying test runner takes these down with the brokers.
 */
export class ComponentProcess {
  private constructor(
    readonly name: string,
    readonly logFile: string,
    private readonly process: BrokerProcess,
  ) {}

  static async start(
    name: string,
    file: string,
    args: readonly string[],
    dir: string,
  ): Promise<ComponentProcess> {
    const logFile = join(dir, `${name}.log`);
    // setpriv: a SIGKILLed test runner runs no exit hook; the parent-death signal still stops us.
    const command = hasPdeathsig()
      ? { file: 'setpriv', args: ['--pdeathsig', 'KILL', '--', file, ...args] }
      : { file, args };
    const process_ = await BrokerProcess.spawn(
      command,
      { consoleFile: logFile, cwd: dir, env: { PATH: process.env.PATH, HOME: dir } },
      name,
    );
    return new ComponentProcess(name, logFile, process_);
  }

  get pid(): number {
    return this.process.pid;
  }

  get running(): boolean {
    return this.process.exit === undefined;
  }

  /** The last lines of the log, for an error message. */
  tail(lines = 20): string {
    return lastLines(readFrom(this.logFile), lines);
  }

  /**
   * Calls `healthy` until it says yes; fails early with the log's tail if the process exits, and
   * at the deadline otherwise.
   */
  async waitHealthy(healthy: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = now() + timeoutMs;
    for (;;) {
      if (!this.running) {
        throw new ControlPlaneError(
          'COMPONENT_FAILED',
          `${this.name} exited (${JSON.stringify(this.process.exit)}) before it was healthy:\n${this.tail()}`,
          { component: this.name },
        );
      }
      if (await healthy().catch(() => false)) return;
      if (now() >= deadline) {
        throw new ControlPlaneError(
          'COMPONENT_FAILED',
          `${this.name} not healthy after ${timeoutMs} ms:\n${this.tail()}`,
          { component: this.name },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process group leader is reaped. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.process.signal('SIGTERM');
    const timer = setTimeout(() => this.process.signal('SIGKILL'), graceMs);
    await this.process.exited;
    clearTimeout(timer);
  }
}
