import type { LeaderState } from './elector-policy.js';

export interface DesiredLabelInput {
  readonly state: LeaderState;
  /** The last probe was `ok` and younger than the freshness window (monotonic). */
  readonly probeFresh: boolean;
  /**
   * Whether the group Lease backs a claim: `held` (ours, live), `absent` (the labeler runs without
   * a Lease) or `not-held` (someone else's, expired-but-not-yet-taken, or our renewal is overdue).
   */
  readonly lease: 'held' | 'not-held' | 'absent';
  /** Our broker serves while another pod renews a live Lease. */
  readonly splitBrain: boolean;
  /** We were fenced by a peer a short while ago (damping: no fence-back). */
  readonly recentlyFenced: boolean;
  readonly onUnknown: 'demote' | 'keep';
  readonly leaderValue: string;
  readonly standbyValue: string;
}

/**
 * The label the own pod should carry, or undefined to leave it as it is. Pure: the labeler feeds
 * it what it knows and writes what it says.
 *
 * - A split brain demotes, whatever else holds: the other pod renews the Lease, so it came first.
 * - The leader value needs a fresh `ok` probe (a process that was frozen re-probes first), the
 *   Lease (so a claim has a term a fence can be compared against) and no recent fence by a peer.
 *   Without these it leaves the label alone: in particular a renewal that fails because the API is
 *   down never demotes a broker that serves (Patroni's failsafe lesson).
 */
export function desiredLabel(i: DesiredLabelInput): string | undefined {
  if (i.splitBrain) return i.standbyValue;
  switch (i.state) {
    case 'leader':
      if (!i.probeFresh || i.recentlyFenced || i.lease === 'not-held') return undefined;
      return i.leaderValue;
    case 'standby':
      return i.standbyValue;
    case 'unknown':
      return i.onUnknown === 'demote' ? i.standbyValue : undefined;
    case 'starting':
      return undefined;
  }
}
