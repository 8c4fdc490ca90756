import {
  createClient,
  type HaClient,
  type ReceivedMessage,
  TransactionInDoubtError,
} from '@activemq-ha/client';
import { afterEach, describe, expect, it } from 'vitest';
import { answerReceipts, FakeStompServer, type Frame } from './fake-stomp-server.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function setup(options: Record<string, unknown> = {}) {
  const server = await FakeStompServer.start();
  const client = createClient({
    discovery: [server.uri],
    reconnect: { initialDelayMs: 5, maxDelayMs: 20 },
    ...options,
  });
  cleanups.push(async () => {
    await client.close({ timeoutMs: 0 });
    await server.close();
  });
  return { server, client };
}

function deliver(
  conn: { send(c: string, h: Record<string, string>, b?: string): void },
  sub: Frame,
  n: number,
) {
  conn.send(
    'MESSAGE',
    {
      subscription: sub.headers.id!,
      'message-id': `m-${n}`,
      destination: sub.headers.destination!,
      ack: `ack-${n}`,
      'ha-message-id': `id-${n}`,
    },
    `body ${n}`,
  );
}

describe('one connection at a time, as the broker sees it', () => {
  it('negotiates STOMP 1.2 with heart-beats and persists queue sends by default', async () => {
    const { server, client } = await setup({ heartBeatMs: 4000, login: 'u', passcode: 'p' });
    await client.whenConnected();
    const connect = server.framesOf(0, 'CONNECT')[0]!;
    expect(connect.headers).toMatchObject({
      'accept-version': '1.2',
      'heart-beat': '4000,4000',
      login: 'u',
      passcode: 'p',
      host: '/',
    });
    const { messageId } = await client.send('/queue/a', 'x', { 'x-app': 1 });
    await client.send('/topic/b', Buffer.from([0, 1, 2]));
    const [q, t] = server.framesOf(0, 'SEND');
    expect(q!.headers).toMatchObject({
      persistent: 'true',
      'x-app': '1',
      'ha-message-id': messageId,
    });
    expect(q!.headers['content-length']).toBeUndefined();
    expect(t!.headers.persistent).toBeUndefined();
    expect(t!.headers['content-length']).toBe('3');
  });

  it('re-sends an unconfirmed send on the next connection with the same id, once confirmed', async () => {
    const { server, client } = await setup();
    server.onFrame = (conn, frame) => {
      // First connection: swallow the SEND's receipt, then die.
      if (conn.index === 0 && frame.command === 'SEND') return conn.kill();
      answerReceipts(conn, frame);
    };
    const failovers: number[] = [];
    client.on('failover', (f) => failovers.push(f.resent));
    const result = await client.send('/queue/a', 'payload');
    const first = server.framesOf(0, 'SEND')[0]!;
    const again = server.framesOf(1, 'SEND')[0]!;
    expect(first.headers['ha-message-id']).toBe(result.messageId);
    expect(again.headers['ha-message-id']).toBe(result.messageId);
    expect(again.body).toBe('payload');
    expect(failovers).toEqual([1]);
    expect(client.pendingSends).toBe(0);
  });

  it('never sends an ACK for a message that came on a connection that has since died', async () => {
    const { server, client } = await setup();
    const received: ReceivedMessage[] = [];
    await client.subscribe('/queue/a', (m) => void received.push(m), { ack: 'client-individual' });
    deliver(server.connections[0]!, server.framesOf(0, 'SUBSCRIBE')[0]!, 1);
    await server.until(() => received.length === 1);
    server.connections[0]!.kill();
    await server.until(() => server.framesOf(1, 'SUBSCRIBE').length === 1);
    await client.whenConnected();
    await received[0]!.ack();
    // A fresh delivery on the new connection is acknowledged there, by its own ack id.
    deliver(server.connections[1]!, server.framesOf(1, 'SUBSCRIBE')[0]!, 2);
    await server.until(() => received.length === 2);
    await received[1]!.ack();
    // ack() resolves once the ACK is written (no receipt): wait for the server to read it.
    await server.until(() => server.framesOf(1, 'ACK').length === 1);
    expect(server.framesOf(1, 'ACK').map((f) => f.headers.id)).toEqual(['ack-2']);
    expect(server.framesOf(0, 'ACK')).toEqual([]);
    // The subscription was restored with the same settings.
    expect(server.framesOf(1, 'SUBSCRIBE')[0]!.headers).toEqual(
      server.framesOf(0, 'SUBSCRIBE')[0]!.headers,
    );
  });

  it('filters redeliveries by message id when dedupe is on', async () => {
    const { server, client } = await setup();
    const seen: string[] = [];
    await client.subscribe(
      '/queue/a',
      async (m) => {
        seen.push(m.id);
        await m.ack();
      },
      { ack: 'client-individual', dedupe: { window: 10 } },
    );
    const sub = server.framesOf(0, 'SUBSCRIBE')[0]!;
    deliver(server.connections[0]!, sub, 1);
    deliver(server.connections[0]!, sub, 1);
    await server.until(() => server.framesOf(0, 'ACK').length === 2);
    expect(seen).toEqual(['id-1']);
  });

  it('fails only the command an ERROR frame names, keeping the connection', async () => {
    const { server, client } = await setup();
    server.onFrame = (conn, frame) => {
      if (frame.command === 'SEND' && frame.headers.destination === '/queue/forbidden') {
        conn.send('ERROR', {
          message: 'User is not authorized to write to: queue://forbidden',
          'receipt-id': frame.headers.receipt!,
        });
        return;
      }
      answerReceipts(conn, frame);
    };
    await expect(client.send('/queue/forbidden', 'x')).rejects.toMatchObject({
      code: 'BROKER_ERROR',
      name: 'BrokerError',
    });
    await client.send('/queue/fine', 'y');
    expect(server.connections).toHaveLength(1);
  });

  it('reports a transaction open at a connection loss as in doubt and never replays it', async () => {
    const { server, client } = await setup();
    await client.whenConnected();
    const tx = await client.begin();
    await tx.send('/queue/a', 'in tx');
    const errors: string[] = [];
    client.on('error', (e) => errors.push(e.code));
    server.connections[0]!.kill();
    await expect(tx.commit()).rejects.toBeInstanceOf(TransactionInDoubtError);
    await client.whenConnected();
    await client.send('/queue/a', 'after');
    expect(errors).toContain('TRANSACTION_IN_DOUBT');
    const replayed = server
      .framesOf(1)
      .filter((f) => ['BEGIN', 'COMMIT'].includes(f.command) || f.headers.transaction);
    expect(replayed).toEqual([]);
  });

  it("with outboxOverflow 'wait' sends every send made before the connection came up", async () => {
    const { server, client } = await setup({ outboxSize: 2, outboxOverflow: 'wait' });
    let connected: (() => void) | undefined;
    server.onFrame = (conn, frame) => {
      if (frame.command === 'CONNECT') connected = () => answerReceipts(conn, frame);
      else answerReceipts(conn, frame);
    };
    await server.until(() => connected !== undefined);
    // Two fit in the outbox, three wait for room; all five are made before CONNECTED.
    const sends = [1, 2, 3, 4, 5].map((i) => client.send('/queue/a', `m${i}`));
    connected!();
    await Promise.all(sends);
    expect(server.framesOf(0, 'SEND').map((f) => f.body)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(client.pendingSends).toBe(0);
  });

  it('forgets a transaction whose BEGIN the broker refused', async () => {
    const { server, client } = await setup();
    server.onFrame = (conn, frame) => {
      if (frame.command === 'BEGIN') {
        conn.send('ERROR', { message: 'not allowed', 'receipt-id': frame.headers.receipt! });
        return;
      }
      answerReceipts(conn, frame);
    };
    await expect(client.begin()).rejects.toMatchObject({ code: 'BROKER_ERROR' });
    const errors: string[] = [];
    client.on('error', (e) => errors.push(e.code));
    const disconnected = new Promise((resolve) => client.once('disconnected', resolve));
    server.connections[0]!.kill();
    await disconnected;
    await client.whenConnected();
    await client.send('/queue/a', 'after');
    expect(errors).toEqual([]);
  });

  it('rejects with OUTBOX_FULL while disconnected and the outbox is full', async () => {
    const server = await FakeStompServer.start();
    const port = server.port;
    await server.close();
    const client: HaClient = createClient({
      discovery: [`stomp://127.0.0.1:${port}`],
      outboxSize: 2,
    });
    cleanups.push(() => client.close({ timeoutMs: 0 }));
    const a = client.send('/queue/a', '1');
    const b = client.send('/queue/a', '2');
    await expect(client.send('/queue/a', '3')).rejects.toMatchObject({ code: 'OUTBOX_FULL' });
    await client.close({ timeoutMs: 10 });
    await expect(a).rejects.toMatchObject({ code: 'DRAIN_TIMEOUT' });
    await expect(b).rejects.toMatchObject({ code: 'DRAIN_TIMEOUT' });
  });

  it('close() waits for outstanding receipts, then unsubscribes and disconnects', async () => {
    const { server, client } = await setup();
    let held: (() => void) | undefined;
    server.onFrame = (conn, frame) => {
      if (frame.command === 'SEND') {
        held = () => conn.receipt(frame);
        return;
      }
      answerReceipts(conn, frame);
    };
    await client.subscribe('/queue/a', () => {});
    const sent = client.send('/queue/a', 'slow');
    await server.until(() => held !== undefined);
    const closed = client.close({ timeoutMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.framesOf(0, 'DISCONNECT')).toEqual([]);
    held!();
    await sent;
    await closed;
    expect(server.framesOf(0).map((f) => f.command)).toEqual([
      'CONNECT',
      'SUBSCRIBE',
      'SEND',
      'UNSUBSCRIBE',
      'DISCONNECT',
    ]);
    expect(client.state.type).toBe('closed');
  });
});
