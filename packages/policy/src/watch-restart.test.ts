import { describe, expect, it } from 'vitest';
import {
  decideWatchRestart,
  WATCH_RESTART_DEFAULTS,
  type WatchEnd,
  type WatchRestartInput,
  type WatchRestartPolicy,
} from './watch-restart.js';

const policy: WatchRestartPolicy = {
  ...WATCH_RESTART_DEFAULTS,
  retry: { initialDelayMs: 250, maxDelayMs: 2000, multiplier: 2, jitter: 0.5 },
};
const nominal = () => 0.5;
const healthy = { livedMs: 60_000, sawEvents: true, failures: 0, canResume: true };
const young = { livedMs: 20, sawEvents: false, failures: 0, canResume: true };
const decide = (end: WatchEnd, rest: Omit<WatchRestartInput, 'end'>) =>
  decideWatchRestart({ end, ...rest }, policy, nominal);

describe('decideWatchRestart', () => {
  it('resumes at once after a healthy watch ends routinely', () => {
    for (const type of ['closed', 'idle-timeout'] as const) {
      expect(decide({ type }, healthy)).toMatchObject({
        action: 'resume',
        delayMs: 0,
        failures: 0,
      });
    }
  });

  it('counts a watch as healthy by its age alone, or by one event alone', () => {
    const quiet = { ...healthy, sawEvents: false, livedMs: 1000 };
    expect(decide({ type: 'closed' }, quiet)).toMatchObject({ action: 'resume', delayMs: 0 });
    const brief = { ...young, sawEvents: true };
    expect(decide({ type: 'closed' }, brief)).toMatchObject({ action: 'resume', delayMs: 0 });
  });

  it('re-lists after a healthy watch when there is nothing to resume from', () => {
    expect(decide({ type: 'closed' }, { ...healthy, canResume: false })).toMatchObject({
      action: 'relist',
      delayMs: 0,
    });
  });

  it('backs off and re-lists when a watch ends young and empty (a stream closed at once)', () => {
    let failures = 0;
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = decide({ type: 'closed' }, { ...young, failures });
      expect(r.action).toBe('relist');
      failures = r.failures;
      delays.push(r.delayMs);
    }
    expect(delays).toEqual([250, 500, 1000, 2000, 2000]);
    expect(failures).toBe(5);
  });

  it('re-lists on 410 Gone: at once after a healthy watch, with backoff on a new one', () => {
    expect(decide({ type: 'gone' }, healthy)).toMatchObject({
      action: 'relist',
      delayMs: 0,
      failures: 0,
    });
    expect(decide({ type: 'gone' }, { ...young, failures: 1 })).toMatchObject({
      action: 'relist',
      delayMs: 500,
      failures: 2,
    });
  });

  it('waits and resumes on 429, 5xx and network errors, until failures pile up', () => {
    for (const end of [
      { type: 'error', status: 429 },
      { type: 'error', status: 503 },
      { type: 'error' },
    ] as const) {
      expect(decide(end, healthy)).toMatchObject({ action: 'resume', delayMs: 250, failures: 1 });
      expect(decide(end, { ...young, failures: 1 })).toMatchObject({
        action: 'resume',
        delayMs: 500,
        failures: 2,
      });
      const third = decide(end, { ...young, failures: 2 });
      expect(third).toMatchObject({ action: 'relist', delayMs: 1000, failures: 3 });
      expect(third.reason).toMatch(/3 failures in a row/);
    }
  });

  it('waits and re-lists on any other status (403, 404, …)', () => {
    for (const status of [400, 401, 403, 404]) {
      expect(decide({ type: 'error', status }, healthy)).toMatchObject({
        action: 'relist',
        delayMs: 250,
        failures: 1,
        reason: `HTTP ${status}`,
      });
    }
  });

  it('starts the failure count again after a healthy watch', () => {
    const r = decide({ type: 'error', status: 500 }, { ...healthy, failures: 7 });
    expect(r).toMatchObject({ action: 'resume', delayMs: 250, failures: 1 });
  });

  it('never resumes without a resourceVersion', () => {
    expect(decide({ type: 'error' }, { ...healthy, canResume: false }).action).toBe('relist');
  });
});
