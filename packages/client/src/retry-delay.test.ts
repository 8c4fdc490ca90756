import { describe, expect, it } from 'vitest';
import { HaClientError } from './errors.js';
import { validateRetryDelay } from './retry-delay.js';

const D = { initialDelayMs: 10, maxDelayMs: 100, multiplier: 2, jitter: 0.5 };

describe('validateRetryDelay', () => {
  it('overlays the options that are set on the defaults', () => {
    expect(validateRetryDelay({ maxDelayMs: 50, jitter: undefined }, D)).toEqual({
      ...D,
      maxDelayMs: 50,
    });
  });

  it.each([
    [{ initialDelayMs: -1 }, /reconnect\.initialDelayMs/],
    [{ maxDelayMs: Number.NaN }, /reconnect\.maxDelayMs/],
    [{ multiplier: 0.5 }, /reconnect\.multiplier/],
    [{ jitter: 2 }, /reconnect\.jitter/],
  ])('rejects %o with INVALID_OPTION naming the key', (options, message) => {
    let error: unknown;
    try {
      validateRetryDelay(options, D, 'reconnect.');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HaClientError);
    expect(error).toMatchObject({ code: 'INVALID_OPTION', message });
  });
});
