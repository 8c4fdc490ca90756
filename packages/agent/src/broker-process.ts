import { readdir, readFile, stat } from 'node:fs/promises';

/** USER_HZ: the unit of /proc/<pid>/stat's start time, 100 on every Linux architecture. */
const CLOCK_TICKS_PER_SECOND = 100;

export interface BrokerJvm {
  readonly pid: number;
  /** When the process started, in epoch ms (10 ms resolution). */
  readonly startedAtMs: number;
}

/**
 * The broker's JVM in the pod's process list (the pod shares one process namespace, so the agent
 * sees the broker container's processes): the first process one of whose arguments contains
 * `match`. Reads only /proc/<pid>/cmdline and /proc/<pid>/stat, which any uid may read; the
 * agent runs as another uid than the broker, so neither can read the other's environment, files
 * or token.
 */
export async function findBrokerJvm(match: string, proc = '/proc'): Promise<BrokerJvm | undefined> {
  const pids = (await readdir(proc)).filter((name) => /^\d+$/.test(name));
  for (const pid of pids) {
    let cmdline: string;
    try {
      cmdline = await readFile(`${proc}/${pid}/cmdline`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    if (!cmdline.split('\0').some((arg) => arg.includes(match))) continue;
    const startedAtMs = await processStart(proc, pid);
    if (startedAtMs !== undefined) return { pid: Number(pid), startedAtMs };
  }
  return undefined;
}

async function processStart(proc: string, pid: string): Promise<number | undefined> {
  try {
    const [stat_, procStat] = await Promise.all([
      readFile(`${proc}/${pid}/stat`, 'utf8'),
      readFile(`${proc}/stat`, 'utf8'),
    ]);
    // Field 22 (starttime); the command name (field 2) may hold spaces, so count after its ")".
    const fields = stat_.slice(stat_.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    const bootSeconds = Number(/^btime (\d+)$/m.exec(procStat)?.[1]);
    if (!Number.isFinite(ticks) || !Number.isFinite(bootSeconds)) return undefined;
    return bootSeconds * 1000 + (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Modification time of `path` in epoch ms; undefined if it cannot be read. */
export async function modifiedAtMs(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}
