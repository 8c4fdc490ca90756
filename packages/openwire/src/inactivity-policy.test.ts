import { describe, expect, it } from 'vitest';
import { inactivityDecision } from './inactivity-policy.js';

describe('inactivityDecision', () => {
  const base = { now: 10_000, lastReadAt: 10_000, lastWriteAt: 10_000, maxInactivityMs: 3000 };

  it('is fine while both directions are recent', () => {
    expect(inactivityDecision(base)).toBe('fine');
  });

  it('declares the peer dead after a whole window of silence from it', () => {
    expect(inactivityDecision({ ...base, lastReadAt: 7000 })).toBe('dead');
    expect(inactivityDecision({ ...base, lastReadAt: 7001 })).toBe('fine');
  });

  it('asks for a keep-alive after a third of the window without our own writes', () => {
    expect(inactivityDecision({ ...base, lastWriteAt: 9000 })).toBe('keep-alive');
    expect(inactivityDecision({ ...base, lastWriteAt: 9001 })).toBe('fine');
  });

  it('a dead peer wins over a due keep-alive; 0 disables monitoring', () => {
    expect(inactivityDecision({ ...base, lastReadAt: 0, lastWriteAt: 0 })).toBe('dead');
    expect(inactivityDecision({ ...base, lastReadAt: 0, maxInactivityMs: 0 })).toBe('fine');
  });
});
