import { describe, expect, it } from 'vitest';
import {
  afterProbe,
  beforeProbe,
  containerReady,
  containerStarted,
  newProbeWorkerState,
  type ProbedContainer,
  type ProbeKind,
  type ProbeResult,
  type ProbeTiming,
  type ProbeWorkerState,
  probeTiming,
  statusFor,
} from './probe-worker.js';

/**
 * A manual clock driving one worker: every period it asks beforeProbe, takes the next scripted
 * result when a probe is due, and records what was reported and when the container was killed.
 */
function drive(
  kind: ProbeKind,
  timing: ProbeTiming,
  results: readonly ProbeResult[],
  container: (nowMs: number) => ProbedContainer,
  untilMs: number,
) {
  let state: ProbeWorkerState = newProbeWorkerState();
  const script = [...results];
  const probedAt: number[] = [];
  const kills: number[] = [];
  const reported: [number, string][] = [];
  for (let now = 0; now <= untilMs; now += timing.periodMs) {
    const c = container(now);
    const tick = beforeProbe(kind, timing, state, c, now);
    if (tick.state.status !== state.status) reported.push([now, tick.state.status]);
    state = tick.state;
    if (tick.stop) break;
    if (!tick.probe) continue;
    const result = script.shift() ?? 'success';
    probedAt.push(now);
    const out = afterProbe(kind, timing, state, result);
    if (out.changed) reported.push([now, out.state.status]);
    if (out.kill) kills.push(now);
    state = out.state;
  }
  return { state, probedAt, kills, reported };
}

const running =
  (over: Partial<ProbedContainer> = {}) =>
  (): ProbedContainer => ({
    id: 1,
    running: true,
    startedAtMs: 0,
    started: true,
    terminating: false,
    ...over,
  });

describe('probeTiming (the API defaults)', () => {
  it('fills period 10 s, timeout 1 s, success 1, failure 3, delay 0', () => {
    expect(probeTiming('readiness', {})).toEqual({
      initialDelayMs: 0,
      periodMs: 10_000,
      timeoutMs: 1000,
      successThreshold: 1,
      failureThreshold: 3,
    });
    expect(probeTiming('liveness', { periodSeconds: 2, timeoutSeconds: 5 }).timeoutMs).toBe(5000);
  });

  it('rejects successThreshold > 1 for liveness and startup, as validation does', () => {
    expect(() => probeTiming('liveness', { successThreshold: 2 })).toThrow(/must be 1/);
    expect(() => probeTiming('startup', { successThreshold: 2 })).toThrow(/must be 1/);
    expect(probeTiming('readiness', { successThreshold: 2 }).successThreshold).toBe(2);
  });
});

describe('readiness', () => {
  const timing = probeTiming('readiness', {
    periodSeconds: 1,
    failureThreshold: 2,
    successThreshold: 2,
  });

  it('starts failed, turns success after successThreshold, failure after failureThreshold', () => {
    const run = drive(
      'readiness',
      timing,
      ['success', 'success', 'failure', 'success', 'failure', 'failure'],
      running(),
      5000,
    );
    // The initial value at the first sight of the container is failure (no report: same as unknown→failure).
    expect(run.reported).toEqual([
      [0, 'failure'],
      [1000, 'success'],
      [5000, 'failure'],
    ]);
    expect(run.kills).toEqual([]);
  });

  it('waits initialDelaySeconds after the container started', () => {
    const delayed = probeTiming('readiness', { periodSeconds: 1, initialDelaySeconds: 3 });
    const run = drive('readiness', delayed, [], running({ startedAtMs: 0 }), 5000);
    expect(run.probedAt).toEqual([3000, 4000, 5000]);
  });

  it('a container that is not running reads as failure without a probe', () => {
    const run = drive('readiness', timing, [], running({ running: false }), 3000);
    expect(run.probedAt).toEqual([]);
    expect(run.state.status).toBe('failure');
  });
});

describe('liveness', () => {
  const timing = probeTiming('liveness', { periodSeconds: 10, failureThreshold: 3 });

  it('kills after failureThreshold consecutive failures, then holds until a new container', () => {
    const run = drive(
      'liveness',
      timing,
      ['failure', 'failure', 'success', 'failure', 'failure', 'failure'],
      running(),
      100_000,
    );
    expect(run.kills).toEqual([50_000]);
    // On hold: no probe of the dying container after the kill.
    expect(run.probedAt).toEqual([0, 10_000, 20_000, 30_000, 40_000, 50_000]);
    expect(run.state.onHold).toBe(true);
  });

  it('a new container instance resumes probing with the initial value (success)', () => {
    const held = drive('liveness', timing, ['failure', 'failure', 'failure'], running(), 20_000);
    expect(held.kills).toEqual([20_000]);
    const next = beforeProbe('liveness', timing, held.state, running({ id: 2 })(), 30_000);
    expect(next.probe).toBe(true);
    expect(next.state.status).toBe('success');
    expect(next.state.onHold).toBe(false);
  });

  it('is not probed before the container started (startup probe still running)', () => {
    const run = drive('liveness', timing, [], running({ started: false }), 50_000);
    expect(run.probedAt).toEqual([]);
  });

  it('stops with success when the pod is deleted', () => {
    const tick = beforeProbe(
      'liveness',
      timing,
      newProbeWorkerState(),
      running({ terminating: true })(),
      0,
    );
    expect(tick).toMatchObject({ probe: false, stop: true, state: { status: 'success' } });
  });
});

describe('startup gating liveness and readiness', () => {
  const startup = probeTiming('startup', { periodSeconds: 2, failureThreshold: 3 });

  it('probes until the first success, then stops probing while the container runs', () => {
    let started = false;
    const run = drive(
      'startup',
      startup,
      ['failure', 'failure', 'success'],
      () => ({ id: 1, running: true, startedAtMs: 0, started, terminating: false }),
      10_000,
    );
    expect(run.probedAt).toEqual([0, 2000, 4000, 6000, 8000, 10_000]);
    started = true;
    const after = beforeProbe(
      'startup',
      startup,
      run.state,
      { id: 1, running: true, startedAtMs: 0, started, terminating: false },
      12_000,
    );
    expect(after.probe).toBe(false);
  });

  it('kills after failureThreshold × period of failures', () => {
    const run = drive(
      'startup',
      startup,
      ['failure', 'failure', 'failure'],
      running({ started: false }),
      10_000,
    );
    expect(run.kills).toEqual([4000]);
    expect(run.state.status).toBe('failure');
  });

  it('started and ready follow the results as UpdatePodStatus computes them', () => {
    expect(containerStarted(true, undefined)).toBe(true);
    expect(containerStarted(true, 'unknown')).toBe(false);
    expect(containerStarted(false, 'success')).toBe(false);
    expect(containerStarted(true, 'success')).toBe(true);
    expect(containerReady(false, undefined)).toBe(false);
    expect(containerReady(true, undefined)).toBe(true);
    expect(containerReady(true, 'failure')).toBe(false);
    expect(containerReady(true, 'success')).toBe(true);
  });

  it('a worker that has not seen the current instance reports its initial value', () => {
    const seen = { ...newProbeWorkerState(), containerId: 1, status: 'success' as const };
    expect(statusFor('startup', seen, 1)).toBe('success');
    expect(statusFor('startup', seen, 2)).toBe('unknown');
    expect(statusFor('readiness', seen, 2)).toBe('failure');
    expect(statusFor('liveness', seen, undefined)).toBe('success');
  });
});
