import type { ProbeStatus } from './probe.js';

/** `starting` until the first verdict; `unknown` while probes cannot tell (timeouts, garbage). */
export type LeaderState = 'starting' | 'leader' | 'standby' | 'unknown';

/** Consecutive results of each kind, each reset by any other kind (`failures` by `ok` only). */
export interface Streaks {
  readonly ok: number;
  readonly refused: number;
  readonly inconclusive: number;
  readonly failures: number;
}

export interface Thresholds {
  readonly successThreshold: number;
  readonly failureThreshold: number;
}

export const NO_STREAKS: Streaks = { ok: 0, refused: 0, inconclusive: 0, failures: 0 };

export function addResult(s: Streaks, status: ProbeStatus): Streaks {
  if (status === 'ok') return { ok: s.ok + 1, refused: 0, inconclusive: 0, failures: 0 };
  if (status === 'refused') {
    return { ok: 0, refused: s.refused + 1, inconclusive: 0, failures: s.failures + 1 };
  }
  return { ok: 0, refused: 0, inconclusive: s.inconclusive + 1, failures: s.failures + 1 };
}

/**
 * The state the streaks justify. `refused` is standby evidence (a waiting slave opens no ports);
 * timeouts and protocol errors are inconclusive. A leader leaves after `failureThreshold`
 * failures of any mix — to `unknown` when they were mixed — because whatever the cause, a broker
 * that stopped answering must not keep the label.
 */
export function decide(state: LeaderState, s: Streaks, t: Thresholds): LeaderState {
  if (s.ok >= t.successThreshold) return 'leader';
  if (s.refused >= t.failureThreshold) return 'standby';
  if (s.inconclusive >= t.failureThreshold) return 'unknown';
  if (s.failures >= t.failureThreshold && (state === 'leader' || state === 'starting')) {
    return 'unknown';
  }
  return state;
}
