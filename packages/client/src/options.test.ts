import { describe, expect, it } from 'vitest';
import type { HaClientOptions } from './options.js';
import { resolveOptions } from './options.js';

const discovery = ['stomp://a:61613', 'stomp://b:61613'];

describe('resolveOptions', () => {
  it('fills documented defaults', () => {
    const o = resolveOptions({ discovery });
    expect(o).toMatchObject({
      vhost: '/',
      heartBeatMs: 5000,
      connectTimeoutMs: 5000,
      outboxSize: 1000,
      outboxOverflow: 'reject',
      sendTimeoutMs: 0,
      messageIdHeader: 'ha-message-id',
      reconnect: {
        initialDelayMs: 25,
        fastMaxDelayMs: 100,
        fastWindowMs: 10_000,
        maxDelayMs: 3000,
        multiplier: 2,
        jitter: 0.5,
        maxRounds: -1,
      },
      frameLimits: { maxHeaderLineBytes: 10_240, maxHeaders: 1000, maxBodyBytes: 104_857_600 },
      maxSendAttempts: 3,
    });
  });

  it('takes reconnect defaults from a failover URI, explicit options winning', () => {
    const o = resolveOptions({
      discovery:
        'failover:(stomp://a,stomp://b)?initialReconnectDelay=10&maxReconnectDelay=700&maxReconnectAttempts=3&timeout=900',
      reconnect: { maxDelayMs: 300 },
    });
    expect(o.reconnect).toMatchObject({ initialDelayMs: 10, maxDelayMs: 300, maxRounds: 3 });
    expect(o.sendTimeoutMs).toBe(900);
  });

  it.each<[Partial<HaClientOptions> & Record<string, unknown>, RegExp]>([
    [{ outboxSize: -1 }, /outboxSize: must be an integer >= 1/],
    [{ outboxSize: 1.5 }, /outboxSize/],
    [{ heartBeatMs: 0 }, /heartBeatMs: must be an integer >= 100/],
    [{ sendTimeoutMs: -3 }, /sendTimeoutMs/],
    [{ outboxOverflow: 'drop' as 'wait' }, /outboxOverflow/],
    [{ heartbeat: 1000 }, /heartbeat: unknown option/],
    [{ reconnect: { maxDelay: 5 } as never }, /reconnect.maxDelay: unknown option/],
    [{ reconnect: { jitter: -1 } }, /reconnect.jitter/],
    [{ messageIdHeader: 'bad header' }, /messageIdHeader/],
    [{ frameLimits: { maxHeaders: 0 } }, /frameLimits.maxHeaders/],
    [{ frameLimits: { maxLine: 1 } as never }, /frameLimits.maxLine: unknown option/],
    [{ maxSendAttempts: 0 }, /maxSendAttempts/],
  ])('rejects %o', (extra, message) => {
    expect(() => resolveOptions({ discovery, ...extra })).toThrow(message);
  });

  it('takes one server URI as discovery, STOMP or OpenWire, and refuses a mix of the two', () => {
    expect(resolveOptions({ discovery: 'stomp://h:61613' }).discovery.round()).toEqual([
      { host: 'h', port: 61613, tls: false },
    ]);
    expect(resolveOptions({ discovery: 'tcp://h:61616' }).discovery.round()).toEqual([
      { host: 'h', port: 61616, tls: false, protocol: 'openwire' },
    ]);
    expect(() => resolveOptions({ discovery: 'failover:(stomp://a,tcp://b)' })).toThrow(
      /mixes STOMP and OpenWire/,
    );
  });

  it('rejects a malformed discovery', () => {
    expect(() => resolveOptions({ discovery: 'failover:(nope)' })).toThrow(/not a server URI/);
    expect(() => resolveOptions({ discovery: [] })).toThrow(/at least one server/);
    expect(() => resolveOptions({ discovery: 42 as never })).toThrow(/discovery/);
  });
});
