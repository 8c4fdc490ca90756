import type { LabelChange } from '../kube/label-history.js';

export interface LeaderOverlap {
  readonly pods: readonly string[];
  /** Epoch ms when a second pod joined. */
  readonly start: number;
  /** Epoch ms when only one (or none) was left; undefined while it lasts. */
  readonly end: number | undefined;
  readonly durationMs: number | undefined;
}

/**
 * Every span of time in which more than one pod carried `key=value`, from the emulator's label
 * history. A fencing promotion may produce a short one (promote self, then demote the stale
 * peer); anything long or unterminated is a split routing.
 */
export function leaderOverlaps(
  history: readonly LabelChange[],
  key = 'leader',
  value = 'yes',
): LeaderOverlap[] {
  const holders = new Set<string>();
  const overlaps: LeaderOverlap[] = [];
  let open: { pods: Set<string>; start: number } | undefined;
  for (const c of history) {
    if (c.after?.[key] === value) holders.add(c.pod);
    else holders.delete(c.pod);
    if (holders.size > 1) {
      open ??= { pods: new Set(), start: c.time };
      for (const p of holders) open.pods.add(p);
    } else if (open) {
      overlaps.push({
        pods: [...open.pods],
        start: open.start,
        end: c.time,
        durationMs: c.time - open.start,
      });
      open = undefined;
    }
  }
  if (open)
    overlaps.push({
      pods: [...open.pods],
      start: open.start,
      end: undefined,
      durationMs: undefined,
    });
  return overlaps;
}
