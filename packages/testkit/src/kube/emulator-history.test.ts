// The history part: what tests read back (writes, label changes, requests) and waitFor, which
// re-checks after each write and answered request rather than on a timer.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EmulatorHistory } from './emulator-history.js';
import { KubeWaitTimeoutError } from './errors.js';
import { ObjectStore } from './object-store.js';
import { parseRequestInfo } from './request-info.js';
import { RequestLog } from './request-log.js';
import type { KubeObject } from './types.js';

const pod = (name: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels },
});

function world() {
  const store = new ObjectStore(100);
  const log = new RequestLog(100);
  return { store, log, history: new EmulatorHistory(store, log) };
}

describe('EmulatorHistory', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps every committed write (copies) and every label change', () => {
    const w = world();
    const a = w.store.create('pods', pod('a', { leader: 'yes' }));
    w.store.create('services', { ...pod('svc'), kind: 'Service' });
    w.store.replace('pods', { ...a, metadata: { ...a.metadata, labels: {} } }, a);
    expect(w.history.writes({ resource: 'pods' }).map((e) => e.type)).toEqual([
      'ADDED',
      'MODIFIED',
    ]);
    expect(w.history.writes()).toHaveLength(3);
    expect(Object.isFrozen(w.history.writes()[0]?.object)).toBe(false);
    expect(w.history.maxPodsWithLabel('leader', 'yes')).toBe(1);
    expect(w.history.labelHistory().length).toBeGreaterThan(0);
  });

  it('waitFor resolves on the write that makes the check true, without polling', async () => {
    const w = world();
    const waiting = w.history.waitFor(() => w.store.get('pods', 'default', 'a'), {
      pollIntervalMs: 0,
      timeoutMs: 60_000,
    });
    w.store.create('pods', pod('a'));
    expect((await waiting).metadata.name).toBe('a');
  });

  it('waitFor re-checks when a request was answered', async () => {
    const w = world();
    const waiting = w.history.waitFor(
      () => w.history.countRequests({ verb: 'get' }) > 0 && 'seen',
      {
        pollIntervalMs: 0,
        timeoutMs: 60_000,
      },
    );
    const finish = w.log.start(
      parseRequestInfo('GET', new URL('https://e/api/v1/namespaces/default/pods/a')),
      undefined,
      { protocol: 'h2', clientPort: 1 },
    );
    finish(404);
    expect(await waiting).toBe('seen');
    expect(w.history.requestSeq).toBe(1);
    w.history.clearRequests();
    expect(w.history.countRequests()).toBe(0);
  });

  it('waitFor fails with KubeWaitTimeoutError naming what it waited for', async () => {
    vi.useFakeTimers();
    const w = world();
    const waiting = w.history.waitFor(() => false, { timeoutMs: 500, description: 'a leader' });
    const failed = expect(waiting).rejects.toThrow(KubeWaitTimeoutError);
    await vi.advanceTimersByTimeAsync(500);
    await failed;
    await expect(waiting).rejects.toThrow(/a leader/);
  });

  it('a check that throws rejects the wait with that error', async () => {
    const w = world();
    await expect(
      w.history.waitFor(() => {
        throw new Error('bad check');
      }),
    ).rejects.toThrow('bad check');
  });
});
