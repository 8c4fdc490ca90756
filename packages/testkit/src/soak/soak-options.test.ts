import { describe, expect, it } from 'vitest';
import { SoakError } from './errors.js';
import { resolveSoakOptions, soakEnv } from './soak-options.js';

describe('soak options', () => {
  it('reads SOAK_SEED and SOAK_FAULTS, ignoring unset or empty ones', () => {
    expect(soakEnv({})).toEqual({});
    expect(soakEnv({ SOAK_SEED: '', SOAK_FAULTS: ' ' })).toEqual({});
    expect(soakEnv({ SOAK_SEED: '0', SOAK_FAULTS: '120' })).toEqual({ seed: 0, faults: 120 });
  });

  it('names the bad variable', () => {
    expect(() => soakEnv({ SOAK_SEED: 'abc' })).toThrow(/SOAK_SEED/);
    expect(() => soakEnv({ SOAK_FAULTS: '0' })).toThrow(SoakError);
  });

  it('fills defaults and draws a seed when none is given', () => {
    const o = resolveSoakOptions({ agentEntrypoint: '/x.js' });
    expect(o.faults).toBe(20);
    expect(o.ratePerSecond).toBe(50);
    expect(o.convergenceBoundMs).toBe(15_000);
    expect(Number.isInteger(o.seed)).toBe(true);
    expect(() => resolveSoakOptions({ agentEntrypoint: '/x.js', faults: 0 })).toThrow(/faults/);
  });
});
