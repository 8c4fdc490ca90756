import { afterEach, describe, expect, it, vi } from 'vitest';
import { KubeEmulatorError } from './errors.js';
import { rebind } from './rebind.js';

describe('rebind', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('retries a failing bind every 50 ms and returns once one succeeds', async () => {
    vi.useFakeTimers();
    let attempts = 0;
    const done = rebind(
      async () => {
        if (++attempts < 5) throw new Error('EADDRINUSE');
      },
      'the API',
      () => 6443,
    );
    await vi.advanceTimersByTimeAsync(200);
    await done;
    expect(attempts).toBe(5);
  });

  it('gives up after about a second with LISTEN_FAILED naming the port and the last error', async () => {
    vi.useFakeTimers();
    const cause = new Error('EADDRINUSE');
    const done = rebind(
      () => Promise.reject(cause),
      'service proxy',
      () => 30001,
    );
    const failed = expect(done).rejects.toMatchObject({
      code: 'LISTEN_FAILED',
      message: 'service proxy could not listen on port 30001',
      cause,
    });
    await vi.advanceTimersByTimeAsync(1000);
    await failed;
    await expect(done).rejects.toBeInstanceOf(KubeEmulatorError);
  });
});
