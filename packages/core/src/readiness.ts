import type { LeaderState } from './elector-policy.js';

export interface Readiness {
  readonly ready: boolean;
  readonly reason: string;
}

/**
 * The second, independent signal for `/readyz`: not ready exactly when the pod carries the
 * leader label (as last observed or written) while the local broker does not serve — e.g. the
 * API is unreachable and the label cannot be removed. Failing readiness takes the pod out of the
 * Service endpoints even though the label is stale. A waiting slave labelled standby stays ready
 * (readiness-gated designs deadlock rollouts).
 */
export function computeReadiness(
  label: string | undefined,
  leaderValue: string,
  state: LeaderState,
  /** Another pod renews the group Lease while our broker served: never route here. */
  splitBrain = false,
): Readiness {
  if (splitBrain) {
    return { ready: false, reason: 'split brain: another pod holds the live group Lease' };
  }
  if (label === leaderValue && state !== 'leader') {
    return {
      ready: false,
      reason: `labelled ${leaderValue} but the local broker is ${state}`,
    };
  }
  return {
    ready: true,
    reason: label === leaderValue ? 'leader and serving' : 'not labelled leader',
  };
}
