import { describe, expect, it, vi } from 'vitest';
import type { ListenerError } from './errors.js';
import { GuardedEmitter, type ListenerErrorEvents } from './guarded-emitter.js';

interface Events extends ListenerErrorEvents {
  tick: [n: number];
}

describe('GuardedEmitter', () => {
  it('isolates listeners: one that throws neither skips the others nor escapes emit()', () => {
    const e = new GuardedEmitter<Events>();
    const reported: ListenerError[] = [];
    const after = vi.fn();
    e.on('listenerError', (err) => reported.push(err));
    e.on('tick', () => {
      throw new Error('boom');
    });
    e.on('tick', after);
    expect(e.emit('tick', 1)).toBe(true);
    expect(after).toHaveBeenCalledWith(1);
    expect(reported.map((r) => [r.event, (r.cause as Error).message])).toEqual([['tick', 'boom']]);
  });

  it('keeps once() semantics and calls listeners with the emitter as `this`', () => {
    const e = new GuardedEmitter<Events>();
    const calls: number[] = [];
    let self: unknown;
    e.once('tick', function (this: unknown, n) {
      self = this;
      calls.push(n);
    });
    e.emit('tick', 1);
    e.emit('tick', 2);
    expect(calls).toEqual([1]);
    expect(self).toBe(e);
    expect(e.listenerCount('tick')).toBe(0);
    expect(e.emit('tick', 3)).toBe(false);
  });

  it('a throwing listenerError listener ends up as a process warning, not a loop', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const e = new GuardedEmitter<Events>();
      e.on('listenerError', () => {
        throw new Error('logger down');
      });
      e.on('tick', () => {
        throw new Error('boom');
      });
      expect(() => e.emit('tick', 1)).not.toThrow();
      expect(warn).toHaveBeenCalledOnce();
      expect(warn.mock.calls[0]?.[0]).toMatchObject({ event: 'listenerError' });
    } finally {
      warn.mockRestore();
    }
  });
});
