import { readFileSync, statSync } from 'node:fs';

/** Size of `file` in bytes, 0 if it does not exist yet. */
export function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** The text of `file` from byte `offset` on; '' if it does not exist yet. */
export function readFrom(file: string, offset = 0): string {
  try {
    return readFileSync(file).subarray(offset).toString('utf8');
  } catch {
    return '';
  }
}

/** The last `lines` lines of `text`. */
export function lastLines(text: string, lines: number): string {
  const all = text.trimEnd().split('\n');
  return all.slice(Math.max(0, all.length - lines)).join('\n');
}

/** Lines ActiveMQ 5.x logs at the moments the harness cares about. */
export const LOG_LINES = {
  /** SharedFileLocker, once, when another broker holds the lock. */
  waitingForLock: /is now in slave mode waiting a lock to be acquired/,
  /** BrokerService, after every transport connector has started. */
  started: /Apache ActiveMQ \S+ \([^)]*\) started/,
} as const;
