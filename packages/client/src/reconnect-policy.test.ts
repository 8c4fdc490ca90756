import { describe, expect, it } from 'vitest';
import type { ConnectionState } from './connection-state.js';
import {
  nextReconnect,
  RECONNECT_DEFAULTS,
  type ReconnectInput,
  validateReconnect,
} from './reconnect-policy.js';

const waiting: ConnectionState = { type: 'waiting', delayMs: 0, round: 1 };
const o = RECONNECT_DEFAULTS;
const input = (over: Partial<ReconnectInput>): ReconnectInput => ({
  state: waiting,
  round: 1,
  sinceLossMs: 0,
  endpointChanged: false,
  previousDelayMs: 0,
  ...over,
});

/** Simulates one client's rounds through an outage on a virtual clock (each round costs 1 ms). */
function simulate(outageMs: number, random: () => number) {
  const attempts: number[] = [];
  let now = 0;
  let previous = 0;
  for (let round = 1; now < outageMs; round++) {
    attempts.push(now);
    now += 1;
    const d = nextReconnect(
      input({ round, sinceLossMs: now, previousDelayMs: previous }),
      o,
      random,
    );
    if (d.type !== 'retry') throw new Error('gave up');
    previous = d.delayMs;
    now += d.delayMs;
  }
  return attempts;
}

describe('nextReconnect', () => {
  it('goes at once when discovery names a new endpoint', () => {
    expect(nextReconnect(input({ endpointChanged: true, sinceLossMs: 60_000 }), o)).toEqual({
      type: 'retry',
      delayMs: 0,
      phase: 'now',
    });
  });

  it('retries within 100 ms during the first seconds after a loss', () => {
    for (let round = 1; round < 100; round++) {
      const d = nextReconnect(input({ round, sinceLossMs: round * 50 }), o, () => 0);
      expect(d).toMatchObject({ type: 'retry', phase: 'fast' });
      expect(d.type === 'retry' && d.delayMs).toBeLessThanOrEqual(100);
    }
  });

  it('then backs off to the cap, so a long outage costs few attempts', () => {
    const attempts = simulate(60_000, () => 0.99);
    const late = attempts.filter((t) => t >= 20_000);
    // 40 s at a cap of 3 s: about 14 attempts, not hundreds.
    expect(late.length).toBeLessThan(20);
    expect(late.length).toBeGreaterThan(10);
    const d = nextReconnect(
      input({ round: 500, sinceLossMs: 59_000, previousDelayMs: 3000 }),
      o,
      () => 0.999,
    );
    expect(d.type === 'retry' && d.delayMs).toBeLessThanOrEqual(o.maxDelayMs);
  });

  it('spreads clients apart after the fast window (no synchronized herd)', () => {
    let seed = 1;
    const rng = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const ends = Array.from({ length: 20 }, () => simulate(30_000, rng).at(-1)!);
    const spread = Math.max(...ends) - Math.min(...ends);
    expect(spread).toBeGreaterThan(500);
  });

  it('gives up after maxRounds, and never while closing', () => {
    expect(nextReconnect(input({ round: 3 }), { ...o, maxRounds: 2 })).toEqual({ type: 'give-up' });
    expect(nextReconnect(input({ state: { type: 'closing' } }), o)).toEqual({ type: 'give-up' });
  });

  it('rejects bad options with the field named', () => {
    expect(() => validateReconnect({ fastWindowMs: -1 }, 'reconnect.')).toThrow(
      /reconnect.fastWindowMs/,
    );
    expect(() => validateReconnect({ maxRounds: -2 }, 'reconnect.')).toThrow(/reconnect.maxRounds/);
  });
});
