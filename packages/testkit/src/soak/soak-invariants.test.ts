import { describe, expect, it } from 'vitest';
import type { LabelChange } from '../kube/label-history.js';
import { deliveryViolations, overlapViolations } from './soak-invariants.js';

const change = (time: number, pod: string, before: string, after: string): LabelChange => ({
  resourceVersion: time,
  time,
  type: 'MODIFIED',
  namespace: 'ns',
  pod,
  before: { leader: before },
  after: { leader: after },
});

describe('soak invariants', () => {
  it('accepts a short fencing overlap and flags a long or unended one', () => {
    const history = [
      change(1000, 'a', 'no', 'yes'),
      change(5000, 'b', 'no', 'yes'),
      change(5100, 'a', 'yes', 'no'),
      change(9000, 'a', 'no', 'yes'),
      change(12_000, 'b', 'yes', 'no'),
      change(20_000, 'b', 'no', 'yes'),
    ];
    const { overlaps, violations } = overlapViolations(history, 2000, (o) =>
      o.start === 9000 ? 'fault 7' : undefined,
    );
    expect(overlaps).toHaveLength(3);
    expect(violations).toHaveLength(2);
    expect(violations[0]).toMatch(/^fault 7: b and a labelled leader together for 3000 ms/);
    expect(violations[1]).toMatch(/for the rest of the run/);
  });

  it('flags lost and duplicated messages', () => {
    const ok = { sent: 10, confirmed: 10, received: 10, lost: 0, duplicates: 0 };
    expect(deliveryViolations(ok)).toEqual([]);
    expect(deliveryViolations({ ...ok, lost: 2, duplicates: 1 })).toHaveLength(2);
  });
});
