import { describe, expect, it } from 'vitest';
import { messageSize, ProducerWindow } from './producer-window.js';

describe('ProducerWindow', () => {
  it('lets sends in while there is room, then holds them until a ProducerAck', async () => {
    const w = new ProducerWindow(3000);
    await w.reserve(messageSize(0, 1000));
    await w.reserve(messageSize(0, 1000));
    expect(w.used).toBe(4048);
    let third = false;
    const pending = w.reserve(2024).then(() => {
      third = true;
    });
    await Promise.resolve();
    expect(third).toBe(false);
    w.release(2024);
    await pending;
    expect(third).toBe(true);
    expect(w.used).toBe(4048);
  });

  it('frees every waiter when the connection ends', async () => {
    const w = new ProducerWindow(1);
    await w.reserve(10);
    const pending = w.reserve(10);
    w.releaseAll();
    await pending;
    expect(w.used).toBe(10);
  });
});
