import { createClient, HaClient, HaClientError } from '@activemq-ha/client';
import { type BrokerGroup, startBrokerGroup } from '@activemq-ha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('bad input fails fast with a clear, typed error', () => {
  it.each([
    [
      { discovery: 'failover:(stomp://a:61613,stomp://b:61613' },
      'INVALID_URI',
      /not a failover URI/,
    ],
    [
      { discovery: 'failover:(stomp://a:61613)?foo=1' },
      'INVALID_URI',
      /foo: unknown failover option/,
    ],
    [{ discovery: ['stomp://a:61613'], outboxSize: -1 }, 'INVALID_OPTION', /outboxSize/],
    [{ discovery: ['stomp://a:61613'], drainTimeoutMs: -1 }, 'INVALID_OPTION', /drainTimeoutMs/],
    [
      { discovery: ['stomp://a:61613'], heartbeatMs: 1 },
      'INVALID_OPTION',
      /heartbeatMs: unknown option/,
    ],
  ])('%o', (options, code, message) => {
    expect(() => createClient(options as never)).toThrow(message);
    expect(() => new HaClient(options as never)).toThrow(expect.objectContaining({ code }));
  });

  it('rejects bad subscribe options before touching the network', async () => {
    const client = new HaClient({ discovery: ['stomp://127.0.0.1:1'] });
    await expect(client.subscribe('/queue/x', () => {}, { prefetch: -2 })).rejects.toThrow(
      /subscribe.prefetch/,
    );
    await expect(
      client.subscribe('/queue/x', () => {}, { ack: 'client' as 'auto' }),
    ).rejects.toThrow(/subscribe.ack/);
    await expect(client.send('', 'x')).rejects.toThrow(/destination/);
    await client.close();
  });
});

describe('a broker that refuses the credentials', () => {
  let group: BrokerGroup<'stomp'> | undefined;
  beforeAll(async () => {
    group = await startBrokerGroup({
      size: 1,
      protocols: ['stomp'],
      users: [{ username: 'app', password: 's3cret' }],
    });
  });
  afterAll(async () => {
    await group?.stop();
  });

  it('closes the client with AUTHENTICATION_FAILED after one attempt (no reconnect storm)', async () => {
    const b = group!.brokers[0]!;
    const client = createClient({
      discovery: [`stomp://${b.host}:${b.ports.stomp}`],
      login: 'app',
      passcode: 'wrong',
    });
    let attempts = 0;
    const errors: HaClientError[] = [];
    client.on('connecting', () => attempts++);
    client.on('error', (e) => errors.push(e));
    const pending = client.send('/queue/auth', 'never');
    await expect(client.whenConnected()).rejects.toMatchObject({ code: 'AUTHENTICATION_FAILED' });
    await expect(pending).rejects.toBeInstanceOf(HaClientError);
    expect(client.state).toMatchObject({
      type: 'closed',
      error: { code: 'AUTHENTICATION_FAILED' },
    });
    expect(attempts).toBe(1);
    expect(errors.map((e) => e.code)).toEqual(['AUTHENTICATION_FAILED']);
    await expect(client.send('/queue/auth', 'x')).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('connects with the right ones', async () => {
    const b = group!.brokers[0]!;
    const client = createClient({
      discovery: [`stomp://${b.host}:${b.ports.stomp}`],
      login: 'app',
      passcode: 's3cret',
    });
    try {
      await client.whenConnected();
      const got = new Promise<string>((resolve) => {
        void client.subscribe('/queue/auth-ok', (m) => resolve(m.text()));
      });
      await client.send('/queue/auth-ok', 'hello');
      expect(await got).toBe('hello');
    } finally {
      await client.close();
    }
  });
});
