// client-go's work queue semantics the EndpointSlice controller's lag depends on: one pending
// entry per key, never two syncs of a key at once, per-key exponential back-off.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WorkQueue } from './work-queue.js';

describe('WorkQueue', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('processes synchronously while syncs are synchronous, and dedups a key added while waiting', () => {
    const seen: string[] = [];
    let q: WorkQueue | undefined;
    q = new WorkQueue(
      (key) => {
        seen.push(key);
        // Adding the same key again while it is processed: once more, after this sync.
        if (seen.length === 1) {
          q?.add(key);
          q?.add(key);
        }
      },
      { retryBaseMs: 1000 },
    );
    q.add('default/amq');
    expect(seen).toEqual(['default/amq', 'default/amq']);
  });

  it('never runs two syncs of one key at a time: a change during a slow sync syncs again after it', async () => {
    vi.useFakeTimers();
    const log: string[] = [];
    const q = new WorkQueue(
      (key) =>
        new Promise<void>((resolve) => {
          log.push(`start ${key}`);
          setTimeout(() => {
            log.push(`end ${key}`);
            resolve();
          }, 10);
        }),
      { retryBaseMs: 1000 },
    );
    q.add('a');
    q.add('a'); // being processed: marked dirty, queued once for after this sync
    q.add('a');
    await vi.advanceTimersByTimeAsync(5);
    expect(log).toEqual(['start a']);
    expect(q.length).toBe(1);
    await vi.advanceTimersByTimeAsync(10);
    expect(log).toEqual(['start a', 'end a', 'start a']);
    await vi.advanceTimersByTimeAsync(10);
    expect(log).toEqual(['start a', 'end a', 'start a', 'end a']);
    expect(q.length).toBe(0);
    q.stop();
  });

  it('backs off per key: base, 2×, 4×; forget() starts over', async () => {
    vi.useFakeTimers();
    const at: number[] = [];
    const start = Date.now();
    const q = new WorkQueue(() => void at.push(Date.now() - start), { retryBaseMs: 1000 });
    q.addRateLimited('a');
    q.addRateLimited('a');
    q.addRateLimited('a');
    expect(q.numRequeues('a')).toBe(3);
    await vi.advanceTimersByTimeAsync(5000);
    // Three delayed adds (1 s, 2 s, 4 s), each a sync of its own: the queue was empty each time.
    expect(at).toEqual([1000, 2000, 4000]);
    q.forget('a');
    q.addRateLimited('a');
    await vi.advanceTimersByTimeAsync(1000);
    expect(at).toEqual([1000, 2000, 4000, 6000]); // 1 s after the forget at 5 s
    q.stop();
  });

  it('caps the back-off and drops delayed keys on stop()', async () => {
    vi.useFakeTimers();
    const seen: string[] = [];
    const q = new WorkQueue((k) => void seen.push(k), { retryBaseMs: 1000, retryMaxMs: 1500 });
    q.addRateLimited('a');
    q.addRateLimited('a');
    await vi.advanceTimersByTimeAsync(1500);
    expect(seen).toEqual(['a', 'a']);
    q.addAfter('b', 100);
    q.stop();
    await vi.advanceTimersByTimeAsync(200);
    expect(seen).toEqual(['a', 'a']);
  });
});
