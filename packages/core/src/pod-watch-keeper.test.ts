import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from './clock.js';
import { KubeApiError } from './errors.js';
import { PodWatchKeeper, watchEnd } from './pod-watch-keeper.js';
import { FakePodApi } from './testing/fake-pod-api.js';

function setup(api = new FakePodApi()) {
  const states: { state: 'open' | 'closed'; error?: Error }[] = [];
  const keeper = new PodWatchKeeper({
    api,
    namespace: 'ns',
    labelSelector: 'app=amq',
    timeoutSeconds: 300,
    backoff: undefined,
    clock: systemClock,
    random: () => 0.5, // no jitter
    onEvent: () => undefined,
    onState: (state, error) => states.push({ state, ...(error ? { error } : {}) }),
  });
  return { api, keeper, states };
}

describe('PodWatchKeeper', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a watch that cannot start (403) is reported, never counted open, and retried', async () => {
    const { api, keeper, states } = setup();
    api.fail('watchPods', 403, 2);
    keeper.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(keeper.open).toBe(false);
    expect(states).toHaveLength(1);
    expect(states[0]?.state).toBe('closed');
    expect(states[0]?.error).toBeInstanceOf(KubeApiError);
    expect(states[0]?.error).toMatchObject({ status: 403 });
    await vi.advanceTimersByTimeAsync(200); // first backoff step
    expect(states.map((s) => s.state)).toEqual(['closed', 'closed']);
    await vi.advanceTimersByTimeAsync(400);
    expect(states.map((s) => s.state)).toEqual(['closed', 'closed', 'open']);
    expect(keeper.open).toBe(true);
    expect(api.openWatches).toBe(1);
    keeper.stop();
  });

  it('a watch that ends before watchPods() resolves is never stored and is restarted', async () => {
    const { api, keeper, states } = setup();
    let calls = 0;
    const watchPods = api.watchPods.bind(api);
    api.watchPods = async (ns, query, handlers) => {
      calls++;
      if (calls > 1) return watchPods(ns, query, handlers);
      handlers.onClose(undefined); // ended cleanly at once, before the handle is returned
      return { close: () => undefined };
    };
    keeper.start();
    await vi.advanceTimersByTimeAsync(0);
    // Ended young and empty: a failure, restarted after the first backoff step, not at once.
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(calls).toBe(2);
    expect(states.map((s) => s.state)).toEqual(['closed', 'open']);
    expect(keeper.open).toBe(true);
    expect(api.openWatches).toBe(1);
    keeper.stop();
    expect(keeper.open).toBe(false);
  });

  it('after an early end with an error, `open` stays false until a restart succeeds', async () => {
    const { api, keeper, states } = setup();
    let calls = 0;
    const watchPods = api.watchPods.bind(api);
    api.watchPods = async (ns, query, handlers) => {
      calls++;
      if (calls > 1) return watchPods(ns, query, handlers);
      handlers.onClose(new KubeApiError('watchPods', 410, 'Expired', 'too old'));
      return { close: () => undefined };
    };
    keeper.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(keeper.open).toBe(false);
    keeper.ensure(); // the resync watchdog: a restart is already scheduled, nothing doubles
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(calls).toBe(2);
    expect(keeper.open).toBe(true);
    expect(states.map((s) => s.state)).toEqual(['closed', 'open']);
    keeper.stop();
  });

  it('a server that ends every watch at once cleanly is not re-watched at API speed', async () => {
    const { api, keeper } = setup();
    let calls = 0;
    api.watchPods = async (_ns, _query, handlers) => {
      calls++;
      queueMicrotask(() => handlers.onClose(undefined));
      return { close: () => undefined };
    };
    keeper.start();
    await vi.advanceTimersByTimeAsync(10_000);
    // 200, 400, 800, 1600, 2000, 2000, ... ms apart: a handful in 10 s, not thousands.
    expect(calls).toBeLessThanOrEqual(8);
    expect(keeper.failures).toBeGreaterThanOrEqual(5);
    keeper.stop();
  });

  function withPod(api: FakePodApi): void {
    api.pods.set('amq-0', {
      name: 'amq-0',
      namespace: 'ns',
      uid: 'u',
      resourceVersion: '1',
      labels: { app: 'amq' },
      annotations: {},
    });
  }

  it('a stream cut right after its initial ADDED events (the list) still backs off', async () => {
    const { api, keeper } = setup();
    withPod(api);
    let calls = 0;
    const watchPods = api.watchPods.bind(api);
    api.watchPods = async (ns, query, handlers) => {
      calls++;
      const h = await watchPods(ns, query, handlers); // ADDED amq-0
      queueMicrotask(() => handlers.onClose(undefined));
      return h;
    };
    keeper.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toBeLessThanOrEqual(8);
    keeper.stop();
  });

  it('a healthy watch (it lived past a second) that ends cleanly is re-opened at once', async () => {
    const { api, keeper } = setup();
    withPod(api);
    let calls = 0;
    let close: (() => void) | undefined;
    const watchPods = api.watchPods.bind(api);
    api.watchPods = async (ns, query, handlers) => {
      calls++;
      close = () => handlers.onClose(undefined);
      return watchPods(ns, query, handlers);
    };
    keeper.start();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls).toBe(1);
    close?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toBe(2);
    expect(keeper.failures).toBe(0);
    keeper.stop();
  });

  it('maps how a watch ended for the policy: clean, 410, an HTTP status, no answer', () => {
    expect(watchEnd(undefined)).toEqual({ type: 'closed' });
    expect(watchEnd(new KubeApiError('watchPods', 410, 'Expired', 'too old'))).toEqual({
      type: 'gone',
    });
    expect(watchEnd(new KubeApiError('watchPods', 403, 'Forbidden', 'no'))).toEqual({
      type: 'error',
      status: 403,
    });
    expect(watchEnd(new KubeApiError('watchPods', 0, undefined, 'refused'))).toEqual({
      type: 'error',
    });
  });
});
