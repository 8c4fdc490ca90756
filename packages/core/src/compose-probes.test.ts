import { describe, expect, it } from 'vitest';
import { allOf, anyOf } from './compose-probes.js';
import type { Probe, ProbeResult, ProbeStatus } from './probe.js';

function fixed(name: string, status: ProbeStatus, delayMs = 0): Probe & { aborted: boolean } {
  const probe = {
    name,
    aborted: false,
    run(signal?: AbortSignal): Promise<ProbeResult> {
      return new Promise((resolve) => {
        const t = setTimeout(() => resolve({ probe: name, status, latencyMs: delayMs }), delayMs);
        signal?.addEventListener('abort', () => {
          probe.aborted = true;
          clearTimeout(t);
          resolve({ probe: name, status: 'error', latencyMs: 0, errorCode: 'ABORTED' });
        });
      });
    },
  };
  return probe;
}

describe('allOf', () => {
  it('is ok only when every part is ok', async () => {
    const r = await allOf(fixed('a', 'ok'), fixed('b', 'ok')).run();
    expect(r.status).toBe('ok');
    expect(r.children).toHaveLength(2);
    expect(r.probe).toBe('allOf(a, b)');
  });

  it('reports refused over a slower timeout', async () => {
    const r = await allOf(fixed('a', 'timeout', 20), fixed('b', 'refused'), fixed('c', 'ok')).run();
    expect(r.status).toBe('refused');
    expect(r.detail).toContain('b:');
  });

  it('turns a throwing custom probe into an error result', async () => {
    const boom: Probe = { name: 'boom', run: () => Promise.reject(new Error('kaput')) };
    const r = await allOf(fixed('a', 'ok'), boom).run();
    expect(r).toMatchObject({ status: 'error', errorCode: 'PROBE_FAILED' });
  });

  it('needs at least one part', () => {
    expect(() => allOf()).toThrow(/at least one/);
  });
});

describe('anyOf', () => {
  it('is ok as soon as one part is ok, aborting the others', async () => {
    const slow = fixed('slow', 'timeout', 5000);
    const r = await anyOf(fixed('fast', 'ok', 5), slow).run();
    expect(r.status).toBe('ok');
    expect(slow.aborted).toBe(true);
  });

  it('is refused only when every part is refused', async () => {
    expect((await anyOf(fixed('a', 'refused'), fixed('b', 'refused')).run()).status).toBe(
      'refused',
    );
    expect((await anyOf(fixed('a', 'refused'), fixed('b', 'timeout')).run()).status).toBe(
      'timeout',
    );
    expect((await anyOf(fixed('a', 'protocol'), fixed('b', 'refused')).run()).status).toBe(
      'protocol',
    );
  });
});
