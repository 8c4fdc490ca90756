import { type LeaderOverlap, leaderOverlaps } from '../cluster/leader-overlaps.js';
import type { LabelChange } from '../kube/label-history.js';

/** Delivery totals of a soak once the consumer has drained. */
export interface DeliveryTotals {
  readonly sent: number;
  readonly confirmed: number;
  /** Distinct messages the handler saw. */
  readonly received: number;
  /** Confirmed messages the consumer never received. */
  readonly lost: number;
  /** Messages the handler saw twice although the client filters duplicates. */
  readonly duplicates: number;
}

/** The whole-run invariants: nothing confirmed lost, no duplicate reaches the handler. */
export function deliveryViolations(totals: DeliveryTotals): string[] {
  const out: string[] = [];
  if (totals.lost > 0) out.push(`${totals.lost} confirmed message(s) never delivered`);
  if (totals.duplicates > 0) {
    out.push(`${totals.duplicates} duplicate(s) reached the handler past the client's filter`);
  }
  return out;
}

/**
 * Never two `leader=yes` pods beyond the fencing step, over the whole label history (start-up
 * included): every overlap must have ended, within `boundMs`. `during` names the fault an
 * overlap started in, for the message.
 */
export function overlapViolations(
  history: readonly LabelChange[],
  boundMs: number,
  during: (overlap: LeaderOverlap) => string | undefined = () => undefined,
): { overlaps: LeaderOverlap[]; violations: string[] } {
  const overlaps = leaderOverlaps(history);
  const violations = overlaps
    .filter((o) => o.durationMs === undefined || o.durationMs > boundMs)
    .map((o) => {
      const span = o.durationMs === undefined ? 'the rest of the run' : `${o.durationMs} ms`;
      const where = during(o) ?? new Date(o.start).toISOString();
      return `${where}: ${o.pods.join(' and ')} labelled leader together for ${span} (bound ${boundMs} ms)`;
    });
  return { overlaps, violations };
}
