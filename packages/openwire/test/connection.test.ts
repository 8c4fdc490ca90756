import {
  type Destination,
  JavaShort,
  OpenWireConnection,
  type PropertyValue,
  type ReceivedMessage,
} from '@activemq-ha/openwire';
import { type BrokerGroup, inbox, pollUntil, startBrokerGroup } from '@activemq-ha/testkit';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';

let group: BrokerGroup<'openwire'>;
let port: number;

beforeAll(async () => {
  group = await startBrokerGroup({ size: 1, protocols: ['openwire'] });
  port = (await group.active())!.ports.openwire;
});
afterAll(async () => {
  await group?.stop();
});

const queue = (name: string): Destination => ({ type: 'ActiveMQQueue', physicalName: name });

describe('OpenWireConnection against a real broker', () => {
  it('connects with a client id, sends persistent (sync) and non-persistent (async), consumes with auto ack', async () => {
    onTestFailed(() => console.log(group.logs({ tailLines: 40 })));
    await using conn = await OpenWireConnection.connect({ port, clientId: 'ow-test-1' });
    expect(conn.negotiated?.wireFormat).toMatchObject({ version: 12, tight: true });
    // ActiveMQ dispatches BrokerInfo asynchronously (TransportConnection.start → dispatchAsync),
    // and the handshake's Responses synchronously: on a loaded machine it can come after them.
    const info = await pollUntil(
      () => conn.brokerInfo,
      { timeoutMs: 10_000, intervalMs: 20 },
      () => new Error('no BrokerInfo within 10 s of the handshake'),
    );
    expect(info.brokerName).toBe('activemq');
    const id = await conn.send(
      queue('ow.basic'),
      { text: 'persistent' },
      {
        properties: new Map<string, PropertyValue>([
          ['n', 1],
          ['s', new JavaShort(2)],
        ]),
        correlationId: 'c-1',
        priority: 6,
      },
    );
    expect(id).toMatch(/^ID:.*:1:1:1$/);
    await conn.send(
      queue('ow.basic'),
      { bytes: Uint8Array.from([1, 2, 3]) },
      { persistent: false },
    );
    await conn.send(queue('ow.basic'), { map: new Map([['k', 'v']]) });
    const box = inbox<ReceivedMessage>();
    await conn.subscribe(queue('ow.basic'), box.handler);
    // Persistent and non-persistent messages sit in different broker cursors: order may differ.
    const all = await box.next(3);
    const text = all.find((m) => m.message.type === 'ActiveMQTextMessage');
    const bytes = all.find((m) => m.message.type === 'ActiveMQBytesMessage');
    const map = all.find((m) => m.message.type === 'ActiveMQMapMessage');
    expect(text!.text).toBe('persistent');
    expect(text!.messageId).toBe(id);
    expect(text!.properties.get('s')).toEqual(new JavaShort(2));
    expect(text!.message).toMatchObject({ correlationId: 'c-1', priority: 6, persistent: true });
    expect(bytes!.bytes).toEqual(Uint8Array.from([1, 2, 3]));
    expect(map!.map).toEqual(new Map([['k', 'v']]));
  });

  it('the broker refuses a second connection with the same client id (typed broker error)', async () => {
    await using first = await OpenWireConnection.connect({ port, clientId: 'ow-dup' });
    expect(first.closed).toBe(false);
    await expect(OpenWireConnection.connect({ port, clientId: 'ow-dup' })).rejects.toMatchObject({
      code: 'BROKER_ERROR',
      // 6.x is on Jakarta Messaging, 5.x on javax.jms: the same exception under either package.
      exceptionClass: expect.stringMatching(/^(javax|jakarta)\.jms\.InvalidClientIDException$/),
    });
  });

  it('selectors filter; individual ack acks one; the unacked one comes back after close', async () => {
    let unackedId = '';
    {
      await using conn = await OpenWireConnection.connect({ port });
      for (const color of ['red', 'blue', 'red']) {
        await conn.send(
          queue('ow.select'),
          { text: color },
          { properties: new Map([['color', color]]) },
        );
      }
      const box = inbox<ReceivedMessage>();
      await conn.subscribe(queue('ow.select'), box.handler, {
        selector: "color = 'red'",
        ack: 'individual',
      });
      const [first, second] = await box.next(2);
      expect([first!.text, second!.text]).toEqual(['red', 'red']);
      await second!.ack(); // the first stays unacknowledged and returns after close
      unackedId = first!.messageId;
    }
    await using again = await OpenWireConnection.connect({ port });
    const box = inbox<ReceivedMessage>();
    await again.subscribe(queue('ow.select'), box.handler, { selector: "color = 'red'" });
    const [back] = await box.next(1);
    expect(back!.text).toBe('red');
    expect(back!.messageId).toBe(unackedId);
  });

  it('asynchronous sends keep to the producer window: the broker acknowledges each with ProducerAck of the size we counted', async () => {
    const window = 8 * 1024;
    await using conn = await OpenWireConnection.connect({ port, producerWindowSize: window });
    const acks: number[] = [];
    conn.on('producerAck', (a) => acks.push(a.size));
    let most = 0;
    const body = { text: 'w'.repeat(1000) };
    for (let i = 0; i < 40; i++) {
      await conn.send(queue('ow.window'), body, {
        persistent: false,
        properties: new Map([['i', i]]),
      });
      most = Math.max(most, conn.producerWindowUsed);
    }
    // One message may overshoot a window that still had room (as in Java).
    expect(most).toBeLessThan(window + 3000);
    await conn.send(queue('ow.window'), { text: 'sync' }); // a persistent, confirmed send
    await new Promise<void>((resolve) => {
      const check = () => (acks.length === 40 ? resolve() : setTimeout(check, 10));
      check();
    });
    // The broker's sizes (Message.getSize()) are the ones we counted: the window drains to 0.
    expect(conn.producerWindowUsed).toBe(0);
    expect(new Set(acks).size).toBeLessThanOrEqual(2); // i < 10 and i >= 10 differ by one byte
  });

  it('prefetch 0 pulls with MessagePull; an empty queue answers null', async () => {
    await using conn = await OpenWireConnection.connect({ port });
    await conn.send(queue('ow.pull'), { text: 'pulled' });
    const consumer = await conn.subscribe(queue('ow.pull'), undefined, { prefetch: 0 });
    expect((await consumer.pull(5000))?.text).toBe('pulled');
    expect(await consumer.pull(50)).toBeNull();
  });

  it('local transactions: commit delivers, rollback discards', async () => {
    await using conn = await OpenWireConnection.connect({ port });
    const tx = await conn.begin();
    await conn.send(queue('ow.tx'), { text: 'committed' }, { transactionId: tx });
    await conn.commit(tx);
    const tx2 = await conn.begin();
    await conn.send(queue('ow.tx'), { text: 'rolled back' }, { transactionId: tx2 });
    await conn.rollback(tx2);
    await conn.send(queue('ow.tx'), { text: 'after' });
    const box = inbox<ReceivedMessage>();
    await conn.subscribe(queue('ow.tx'), box.handler);
    expect((await box.next(2)).map((m) => m.text)).toEqual(['committed', 'after']);
  });

  it('request/reply over a temporary queue', async () => {
    await using server = await OpenWireConnection.connect({ port });
    await using client = await OpenWireConnection.connect({ port });
    await server.subscribe(queue('ow.rpc'), async (m) => {
      await server.send(
        m.message.replyTo!,
        { text: `re: ${m.text}` },
        {
          correlationId: m.message.correlationId ?? undefined,
        },
      );
    });
    const replies = await client.createTemporaryDestination('queue');
    const box = inbox<ReceivedMessage>();
    await client.subscribe(replies, box.handler);
    await client.send(
      queue('ow.rpc'),
      { text: 'ping' },
      { replyTo: replies, correlationId: 'r-1' },
    );
    const [reply] = await box.next(1);
    expect(reply!.text).toBe('re: ping');
    expect(reply!.message.correlationId).toBe('r-1');
  });

  it('closes cleanly: close event without a reason, later calls fail typed', async () => {
    const conn = await OpenWireConnection.connect({ port });
    const closed = new Promise((resolve) => conn.once('close', resolve));
    await conn.close();
    expect(await closed).toBeUndefined();
    await expect(conn.send(queue('ow.closed'), { text: 'x' })).rejects.toMatchObject({
      code: 'CONNECTION_CLOSED',
    });
  });
});
