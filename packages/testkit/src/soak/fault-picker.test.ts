import { describe, expect, it } from 'vitest';
import { FaultPicker } from './fault-picker.js';
import { FAULT_KINDS } from './fault-plan.js';
import { SeededRandom } from './seeded-random.js';

describe('FaultPicker', () => {
  it('draws the same faults for the same seed', () => {
    const a = new FaultPicker(new SeededRandom(99)).take(30);
    const b = new FaultPicker(new SeededRandom(99)).take(30);
    expect(b).toEqual(a);
    expect(new FaultPicker(new SeededRandom(100)).take(30)).not.toEqual(a);
  });

  it('covers every kind in every bag, broker SIGKILL twice by default', () => {
    const bag = new FaultPicker(new SeededRandom(5)).take(FAULT_KINDS.length + 1);
    const counts = new Map<string, number>();
    for (const f of bag) counts.set(f.kind, (counts.get(f.kind) ?? 0) + 1);
    for (const kind of FAULT_KINDS) {
      expect(counts.get(kind), kind).toBe(kind === 'broker-sigkill' ? 2 : 1);
    }
  });

  it('honours weights and parameter ranges', () => {
    const picker = new FaultPicker(new SeededRandom(3), {
      weights: Object.fromEntries(
        FAULT_KINDS.map((k) => [k, k === 'api-outage-broker-kill' ? 1 : 0]),
      ),
      outageMs: [1000, 2000],
      pauseMs: [10, 20],
    });
    for (const f of picker.take(50)) {
      expect(f.kind).toBe('api-outage-broker-kill');
      if (f.kind !== 'api-outage-broker-kill') continue;
      expect(f.outageMs).toBeGreaterThanOrEqual(1000);
      expect(f.outageMs).toBeLessThanOrEqual(2000);
      expect(f.killAfterMs).toBeLessThanOrEqual(f.outageMs / 2);
      expect(f.pauseMs).toBeGreaterThanOrEqual(10);
      expect(f.pauseMs).toBeLessThanOrEqual(20);
    }
  });

  it('draws split brains on a standby, held for several Lease renewals', () => {
    const picker = new FaultPicker(new SeededRandom(8), {
      weights: Object.fromEntries(FAULT_KINDS.map((k) => [k, k === 'split-brain' ? 1 : 0])),
    });
    for (const f of picker.take(30)) {
      if (f.kind !== 'split-brain') throw new Error(`drew ${f.kind}`);
      expect([0, 1]).toContain(f.standby);
      expect(f.holdMs).toBeGreaterThanOrEqual(4000);
      expect(f.holdMs).toBeLessThanOrEqual(8000);
    }
  });

  it('refuses all-zero weights', () => {
    const weights = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0]));
    expect(() => new FaultPicker(new SeededRandom(1), { weights })).toThrow(RangeError);
  });
});
