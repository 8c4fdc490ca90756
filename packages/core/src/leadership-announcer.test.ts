import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from './clock.js';
import type { PodMeta } from './kube-api.js';
import { LeadershipAnnouncer } from './leadership-announcer.js';
import { FakePodApi } from './testing/fake-pod-api.js';

const peer: PodMeta = {
  name: 'amq-0',
  namespace: 'mq',
  uid: 'u0',
  resourceVersion: '1',
  labels: { leader: 'yes' },
  annotations: {},
};

describe('LeadershipAnnouncer', () => {
  let api: FakePodApi;
  let announcer: LeadershipAnnouncer;
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    api = new FakePodApi();
    announcer = new LeadershipAnnouncer({
      api,
      namespace: 'mq',
      podName: 'amq-1',
      labelKey: 'leader',
      leaderValue: 'yes',
      events: true,
      reportingController: 'activemq-ha.io/agent',
      podUid: () => 'u1',
      now: () => Date.now(),
      clock: systemClock,
      onFailure: (what, error) => {
        throw new Error(`${what}: ${error.message}`);
      },
    });
  });
  afterEach(() => {
    announcer.stop();
    vi.useRealTimers();
  });

  it('fences repeated every 100 ms for 2 minutes: one Event object, its series counted, bounded writes', async () => {
    for (let i = 0; i < 1200; i++) {
      announcer.fenced(peer);
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(api.events).toHaveLength(1);
    expect(api.events[0]).toMatchObject({ reason: 'Fenced', regarding: { name: 'amq-0' } });
    // The first repeat at once, then one write per 30 s refresh.
    expect(api.eventSeries.length).toBeLessThanOrEqual(6);
    expect(new Set(api.eventSeries.map((s) => s.name))).toEqual(new Set(['amq-0.1']));
    announcer.stop();
    expect(api.eventSeries.at(-1)?.count).toBe(1200);
  });

  it('a pending count is written by the timer, without another occurrence', async () => {
    announcer.fenced(peer);
    await vi.advanceTimersByTimeAsync(10);
    announcer.fenced(peer); // count 2: written at once
    announcer.fenced(peer); // count 3: pending
    await vi.advanceTimersByTimeAsync(10);
    expect(api.eventSeries.map((s) => s.count)).toEqual([2]);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(api.eventSeries.map((s) => s.count)).toEqual([2, 3]);
  });

  it('different reasons or pods stay different Events', async () => {
    announcer.fenced(peer);
    announcer.fenced({ ...peer, name: 'amq-2', uid: 'u2' });
    announcer.splitBrain('amq-0');
    await vi.advanceTimersByTimeAsync(10);
    expect(api.events.map((e) => `${e.reason}/${e.regarding.name}`)).toEqual([
      'Fenced/amq-0',
      'Fenced/amq-2',
      'SplitBrain/amq-1',
    ]);
    expect(api.eventSeries).toEqual([]);
  });
});
