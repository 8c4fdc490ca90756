import type { LeaderState } from '@activemq-ha/core';

/**
 * What the local broker is doing, read from the lines ActiveMQ writes to its own log
 * (`${activemq.data}/activemq.log` in the official image). A waiting slave opens no port, so its
 * log is the one place that says it got as far as the store lock: BrokerService starts the
 * persistence adapter ("Using Persistence Adapter …") and SharedFileLocker logs once that another
 * server holds the lock. The last of these lines wins.
 */
export type BrokerLogState =
  /** A JVM began starting the broker and has not reached the lock yet. */
  | 'starting'
  /** SharedFileLocker: another server holds the lock; this broker retries. */
  | 'waiting'
  /** The lock is taken; the store is being opened and recovered. */
  | 'recovering'
  /** Every connector started. */
  | 'serving'
  /** The broker shut down (or is shutting down). */
  | 'stopped'
  /** No line of the kinds above (yet): an empty or rotated log. */
  | 'unknown';

const LINES: readonly (readonly [RegExp, BrokerLogState])[] = [
  // The start of every broker start, before the lock (BrokerService.startPersistenceAdapter).
  [/\| Using Persistence Adapter: /, 'starting'],
  // SharedFileLocker: the INFO line once per start, the DEBUG line per retry.
  [/is now in slave mode waiting a lock to be acquired/, 'waiting'],
  [/is locked\.\.\. waiting /, 'waiting'],
  [/\| Persistence Adapter successfully started/, 'recovering'],
  [/\| Apache ActiveMQ \S+ \([^)]*\) started/, 'serving'],
  [/\| Apache ActiveMQ \S+ \([^)]*\) is shutting down/, 'stopped'],
  [/\| Apache ActiveMQ \S+ \([^)]*\) uptime /, 'stopped'],
];

/** The state the last telling line of `text` (the log's tail) shows. */
export function brokerLogState(text: string): BrokerLogState {
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] ?? '';
    for (const [pattern, state] of LINES) if (pattern.test(line)) return state;
  }
  return 'unknown';
}

/**
 * Whether a pod that is not the leader may count as Ready, from its broker's log and the agent's
 * own probe. A log stays behind when the JVM dies, so "serving" counts only while the probe agrees
 * (a dead master's log still ends in "started"); a dead waiting slave is caught by the broker
 * container's readiness probe (its process list), which the pod's Ready condition also needs.
 */
export function standbyReadiness(
  log: BrokerLogState,
  probe: LeaderState,
): { readonly ready: boolean; readonly reason: string } {
  switch (log) {
    case 'waiting':
      return { ready: true, reason: 'broker waiting for the store lock' };
    case 'recovering':
      return { ready: true, reason: 'broker holds the store lock and opens the store' };
    case 'serving':
      return probe === 'leader'
        ? { ready: true, reason: 'broker serving' }
        : {
            ready: false,
            reason: `broker log says serving but the probe finds it ${probe}: the JVM is gone or stalled`,
          };
    default:
      return { ready: false, reason: `broker ${log}, not yet waiting for the store lock` };
  }
}
