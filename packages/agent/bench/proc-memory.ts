import { readFileSync } from 'node:fs';

/** VmRSS and VmHWM (peak RSS) of `pid` in MiB, from /proc; undefined once it is gone. */
export function procMemory(
  pid: number | undefined,
): { rssMiB: number; peakMiB: number } | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1]);
    return { rssMiB: kb('VmRSS') / 1024, peakMiB: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}
