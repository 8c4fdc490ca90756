import { describe, expect, it } from 'vitest';
import { jittered, resolveRetryDelay, retryDelay } from './retry-delay.js';

const D = { initialDelayMs: 10, maxDelayMs: 100, multiplier: 2, jitter: 0.5 };
const nominal = () => 0.5;

describe('retryDelay', () => {
  it('grows exponentially up to the cap (random 0.5 is the nominal curve)', () => {
    expect([0, 1, 2, 3, 4, 5].map((a) => retryDelay(a, D, nominal))).toEqual([
      10, 20, 40, 80, 100, 100,
    ]);
  });

  it('spreads each delay over [(1 − jitter)·d, (1 + jitter)·d] and never past the cap', () => {
    expect([0, 1, 2].map((a) => retryDelay(a, D, () => 0))).toEqual([5, 10, 20]);
    expect([0, 1, 2, 3].map((a) => retryDelay(a, D, () => 0.999_999))).toEqual([15, 30, 60, 100]);
    const o = { ...D, initialDelayMs: 100, multiplier: 1, jitter: 0.2, maxDelayMs: 1000 };
    for (let i = 0; i < 50; i++) {
      const d = retryDelay(i, o);
      expect(d).toBeGreaterThanOrEqual(80);
      expect(d).toBeLessThanOrEqual(120);
    }
  });

  it('treats a negative attempt as the first and a zero jitter as none', () => {
    expect(retryDelay(-3, D, nominal)).toBe(10);
    expect(retryDelay(2, { ...D, jitter: 0 }, () => 0)).toBe(40);
    expect(jittered(100, 0, () => 0)).toBe(100);
  });
});

describe('resolveRetryDelay', () => {
  it('keeps the defaults for options left undefined', () => {
    expect(resolveRetryDelay({ maxDelayMs: undefined, jitter: 0 }, D)).toEqual({
      ok: true,
      value: { ...D, jitter: 0 },
    });
  });

  it.each([
    [{ initialDelayMs: -1 }, 'initialDelayMs', /finite number >= 0, got -1/],
    [{ maxDelayMs: Number.NaN }, 'maxDelayMs', /got NaN/],
    [{ multiplier: 0.5 }, 'multiplier', /must be >= 1/],
    [{ jitter: 2 }, 'jitter', /within 0..1/],
  ])('names the invalid option in %o', (options, key, message) => {
    const r = resolveRetryDelay(options, D);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problem.key).toBe(key);
      expect(r.problem.message).toMatch(message);
    }
  });
});
