import { describe, expect, it } from 'vitest';
import { Outbox } from './outbox.js';

describe('Outbox', () => {
  it('requeues in-flight entries ahead of newer queued ones, in order', () => {
    const box = new Outbox<string>(10);
    box.push('a');
    box.push('b');
    expect(box.takeQueued()).toEqual(['a', 'b']);
    box.push('c');
    box.settle('a');
    expect(box.requeueInflight()).toBe(1);
    expect(box.takeQueued()).toEqual(['b', 'c']);
    expect(box.inflightCount).toBe(2);
  });

  it('rejects when full with a typed error', () => {
    const box = new Outbox<number>(2);
    box.push(1);
    box.push(2);
    expect(() => box.push(3)).toThrow(expect.objectContaining({ code: 'OUTBOX_FULL' }));
  });

  it('hands freed slots to waiters first-come first-served', async () => {
    const box = new Outbox<number>(1);
    box.push(1);
    const order: number[] = [];
    const w1 = box.reserve().then(() => order.push(1));
    const w2 = box.reserve().then(() => order.push(2));
    expect(box.hasRoom()).toBe(false);
    box.settle(1);
    await w1;
    expect(order).toEqual([1]);
    box.push(10, true);
    expect(box.size).toBe(1);
    box.settle(10);
    await w2;
    expect(order).toEqual([1, 2]);
  });

  it('release() hands an unused reserved slot to the next waiter', async () => {
    const box = new Outbox<number>(1);
    box.push(1);
    const first = box.reserve();
    let second = false;
    const w2 = box.reserve().then(() => {
      second = true;
    });
    box.settle(1);
    await first;
    expect(second).toBe(false);
    box.release();
    await w2;
    expect(box.size).toBe(1);
  });

  it('clear() returns everything and fails waiters', async () => {
    const box = new Outbox<number>(1);
    box.push(1);
    box.takeQueued();
    const waiting = box.reserve();
    expect(box.clear(new Error('closed'))).toEqual([1]);
    await expect(waiting).rejects.toThrow('closed');
    expect(box.isEmpty).toBe(true);
  });

  it('rejects a size below 1', () => {
    expect(() => new Outbox(0)).toThrow(/outboxSize: must be an integer >= 1/);
    expect(() => new Outbox(-5)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });
});
