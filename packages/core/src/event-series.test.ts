import { describe, expect, it } from 'vitest';
import { EventSeries, eventSeriesKey } from './event-series.js';

const opts = { refreshMs: 30_000, idleMs: 360_000, maxKeys: 3 };

describe('EventSeries', () => {
  it('creates once, writes the first repeat at once, then counts until the refresh interval', () => {
    const s = new EventSeries(opts);
    expect(s.observe('k', 0)).toEqual({ kind: 'create' });
    s.created('k', 'pod-0.1');
    expect(s.observe('k', 1_000)).toEqual({
      kind: 'write',
      series: { key: 'k', name: 'pod-0.1', count: 2, lastObservedAt: 1_000 },
    });
    for (let t = 2_000; t <= 20_000; t += 1_000) expect(s.observe('k', t).kind).toBe('counted');
    expect(s.due(25_000)).toEqual([]);
    expect(s.nextDueAt()).toBe(31_000);
    expect(s.due(31_000)).toEqual([
      { key: 'k', name: 'pod-0.1', count: 21, lastObservedAt: 20_000 },
    ]);
    expect(s.due(31_001)).toEqual([]);
    expect(s.nextDueAt()).toBeUndefined();
  });

  it('bounds the writes of an event repeated at API speed: one create, one series write per interval', () => {
    const s = new EventSeries(opts);
    let creates = 0;
    let writes = 0;
    for (let t = 0; t < 120_000; t += 30) {
      const d = s.observe('k', t);
      if (d.kind === 'create') {
        creates++;
        s.created('k', 'pod-0.1');
      } else if (d.kind === 'write') writes++;
      writes += s.due(t).length;
    }
    expect(creates).toBe(1);
    // The first repeat, then one per 30 s over 2 minutes.
    expect(writes).toBeLessThanOrEqual(5);
  });

  it('writes repeats seen before the create returned once the name is known', () => {
    const s = new EventSeries(opts);
    s.observe('k', 0);
    expect(s.observe('k', 10).kind).toBe('counted');
    expect(s.observe('k', 20).kind).toBe('counted');
    s.created('k', 'pod-0.1');
    expect(s.due(30)).toEqual([{ key: 'k', name: 'pod-0.1', count: 3, lastObservedAt: 20 }]);
  });

  it('finishes an idle series with a last write, and a later occurrence creates a new Event', () => {
    const s = new EventSeries(opts);
    s.observe('k', 0);
    s.created('k', 'a');
    s.observe('k', 1_000); // written (count 2)
    s.observe('k', 2_000); // counted
    expect(s.due(400_000)).toEqual([{ key: 'k', name: 'a', count: 3, lastObservedAt: 2_000 }]);
    expect(s.size).toBe(0);
    expect(s.observe('k', 400_001)).toEqual({ kind: 'create' });
  });

  it('remembers at most maxKeys keys, forgetting the least recently seen', () => {
    const s = new EventSeries(opts);
    for (const k of ['a', 'b', 'c']) s.observe(k, 0);
    s.observe('a', 1); // a is the most recent now
    s.observe('d', 2);
    expect(s.size).toBe(3);
    expect(s.observe('b', 3)).toEqual({ kind: 'create' }); // b was forgotten
    expect(s.observe('a', 4).kind).toBe('counted');
  });
});

describe('eventSeriesKey', () => {
  it('keys on regarding, reason, action, type and controller, not on the note', () => {
    const base = {
      regarding: { namespace: 'ns', name: 'p', uid: 'u' },
      reason: 'Fenced',
      action: 'Fence',
      type: 'Warning',
      reportingController: 'activemq-ha.io/agent',
    };
    expect(eventSeriesKey({ ...base })).toBe(eventSeriesKey({ ...base }));
    expect(eventSeriesKey({ ...base, reason: 'Demoted' })).not.toBe(eventSeriesKey(base));
    expect(eventSeriesKey({ ...base, regarding: { ...base.regarding, name: 'q' } })).not.toBe(
      eventSeriesKey(base),
    );
  });
});
