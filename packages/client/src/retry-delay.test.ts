import { describe, expect, it } from 'vitest';
import { retryDelay, validateRetryDelay } from './retry-delay.js';

const D = { initialDelayMs: 10, maxDelayMs: 100, multiplier: 2, jitter: 0.5 };

describe('retryDelay', () => {
  it('grows exponentially up to the bound, jitter pulling each delay down', () => {
    expect([0, 1, 2, 3, 4, 5].map((a) => retryDelay(a, D, () => 0))).toEqual([
      10, 20, 40, 80, 100, 100,
    ]);
    expect([0, 1, 2].map((a) => retryDelay(a, D, () => 1))).toEqual([5, 10, 20]);
  });

  it('stays within [(1-jitter)·d, d]', () => {
    const o = { ...D, initialDelayMs: 100, multiplier: 1, jitter: 0.2 };
    for (let i = 0; i < 50; i++) {
      const d = retryDelay(i, o);
      expect(d).toBeGreaterThanOrEqual(80);
      expect(d).toBeLessThanOrEqual(100);
    }
  });

  it.each([
    [{ initialDelayMs: -1 }, /initialDelayMs/],
    [{ maxDelayMs: Number.NaN }, /maxDelayMs/],
    [{ multiplier: 0.5 }, /multiplier/],
    [{ jitter: 2 }, /jitter/],
  ])('rejects %o', (options, message) => {
    expect(() => validateRetryDelay(options, D)).toThrow(message);
  });
});
