import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ListenerError } from './errors.js';
import { LeaderElector, type Transition } from './leader-elector.js';
import { ScriptedProbe } from './testing/scripted-probe.js';

function setup(
  probe: ScriptedProbe,
  options: Partial<ConstructorParameters<typeof LeaderElector>[0]> = {},
) {
  const elector = new LeaderElector({ probe, jitter: 0, ...options });
  const transitions: Transition[] = [];
  elector.on('transition', (t) => transitions.push(t));
  return { elector, transitions, path: () => transitions.map((t) => t.to) };
}

describe('LeaderElector', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('becomes leader on the first ok probe (successThreshold 1)', async () => {
    const { elector, transitions } = setup(new ScriptedProbe('ok'));
    const leader = vi.fn();
    elector.on('leader', leader);
    elector.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(elector.state).toBe('leader');
    expect(transitions[0]).toMatchObject({
      from: 'starting',
      to: 'leader',
      evidence: 'ok',
      at: 1_000_000,
    });
    expect(leader).toHaveBeenCalledOnce();
    await elector.stop();
  });

  it('probes every intervalMs, never overlapping', async () => {
    const probe = new ScriptedProbe('ok');
    const { elector } = setup(probe, { intervalMs: 250 });
    elector.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(probe.runs).toBe(5); // t = 0, 250, 500, 750, 1000
    await elector.stop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(probe.runs).toBe(5);
  });

  it('probes every standbyIntervalMs while not leader and every intervalMs as leader', async () => {
    const probe = new ScriptedProbe('refused');
    const { elector } = setup(probe, { intervalMs: 100, standbyIntervalMs: 25 });
    elector.start();
    await vi.advanceTimersByTimeAsync(100);
    expect(probe.runs).toBe(5); // standby: t = 0, 25, 50, 75, 100
    probe.answer('ok');
    await vi.advanceTimersByTimeAsync(25);
    expect(elector.state).toBe('leader');
    const asLeader = probe.runs;
    await vi.advanceTimersByTimeAsync(300);
    expect(probe.runs - asLeader).toBe(3); // leader: every 100 ms
    await elector.stop();
  });

  it('uses intervalMs while standby too unless standbyIntervalMs is set', async () => {
    const probe = new ScriptedProbe('refused');
    const { elector } = setup(probe, { intervalMs: 100 });
    elector.start();
    await vi.advanceTimersByTimeAsync(300);
    expect(probe.runs).toBe(4);
    await elector.stop();
    expect(() => setup(probe, { standbyIntervalMs: -1 })).toThrow(/standbyIntervalMs/);
  });

  it('demotes a leader after two refusals (failureThreshold 2), not after one', async () => {
    const probe = new ScriptedProbe('ok');
    const { elector, path } = setup(probe);
    elector.start();
    await vi.advanceTimersByTimeAsync(0);
    probe.answer('refused', 'ok');
    await vi.advanceTimersByTimeAsync(250);
    expect(elector.state).toBe('leader'); // one refusal is tolerated
    await vi.advanceTimersByTimeAsync(250);
    probe.answer('refused');
    await vi.advanceTimersByTimeAsync(250);
    expect(elector.state).toBe('leader');
    await vi.advanceTimersByTimeAsync(250);
    expect(elector.state).toBe('standby');
    expect(path()).toEqual(['leader', 'standby']);
    await elector.stop();
  });

  it('treats timeouts as inconclusive: unknown, not standby', async () => {
    const probe = new ScriptedProbe('ok');
    const { elector, transitions } = setup(probe);
    elector.start();
    await vi.advanceTimersByTimeAsync(0);
    probe.answer('timeout');
    await vi.advanceTimersByTimeAsync(500);
    expect(elector.state).toBe('unknown');
    expect(transitions.at(-1)).toMatchObject({
      from: 'leader',
      to: 'unknown',
      evidence: 'timeout',
    });
    expect(transitions.at(-1)!.reason).toContain('timeout ×2');
    // refusals then settle it as standby
    probe.answer('refused');
    await vi.advanceTimersByTimeAsync(500);
    expect(elector.state).toBe('standby');
    await elector.stop();
  });

  it('a leader with mixed failures leaves for unknown', async () => {
    const probe = new ScriptedProbe('ok', 'refused', 'timeout', 'refused');
    const { elector, path } = setup(probe);
    elector.start();
    await vi.advanceTimersByTimeAsync(500);
    expect(path()).toEqual(['leader', 'unknown']);
    await vi.advanceTimersByTimeAsync(250);
    expect(path()).toEqual(['leader', 'unknown']); // refused ×1 only
    await vi.advanceTimersByTimeAsync(250);
    expect(path()).toEqual(['leader', 'unknown', 'standby']);
    await elector.stop();
  });

  it('a standby stays standby on a single timeout', async () => {
    const probe = new ScriptedProbe('refused', 'refused', 'timeout', 'refused');
    const { elector, path } = setup(probe);
    elector.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(path()).toEqual(['standby']);
    await elector.stop();
  });

  it('honours custom thresholds', async () => {
    const probe = new ScriptedProbe('ok', 'ok', 'refused');
    const { elector, path } = setup(probe, { successThreshold: 2, failureThreshold: 1 });
    elector.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(elector.state).toBe('starting');
    await vi.advanceTimersByTimeAsync(250);
    expect(elector.state).toBe('leader');
    await vi.advanceTimersByTimeAsync(250);
    expect(path()).toEqual(['leader', 'standby']);
    await elector.stop();
  });

  it('emits every probe with the state after it, and timings on transitions', async () => {
    const probe = new ScriptedProbe('refused', 'refused', 'ok');
    const { elector, transitions } = setup(probe);
    const probes: string[] = [];
    elector.on('probe', (p) => probes.push(`${p.result.status}:${p.state}`));
    elector.start();
    await vi.advanceTimersByTimeAsync(500);
    expect(probes).toEqual(['refused:starting', 'refused:standby', 'ok:leader']);
    expect(transitions[1]).toMatchObject({
      from: 'standby',
      to: 'leader',
      previousDurationMs: 250,
    });
    expect(elector.snapshot()).toMatchObject({
      state: 'leader',
      probes: 3,
      transitions: 2,
      lastOkAt: 1_000_500,
    });
    await elector.stop();
  });

  it('reports a throwing probe as error and counts it inconclusive', async () => {
    const probe = new ScriptedProbe('ok');
    probe.throwOnce();
    const { elector } = setup(probe);
    const errors: Error[] = [];
    elector.on('error', (e) => errors.push(e));
    elector.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(errors[0]?.name).toBe('ProbeFailedError');
    expect(elector.lastProbe?.result.status).toBe('error');
    await vi.advanceTimersByTimeAsync(250);
    expect(elector.state).toBe('leader');
    await elector.stop();
  });

  it('probeNow() skips the rest of the interval', async () => {
    const probe = new ScriptedProbe('ok');
    const { elector } = setup(probe, { intervalMs: 10_000 });
    elector.start();
    await vi.advanceTimersByTimeAsync(0);
    elector.probeNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(probe.runs).toBe(2);
    await elector.stop();
  });

  it('restarting does not start a second probe loop', async () => {
    const probe = new ScriptedProbe('ok');
    const { elector } = setup(probe);
    elector.start();
    await vi.advanceTimersByTimeAsync(0);
    await elector.stop();
    elector.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(probe.runs).toBe(1 + 5);
    await elector.stop();
  });

  it('a throwing probe listener is reported and probing goes on', async () => {
    const probe = new ScriptedProbe('ok');
    const { elector, path } = setup(probe);
    const reported: ListenerError[] = [];
    elector.on('listenerError', (e) => reported.push(e));
    elector.on('probe', () => {
      throw new Error('metrics bug');
    });
    const seen = vi.fn();
    elector.on('probe', seen); // registered after the throwing one: still called
    elector.start();
    await vi.advanceTimersByTimeAsync(0);
    probe.answer('refused');
    await vi.advanceTimersByTimeAsync(1000);
    expect(probe.runs).toBe(5);
    expect(seen).toHaveBeenCalledTimes(5);
    expect(path()).toEqual(['leader', 'standby']);
    expect(reported).toHaveLength(5);
    expect(reported[0]).toMatchObject({ name: 'ListenerError', event: 'probe' });
    expect(reported[0]?.cause).toMatchObject({ message: 'metrics bug' });
    await elector.stop();
  });

  it('without a listenerError listener, a throwing listener becomes a process warning', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const probe = new ScriptedProbe('ok');
      const { elector } = setup(probe);
      elector.on('transition', () => {
        throw new Error('log bug');
      });
      elector.start();
      await vi.advanceTimersByTimeAsync(500);
      expect(probe.runs).toBe(3);
      expect(warn).toHaveBeenCalledOnce();
      expect(warn.mock.calls[0]?.[0]).toMatchObject({ name: 'ListenerError', event: 'transition' });
      await elector.stop();
    } finally {
      warn.mockRestore();
    }
  });

  it('validates options', () => {
    const probe = new ScriptedProbe();
    expect(() => new LeaderElector({ probe, failureThreshold: 0 })).toThrow(/failureThreshold/);
    expect(() => new LeaderElector({ probe, jitter: 2 })).toThrow(/jitter/);
  });
});
