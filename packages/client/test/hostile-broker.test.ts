/**
 * The nine ways issue 11 found to break the client, each against a scripted server that
 * answers as ActiveMQ's STOMP code does (StompWireFormat, ProtocolConverter, RegionBroker,
 * JaasAuthenticationBroker): each test reproduces the case, and asserts what the client does now.
 */
import {
  createClient,
  type HaClient,
  type HaClientError,
  type ReceivedMessage,
} from '@activemq-ha/client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  answerReceipts,
  type FakeConnection,
  FakeStompServer,
  type Frame,
} from './fake-stomp-server.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function setup(options: Record<string, unknown> = {}) {
  const server = await FakeStompServer.start();
  const errors: HaClientError[] = [];
  const client = createClient({
    discovery: server.uri,
    reconnect: { initialDelayMs: 5, fastMaxDelayMs: 20 },
    ...options,
  });
  client.on('error', (e) => errors.push(e));
  cleanups.push(async () => {
    await client.close({ timeoutMs: 0 });
    await server.close();
  });
  return { server, client, errors };
}

let seq = 0;
function message(conn: FakeConnection, sub: Frame, extra: Record<string, string> = {}, body = 'x') {
  const n = ++seq;
  const headers = {
    subscription: sub.headers.id!,
    'message-id': `ID:broker-${n}`,
    destination: sub.headers.destination!,
    ack: `ack-${n}`,
    'ha-message-id': `id-${n}`,
    ...extra,
  };
  conn.send('MESSAGE', headers, body);
  return headers;
}

function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe('1. big headers, as ActiveMQ copies JMS properties into them', () => {
  it('takes a 5 KB header line and 500 headers on one connection', async () => {
    const { server, client } = await setup();
    const got: ReceivedMessage[] = [];
    await client.subscribe('/queue/big', (m) => void got.push(m));
    const sub = server.framesOf(0, 'SUBSCRIBE')[0]!;
    const many = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`p${i}`, `v${i}`]));
    message(server.connections[0]!, sub, { trace: 't'.repeat(5 * 1024), ...many }, 'hello');
    await server.until(() => got.length === 1);
    expect(got[0]!.headers.trace).toHaveLength(5 * 1024);
    expect(got[0]!.text()).toBe('hello');
    expect(server.connections).toHaveLength(1);
  });

  it('refuses a message over the limit alone (NACK, error), and goes on with the next', async () => {
    const { server, client, errors } = await setup();
    const got: string[] = [];
    await client.subscribe('/queue/big', (m) => void got.push(m.id));
    const sub = server.framesOf(0, 'SUBSCRIBE')[0]!;
    const big = message(server.connections[0]!, sub, { trace: 't'.repeat(50 * 1024) });
    const next = message(server.connections[0]!, sub);
    await server.until(() => got.length === 1);
    expect(got).toEqual([next['ha-message-id']]);
    await server.until(() => server.framesOf(0, 'NACK').length === 1);
    expect(server.framesOf(0, 'NACK')[0]!.headers.id).toBe(big.ack);
    expect(errors.map((e) => e.code)).toEqual(['FRAME_TOO_LARGE']);
    expect(server.connections).toHaveLength(1);
  });
});

describe('2. a send the broker answers by closing the connection', () => {
  it('rejects the poison send, confirms the send behind it, and stops reconnecting', async () => {
    const { server, client } = await setup();
    server.onFrame = (conn, frame) => {
      if (frame.command === 'SEND' && frame.body === 'poison') {
        // ProtocolConverter: ERROR without receipt-id, then the transport is closed.
        conn.send(
          'ERROR',
          { message: 'The maximum data length was exceeded' },
          'ProtocolException',
        );
        conn.end();
        return;
      }
      answerReceipts(conn, frame);
    };
    await client.whenConnected();
    const poison = client.send('/queue/p', 'poison');
    const fine = client.send('/queue/p', 'fine');
    await expect(poison).rejects.toMatchObject({
      code: 'SEND_REJECTED',
      name: 'SendRejectedError',
    });
    await expect(fine).resolves.toMatchObject({ messageId: expect.any(String) });
    await client.send('/queue/p', 'later');
    expect(client.pendingSends).toBe(0);
    // The poison was written at most maxSendAttempts (3) times.
    const writes = server.connections.flatMap((c) => c.frames).filter((f) => f.body === 'poison');
    expect(writes.length).toBeLessThanOrEqual(3);
  });

  it('refuses before writing what ActiveMQ would close the connection on', async () => {
    const { server, client } = await setup();
    await client.whenConnected();
    await expect(
      client.send('/queue/p', 'x', { big: 'b'.repeat(11 * 1024) }),
    ).rejects.toMatchObject({
      code: 'FRAME_TOO_LARGE',
    });
    await expect(client.send('/queue/p', 'four', { 'content-length': 3 })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
    });
    await client.send('/queue/p', 'ok');
    expect(server.framesOf(0, 'SEND').map((f) => f.body)).toEqual(['ok']);
  });
});

describe('3. client-id and durable subscriptions', () => {
  it('sends client-id, restores the durable subscription under the same name, removes it', async () => {
    const { server, client } = await setup({ clientId: 'orders-app' });
    const sub = await client.subscribe('/topic/t', () => {}, { durable: 'audit' });
    expect(server.framesOf(0, 'CONNECT')[0]!.headers['client-id']).toBe('orders-app');
    const first = server.framesOf(0, 'SUBSCRIBE')[0]!;
    expect(first.headers['activemq.subscriptionName']).toBe('audit');
    server.connections[0]!.kill();
    await server.until(() => server.framesOf(1, 'SUBSCRIBE').length === 1);
    expect(server.framesOf(1, 'CONNECT')[0]!.headers['client-id']).toBe('orders-app');
    expect(server.framesOf(1, 'SUBSCRIBE')[0]!.headers).toEqual(first.headers);
    await client.whenConnected();
    await sub.unsubscribe({ durable: true });
    const unsubs = server
      .framesOf(1, 'UNSUBSCRIBE')
      .map((f) => f.headers['activemq.subscriptionName']);
    // First the consumer goes, then the subscription (ActiveMQ refuses it while a consumer is on it).
    expect(unsubs).toEqual([undefined, 'audit']);
  });

  it('refuses a durable subscription without clientId', async () => {
    const { client } = await setup();
    await expect(client.subscribe('/topic/t', () => {}, { durable: 'x' })).rejects.toThrow(
      /clientId/,
    );
  });

  it('reports a client id in use clearly, once, and keeps trying', async () => {
    const { server, client, errors } = await setup({ clientId: 'orders-app' });
    server.onFrame = (conn, frame) => {
      if (frame.command === 'CONNECT' && conn.index < 3) {
        conn.send('ERROR', {
          message:
            'Broker: localhost - Client: orders-app already connected from tcp://10.0.0.9:5123',
        });
        conn.end();
        return;
      }
      answerReceipts(conn, frame);
    };
    await client.whenConnected();
    expect(errors.map((e) => e.code)).toEqual(['CLIENT_ID_IN_USE']);
    expect(errors[0]!.message).toMatch(/already connected/);
  });
});

describe('4. dedupe with a handler slower than the failover', () => {
  it('hands a message to the handler once, whichever connection redelivers it', async () => {
    const { server, client } = await setup();
    const calls: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const g = gate();
    await client.subscribe(
      '/queue/slow',
      async (m) => {
        calls.push(m.id);
        running++;
        maxRunning = Math.max(maxRunning, running);
        await g.opened;
        running--;
        await m.ack();
      },
      { ack: 'client-individual', dedupe: true, concurrency: 4 },
    );
    const sub0 = server.framesOf(0, 'SUBSCRIBE')[0]!;
    const m = message(server.connections[0]!, sub0);
    await server.until(() => calls.length === 1);
    server.connections[0]!.kill();
    await server.until(() => server.framesOf(1, 'SUBSCRIBE').length === 1);
    // The broker redelivers it on the new connection while the first call still runs.
    message(server.connections[1]!, server.framesOf(1, 'SUBSCRIBE')[0]!, {
      'ha-message-id': m['ha-message-id'],
      redelivered: 'true',
    });
    g.open();
    // The copy is acknowledged on its own connection without a second call.
    await server.until(() => server.framesOf(1, 'ACK').length === 1);
    // Redelivered once more later: still not handed over.
    message(server.connections[1]!, server.framesOf(1, 'SUBSCRIBE')[0]!, {
      'ha-message-id': m['ha-message-id'],
      redelivered: 'true',
    });
    await server.until(() => server.framesOf(1, 'ACK').length === 2);
    expect(calls).toEqual([m['ha-message-id']]);
    expect(maxRunning).toBe(1);
  });
});

describe('5. handlers run one at a time, in delivery order, prefetch bounding the buffer', () => {
  it('auto mode: one call at a time, in order; each ACKed as it is handed over', async () => {
    const { server, client } = await setup();
    const order: number[] = [];
    let running = 0;
    let maxRunning = 0;
    await client.subscribe('/queue/flow', async (m) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      // Later messages finish faster: completion order would differ if calls overlapped.
      await new Promise((r) => setTimeout(r, 40 - Number(m.text())));
      order.push(Number(m.text()));
      running--;
    });
    const sub = server.framesOf(0, 'SUBSCRIBE')[0]!;
    expect(sub.headers).toMatchObject({
      ack: 'client-individual',
      'activemq.prefetchSize': '1000',
    });
    for (let i = 0; i < 30; i++) message(server.connections[0]!, sub, {}, String(i));
    await server.until(() => order.length === 30);
    expect(order).toEqual([...Array(30).keys()]);
    expect(maxRunning).toBe(1);
    await server.until(() => server.framesOf(0, 'ACK').length === 30);
  });

  it('concurrency: n runs up to n calls at once', async () => {
    const { server, client } = await setup();
    let running = 0;
    let maxRunning = 0;
    let done = 0;
    await client.subscribe(
      '/queue/flow',
      async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        done++;
      },
      { concurrency: 4 },
    );
    const sub = server.framesOf(0, 'SUBSCRIBE')[0]!;
    for (let i = 0; i < 40; i++) message(server.connections[0]!, sub);
    await server.until(() => done === 40);
    expect(maxRunning).toBe(4);
  });

  it('for await: one message per next(), nothing acknowledged ahead of the loop', async () => {
    const { server, client } = await setup();
    const stream = await client.subscribe('/queue/iter');
    const sub = server.framesOf(0, 'SUBSCRIBE')[0]!;
    for (let i = 0; i < 5; i++) message(server.connections[0]!, sub, {}, String(i));
    const seen: string[] = [];
    for await (const m of stream) {
      seen.push(m.text());
      // Only what the loop took is acknowledged.
      await server.until(() => server.framesOf(0, 'ACK').length === seen.length);
      expect(server.framesOf(0, 'ACK')).toHaveLength(seen.length);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual(['0', '1', '2']);
    await server.until(() => server.framesOf(0, 'UNSUBSCRIBE').length === 1);
    expect(server.framesOf(0, 'ACK')).toHaveLength(3);
  });
});

describe('6. an event listener that throws', () => {
  it('changes nothing: one socket per connection, the client keeps working', async () => {
    const { server, client } = await setup();
    client.on('connected', () => {
      throw new Error('listener bug');
    });
    client.on('connecting', () => {
      throw new Error('listener bug');
    });
    client.on('state', () => {
      throw new Error('listener bug');
    });
    await client.whenConnected();
    for (let i = 0; i < 3; i++) {
      server.connections.at(-1)!.kill();
      await server.until(() => server.connections.length === i + 2);
      await client.whenConnected();
    }
    await client.send('/queue/a', 'still works');
    expect(server.connections).toHaveLength(4);
    // Every connection but the current one is closed.
    await server.until(() => server.connections.slice(0, -1).every((c) => c.socket.destroyed));
  });
});

describe('7. unsubscribe() and close() while messages arrive', () => {
  it('acknowledges only what the handler got, so the broker keeps the rest', async () => {
    const { server, client } = await setup();
    const g = gate();
    const handled: string[] = [];
    const sub = await client.subscribe('/queue/u', async (m) => {
      handled.push(m.id);
      await g.opened;
    });
    const frame = server.framesOf(0, 'SUBSCRIBE')[0]!;
    const conn = server.connections[0]!;
    for (let i = 0; i < 5; i++) message(conn, frame);
    await server.until(() => handled.length === 1);
    const unsubscribed = sub.unsubscribe();
    for (let i = 0; i < 3; i++) message(conn, frame);
    g.open();
    await unsubscribed;
    const commands = server.framesOf(0).map((f) => f.command);
    expect(commands.filter((c) => c === 'ACK')).toHaveLength(handled.length);
    expect(handled).toHaveLength(1);
    // The ACK of the handled message precedes the UNSUBSCRIBE.
    expect(commands.lastIndexOf('ACK')).toBeLessThan(commands.indexOf('UNSUBSCRIBE'));
  });

  it('close(): handler calls under way finish, buffered messages stay unacknowledged', async () => {
    const { server, client } = await setup();
    const g = gate();
    let handled = 0;
    await client.subscribe('/queue/c', async () => {
      handled++;
      await g.opened;
    });
    const frame = server.framesOf(0, 'SUBSCRIBE')[0]!;
    for (let i = 0; i < 4; i++) message(server.connections[0]!, frame);
    await server.until(() => handled === 1);
    const closed = client.close({ timeoutMs: 5000 });
    g.open();
    await closed;
    const commands = server.framesOf(0).map((f) => f.command);
    expect(commands.filter((c) => c === 'ACK')).toHaveLength(1);
    expect(commands.slice(-2)).toEqual(['UNSUBSCRIBE', 'DISCONNECT']);
  });
});

describe('8. no broker at all for a while', () => {
  it('retries fast at first, then backs off to the cap with jitter', async () => {
    const server = await FakeStompServer.start();
    const port = server.port;
    await server.close();
    const client: HaClient = createClient({
      discovery: `stomp://127.0.0.1:${port}`,
      reconnect: { fastWindowMs: 300, fastMaxDelayMs: 50, maxDelayMs: 400 },
    });
    cleanups.push(() => client.close({ timeoutMs: 0 }));
    const delays: number[] = [];
    const enough = new Promise<void>((resolve) => {
      client.on('state', (s) => {
        if (s.type === 'waiting' && typeof s.delayMs === 'number') {
          delays.push(s.delayMs);
          if (delays.filter((d) => d > 50).length >= 6) resolve();
        }
      });
    });
    await enough;
    const fast = delays.slice(
      0,
      delays.findIndex((d) => d > 50),
    );
    expect(fast.length).toBeGreaterThan(0);
    expect(fast.every((d) => d <= 50)).toBe(true);
    const slow = delays.filter((d) => d > 50);
    expect(slow.every((d) => d <= 400)).toBe(true);
    // Jittered: not all the same.
    expect(new Set(slow).size).toBeGreaterThan(1);
  });
});

describe('9. security errors', () => {
  const refused = (body: string) => (conn: FakeConnection, frame: Frame) => {
    if (frame.command !== 'CONNECT') return answerReceipts(conn, frame);
    conn.send('ERROR', { message: 'User name [app] or password is invalid.' }, body);
    conn.end();
  };

  it('refused credentials (ActiveMQ JAAS text) close the client after one attempt', async () => {
    const { server, client, errors } = await setup({ login: 'app', passcode: 'bad' });
    server.onFrame = refused(
      'java.lang.SecurityException: User name [app] or password is invalid.\n' +
        'Caused by: javax.security.auth.login.FailedLoginException: Password does not match',
    );
    await expect(client.whenConnected()).rejects.toMatchObject({ code: 'AUTHENTICATION_FAILED' });
    expect(server.connections).toHaveLength(1);
    expect(errors.map((e) => e.code)).toEqual(['AUTHENTICATION_FAILED']);
  });

  it('a login backend that is down is retried, not taken for refused credentials', async () => {
    const { server, client } = await setup({ login: 'app', passcode: 'ok' });
    const down = refused(
      'java.lang.SecurityException: User name [app] or password is invalid.\n' +
        'Caused by: javax.security.auth.login.LoginException: Error contacting LDAP\n' +
        'Caused by: javax.naming.CommunicationException: ldap.example:389',
    );
    server.onFrame = (conn, frame) =>
      conn.index < 2 ? down(conn, frame) : answerReceipts(conn, frame);
    await client.whenConnected();
    expect(server.connections).toHaveLength(3);
  });

  it('any other error mentioning security fails only its own command', async () => {
    const { server, client } = await setup();
    server.onFrame = (conn, frame) => {
      if (frame.command === 'SUBSCRIBE') {
        conn.send(
          'ERROR',
          {
            message: 'User app is not authorized to read from: queue://secret',
            'receipt-id': frame.headers.receipt!,
          },
          'java.lang.SecurityException: User app is not authorized to read from: queue://secret',
        );
        return;
      }
      answerReceipts(conn, frame);
    };
    await expect(client.subscribe('/queue/secret', () => {})).rejects.toMatchObject({
      code: 'BROKER_ERROR',
    });
    await client.send('/queue/fine', 'x');
    expect(client.state.type).toBe('connected');
  });
});

describe('client-individual ack() asks for no receipt (as JMS acknowledges)', () => {
  it('writes a bare ACK and resolves without waiting for the broker; NACK keeps its receipt', async () => {
    const { server, client } = await setup();
    const settled: string[] = [];
    await client.subscribe(
      '/queue/acks',
      async (m) => {
        if (m.text() === 'reject') await m.nack();
        else await m.ack();
        settled.push(m.text());
      },
      { ack: 'client-individual' },
    );
    const sub = server.framesOf(0, 'SUBSCRIBE')[0]!;
    const a = message(server.connections[0]!, sub, {}, 'take');
    const b = message(server.connections[0]!, sub, {}, 'reject');
    await server.until(() => settled.length === 2);
    const ack = server.framesOf(0, 'ACK')[0]!;
    expect(ack.headers).toEqual({ id: a.ack });
    const nack = server.framesOf(0, 'NACK')[0]!;
    expect(nack.headers.id).toBe(b.ack);
    expect(nack.headers.receipt).toBeDefined();
    expect(settled).toEqual(['take', 'reject']);
  });
});
