import { readFileSync } from 'node:fs';

/** Memory of one process from /proc/<pid>/status, in MiB. */
export interface ProcMemory {
  /** VmRSS: resident now (anonymous + file-backed + shared memory). */
  readonly rssMiB: number;
  /** VmHWM: the peak of VmRSS. */
  readonly peakMiB: number;
  /**
   * RssAnon: the process's own resident memory (heap, stacks, malloc). The rest of the RSS is
   * mostly the node binary's file-backed pages, shared and reclaimable.
   */
  readonly anonMiB: number;
}

/** Memory of `pid` from /proc; undefined once it is gone. */
export function procMemory(pid: number | undefined): ProcMemory | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1]);
    return {
      rssMiB: kb('VmRSS') / 1024,
      peakMiB: kb('VmHWM') / 1024,
      anonMiB: kb('RssAnon') / 1024,
    };
  } catch {
    return undefined;
  }
}
