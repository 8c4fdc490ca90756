import { rmSync } from 'node:fs';

/**
 * Last-resort cleanup when the test runner dies before `stop()` runs: on process exit and on
 * SIGINT/SIGTERM/SIGHUP, SIGKILL every tracked process group and remove the directories not
 * marked to keep. Handlers are installed only while something is tracked, so an idle harness
 * leaves the runner's own signal handling alone. (A SIGKILL of this process runs no hook at
 * all; the JVMs' parent-death signal covers that, see broker-command.ts.)
 */

const groups = new Set<number>();
const dirs = new Map<string, () => boolean>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let installed = false;

/** Tracks a process group leader's pid until `untrackProcessGroup`. */
export function trackProcessGroup(pid: number): void {
  groups.add(pid);
  install();
}

export function untrackProcessGroup(pid: number): void {
  groups.delete(pid);
  uninstallIfIdle();
}

/** Removes `dir` on an abnormal exit unless `keep()` then says otherwise. */
export function trackDirectory(dir: string, keep: () => boolean): void {
  dirs.set(dir, keep);
  install();
}

export function untrackDirectory(dir: string): void {
  dirs.delete(dir);
  uninstallIfIdle();
}

/** SIGKILLs the whole process group, falling back to the pid alone. Never throws. */
export function killProcessGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

function reapAll(): void {
  for (const pid of groups) killProcessGroup(pid, 'SIGKILL');
  groups.clear();
  for (const [dir, keep] of dirs) {
    if (keep()) continue;
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
    } catch {
      // Best effort while exiting.
    }
  }
  dirs.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  reapAll();
  uninstall();
  // Our listener replaced Node's default action (terminate). If nobody else handles the signal,
  // restore that action by re-raising it now that we are out of the way.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', reapAll);
  for (const s of SIGNALS) process.on(s, onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', reapAll);
  for (const s of SIGNALS) process.off(s, onSignal);
}

function uninstallIfIdle(): void {
  if (groups.size === 0 && dirs.size === 0) uninstall();
}
