import { describe, expect, it } from 'vitest';
import { BrokerGroupError } from './errors.js';
import {
  requireTakeoverWarmupJar,
  takeoverWarmupFlag,
  takeoverWarmupJar,
  warmupOutcome,
} from './takeover-warmup.js';

describe('takeover warm-up', () => {
  it('lives in the cache scripts/setup-takeover-warmup.sh fills', () => {
    expect(takeoverWarmupJar('/c')).toBe('/c/warmup/takeover-warmup.jar');
  });

  it('says how to build the jar when it is missing', () => {
    expect(() => requireTakeoverWarmupJar('/nonexistent-cache')).toThrow(
      /sh scripts\/setup-takeover-warmup\.sh/,
    );
    try {
      requireTakeoverWarmupJar('/nonexistent-cache');
    } catch (err) {
      expect((err as BrokerGroupError).code).toBe('INVALID_OPTION');
    }
  });

  it('renders the -javaagent flag, with rounds only when given', () => {
    expect(takeoverWarmupFlag('/w.jar')).toBe('-javaagent:/w.jar');
    expect(takeoverWarmupFlag('/w.jar', 2)).toBe('-javaagent:/w.jar=rounds=2');
    expect(() => takeoverWarmupFlag('/w.jar', 21)).toThrow(BrokerGroupError);
    expect(() => takeoverWarmupFlag('/w.jar', 1.5)).toThrow(/0 to 20/);
  });

  it('finds the outcome line among the JVM console output', () => {
    expect(warmupOutcome('INFO: Loading ...\n')).toBeUndefined();
    expect(
      warmupOutcome(
        'x\nactivemq-ha takeover warm-up: rehearsed 3 rounds in 2100 ms (1800 ms process CPU)\ny',
      ),
    ).toBe('rehearsed 3 rounds in 2100 ms (1800 ms process CPU)');
  });
});
