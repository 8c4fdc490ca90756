import { describe, expect, it } from 'vitest';
import { desiredLabel } from './desired-label.js';
import type { LeaseRecord } from './kube-api.js';
import { nextLeaseRoundInMs, nextLeaseStep, observeLease } from './lease-policy.js';
import { WriteBudget } from './write-budget.js';

const rec = (rv: string, holder: string | undefined, transitions = 2): LeaseRecord => ({
  resourceVersion: rv,
  holderIdentity: holder,
  leaseDurationSeconds: 8,
  renewTime: 0,
  acquireTime: 0,
  leaseTransitions: transitions,
});
const step = (view: ReturnType<typeof observeLease>, serving: boolean, now: number) =>
  nextLeaseStep({
    view,
    identity: 'me',
    serving,
    durationSeconds: 8,
    monotonicNow: now,
    wallNow: 1000,
  });

describe('lease policy', () => {
  it('creates at term 0, renews its own, takes over released or expired ones one term higher', () => {
    expect(step(observeLease(undefined, undefined, true, 0), true, 0)).toMatchObject({
      kind: 'create',
      spec: { holderIdentity: 'me', leaseTransitions: 0, leaseDurationSeconds: 8 },
    });
    expect(step(observeLease(undefined, rec('1', 'me'), true, 0), true, 0)).toMatchObject({
      kind: 'renew',
      spec: { leaseTransitions: 2 },
    });
    expect(step(observeLease(undefined, rec('1', undefined), true, 0), true, 0)).toMatchObject({
      kind: 'acquire',
      spec: { leaseTransitions: 3 },
    });
    const other = observeLease(undefined, rec('1', 'peer'), true, 0);
    expect(step(other, true, 7999)).toMatchObject({ kind: 'held-by-other', splitBrain: false });
    expect(step(other, true, 8000)).toMatchObject({
      kind: 'acquire',
      spec: { leaseTransitions: 3 },
    });
  });

  it('releases its own Lease when the broker stops serving, keeping the term', () => {
    expect(step(observeLease(undefined, rec('1', 'me'), false, 0), false, 0)).toMatchObject({
      kind: 'release',
      spec: { holderIdentity: '', leaseTransitions: 2, leaseDurationSeconds: 1 },
    });
    expect(step(observeLease(undefined, rec('1', 'peer'), false, 0), false, 0).kind).toBe('idle');
  });

  it('neither releases nor renews its own Lease before the first verdict on its broker', () => {
    const view = observeLease(undefined, rec('1', 'me'), false, 0);
    const before = { view, identity: 'me', durationSeconds: 8, monotonicNow: 0, wallNow: 1000 };
    expect(nextLeaseStep({ ...before, serving: false, settled: false }).kind).toBe('idle');
    expect(nextLeaseStep({ ...before, serving: false, settled: true }).kind).toBe('release');
  });

  it('calls a split brain only on a renewal by the same holder seen while serving', () => {
    let v = observeLease(undefined, rec('1', 'peer'), true, 0);
    v = observeLease(v, rec('1', 'peer'), true, 500); // same version: no evidence
    expect(step(v, true, 500)).toMatchObject({ splitBrain: false });
    v = observeLease(v, rec('2', 'peer'), true, 2000);
    expect(step(v, true, 2000)).toMatchObject({ kind: 'held-by-other', splitBrain: true });
    // A new holder starts the evidence afresh; a renewal seen while not serving proves nothing.
    let w = observeLease(v, rec('3', 'other'), true, 3000);
    expect(step(w, true, 3000)).toMatchObject({ splitBrain: false });
    w = observeLease(
      observeLease(undefined, rec('1', 'peer'), false, 0),
      rec('2', 'peer'),
      true,
      1,
    );
    expect(step(w, true, 1)).toMatchObject({ splitBrain: false });
  });
});

describe('nextLeaseRoundInMs', () => {
  it('looks again soon at a Lease another pod holds while we serve, backing off to the renew interval', () => {
    expect(nextLeaseRoundInMs(0, 2000)).toBe(2000); // ours, or nothing contended
    const delays = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => nextLeaseRoundInMs(n, 2000));
    expect(delays).toEqual([50, 75, 113, 169, 253, 380, 570, 854, 1281, 1922]);
    expect(nextLeaseRoundInMs(11, 2000)).toBe(2000);
    // Five looks in the first second of a contended takeover, then at most one per renew interval.
    const sums = delays.map((_, i) => delays.slice(0, i + 1).reduce((a, b) => a + b, 0));
    expect(sums.filter((t) => t <= 1000)).toHaveLength(5);
    expect(nextLeaseRoundInMs(3, 100)).toBe(100);
  });

  it("comes back when the other holder's claim runs out, not a backoff step later", () => {
    // Round 10's step would be 1922 ms; the claim has 334.2 ms left: look again then.
    expect(nextLeaseRoundInMs(10, 2000, 334.2)).toBe(335);
    expect(nextLeaseRoundInMs(2, 2000, 5000)).toBe(75);
    expect(nextLeaseRoundInMs(4, 2000, -3)).toBe(0);
    // Not contended (ours, or not serving): the renew interval, whatever the other claim has left.
    expect(nextLeaseRoundInMs(0, 2000, 10)).toBe(2000);
  });
});

describe('desiredLabel', () => {
  const base = {
    state: 'leader' as const,
    probeFresh: true,
    lease: 'held' as const,
    splitBrain: false,
    recentlyFenced: false,
    onUnknown: 'demote' as const,
    leaderValue: 'yes',
    standbyValue: 'no',
  };
  it('claims only with a fresh probe, the Lease and no recent fence; a split brain demotes', () => {
    expect(desiredLabel(base)).toBe('yes');
    expect(desiredLabel({ ...base, lease: 'absent' })).toBe('yes');
    expect(desiredLabel({ ...base, probeFresh: false })).toBeUndefined();
    expect(desiredLabel({ ...base, lease: 'not-held' })).toBeUndefined();
    expect(desiredLabel({ ...base, recentlyFenced: true })).toBeUndefined();
    expect(desiredLabel({ ...base, splitBrain: true })).toBe('no');
    expect(desiredLabel({ ...base, state: 'standby' })).toBe('no');
    expect(desiredLabel({ ...base, state: 'unknown' })).toBe('no');
    expect(desiredLabel({ ...base, state: 'unknown', onUnknown: 'keep' })).toBeUndefined();
    expect(desiredLabel({ ...base, state: 'starting' })).toBeUndefined();
  });
});

describe('WriteBudget', () => {
  it('allows a burst, then perMinute a minute', () => {
    const b = new WriteBudget(10, 3);
    for (let i = 0; i < 3; i++) {
      expect(b.waitMs(0)).toBe(0);
      b.take(0);
    }
    expect(b.waitMs(0)).toBe(6000);
    expect(b.waitMs(6000)).toBe(0);
    let writes = 0;
    for (let t = 6000; t < 66_000; t += 100) {
      if (b.waitMs(t) === 0) {
        b.take(t);
        writes++;
      }
    }
    expect(writes).toBeLessThanOrEqual(11);
  });
});
