import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.js';

describe('Backoff', () => {
  it('grows exponentially up to the bound, jitter pulling each delay down', () => {
    const noJitter = new Backoff({ initialDelayMs: 10, maxDelayMs: 100, jitter: 0.5 }, () => 0);
    expect([1, 2, 3, 4, 5, 6].map(() => noJitter.next())).toEqual([10, 20, 40, 80, 100, 100]);
    const fullJitter = new Backoff({ initialDelayMs: 10, maxDelayMs: 100, jitter: 0.5 }, () => 1);
    expect([1, 2, 3].map(() => fullJitter.next())).toEqual([5, 10, 20]);
  });

  it('stays within [(1-jitter)·d, d] and resets', () => {
    const b = new Backoff({ initialDelayMs: 100, multiplier: 1, jitter: 0.2 });
    for (let i = 0; i < 50; i++) {
      const d = b.next();
      expect(d).toBeGreaterThanOrEqual(80);
      expect(d).toBeLessThanOrEqual(100);
    }
    expect(b.attempt).toBe(50);
    b.reset();
    expect(b.attempt).toBe(0);
  });

  it.each([
    [{ initialDelayMs: -1 }, /initialDelayMs/],
    [{ maxDelayMs: Number.NaN }, /maxDelayMs/],
    [{ multiplier: 0.5 }, /multiplier/],
    [{ jitter: 2 }, /jitter/],
  ])('rejects %o', (options, message) => {
    expect(() => new Backoff(options)).toThrow(message);
  });
});
