import {
  createClient,
  type HaClient,
  type HaClientOptions,
  type ReceivedMessage,
} from '@activemq-ha/client';
import { type BrokerGroup, startBrokerGroup } from '@activemq-ha/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HoldingProxy } from './holding-proxy.js';
import { nextEvent, waitFor } from './traffic.js';

/**
 * The OpenWire client's failover guarantees on a real shared-store master/slave pair. The send
 * "in flight during a failover" is made exact with a proxy that holds back the broker's bytes:
 * the broker has stored the message and answered, the client never hears it, the connection
 * dies, and the client writes the message again on the next connection with the same message
 * id. The broker must drop that copy; the consumer count proves it. Three broker mechanisms
 * can: KahaDB's message-id index while the message is still stored ("Duplicate message add
 * attempt rejected"), the queue cursor's in-memory audit of recent ids per producer, and —
 * the only one that survives a failover to a new master after the message was consumed —
 * the producer audit of a connection that says ConnectionInfo.failoverReconnect (the store's
 * last sequence for the producer, rebuilt from the journal, → ProducerBrokerExchange
 * .canDispatch). Checked by hand: with failoverReconnect off the SIGKILL test below receives
 * the copy; with a fresh message id on the resend the same-broker test does.
 */
let group: BrokerGroup<'openwire'>;
const clients: HaClient[] = [];
let proxies: HoldingProxy[] = [];

beforeAll(async () => {
  group = await startBrokerGroup({
    size: 2,
    protocols: ['openwire'],
    lockAcquireSleepIntervalMs: 1000,
    lockKeepAlivePeriodMs: 500,
  });
});
afterEach(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  proxies = [];
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close({ timeoutMs: 0 })));
  await group?.stop();
});

/** The active broker behind a holding proxy, listed first; the standby second. */
async function route() {
  const active = (await group.active())!;
  const standby = group.brokers.find((b) => b.id !== active.id)!;
  const proxy = await HoldingProxy.start(active.host, active.ports.openwire);
  proxies.push(proxy);
  const direct = `failover:(tcp://${active.host}:${active.ports.openwire},tcp://${standby.host}:${standby.ports.openwire})?randomize=false&initialReconnectDelay=10&maxReconnectDelay=200`;
  const proxied = `failover:(tcp://127.0.0.1:${proxy.port},tcp://${standby.host}:${standby.ports.openwire})?randomize=false&initialReconnectDelay=10&maxReconnectDelay=200`;
  return { active, standby, proxy, direct, proxied };
}

function client(discovery: string, options: Partial<HaClientOptions> = {}): HaClient {
  const c = createClient({ discovery, heartBeatMs: 1000, ...options });
  c.on('error', () => {});
  clients.push(c);
  return c;
}

/** Everything a subscription receives, by the client's stable message id. */
function collector() {
  const received: ReceivedMessage[] = [];
  return {
    received,
    handler: (m: ReceivedMessage) => {
      received.push(m);
    },
    texts: () => received.map((m) => m.text()),
    count: (id: string) => received.filter((m) => m.id === id).length,
  };
}

/**
 * Sends `text` while the proxy holds back the broker's bytes, and resolves once the broker has
 * answered it (its Response is held in the proxy): the message is stored, the client does not
 * know. The returned promise is the send's, which settles on a later connection.
 */
async function sendUnanswered(
  producer: HaClient,
  proxy: HoldingProxy,
  queue: string,
  text: string,
) {
  proxy.hold();
  const before = proxy.heldBytes;
  const sending = producer.send(queue, text);
  await waitFor(() => proxy.heldBytes > before, 20_000, 'the broker to answer the held send');
  expect(producer.pendingSends).toBe(1);
  // Wrapped: an async function returning the promise itself would wait for it.
  return { sending };
}

describe('OpenWire failover on a real master/slave pair', () => {
  it('a send whose Response was lost is written again with the same id on the same broker, and the broker drops the copy', async ({
    onTestFailed,
  }) => {
    onTestFailed(() => group.dumpLogs());
    const { proxy, proxied, direct } = await route();
    const queue = '/queue/ow.fo.reconnect';
    const producer = client(proxied);
    const failover = nextEvent(producer, 'failover');
    const first = await producer.send(queue, 'before');
    const { sending } = await sendUnanswered(producer, proxy, queue, 'in flight');
    proxy.dropAll();
    const { resent } = await failover;
    const sent = await sending;
    const marker = await producer.send(queue, 'marker');
    expect(resent).toBe(1);

    const consumer = client(direct);
    const box = collector();
    await consumer.subscribe(queue, box.handler);
    await waitFor(() => box.count(marker.messageId) === 1, 20_000, 'the marker');
    // One producer, one queue, persistent: FIFO, so a copy would have come before the marker.
    expect(box.texts()).toEqual(['before', 'in flight', 'marker']);
    expect(box.count(sent.messageId)).toBe(1);
    expect(box.count(first.messageId)).toBe(1);
  });

  it('the copy is dropped even when the first one was consumed before the resend (on the same broker)', async ({
    onTestFailed,
  }) => {
    onTestFailed(() => group.dumpLogs());
    const { proxy, proxied, direct } = await route();
    const queue = '/queue/ow.fo.consumed';
    // Consumed at once, so the copy is not caught by the store's message-id index. On the same
    // broker the queue cursor's in-memory message audit (ActiveMQMessageAudit, "cursor got
    // duplicate send") still knows the id; on a new master only the producer audit does (next
    // test: with failoverReconnect off it delivers the copy).
    const consumer = client(direct);
    const box = collector();
    await consumer.subscribe(queue, box.handler);
    const producer = client(proxied);
    const failover = nextEvent(producer, 'failover');
    await producer.send(queue, 'before');
    const { sending } = await sendUnanswered(producer, proxy, queue, 'in flight');
    await waitFor(() => box.received.length === 2, 20_000, 'the held message to be consumed');
    proxy.dropAll();
    const { resent } = await failover;
    const sent = await sending;
    const marker = await producer.send(queue, 'marker');
    expect(resent).toBe(1);
    await waitFor(() => box.count(marker.messageId) === 1, 20_000, 'the marker');
    expect(box.texts()).toEqual(['before', 'in flight', 'marker']);
    expect(box.count(sent.messageId)).toBe(1);
  });

  it('across a SIGKILL of the master: the held send is de-duplicated by the new master, consumers and a durable subscription are restored, a temporary reply queue is re-created', async ({
    onTestFailed,
  }) => {
    onTestFailed(() => group.dumpLogs());
    const { proxy, proxied, direct } = await route();
    const queue = '/queue/ow.fo.kill';
    const topic = '/topic/ow.fo.durable';

    // A consumer that stays subscribed across the failover and acknowledges each message
    // synchronously (MessageAck with a Response), so the held message is consumed and gone
    // from the store's index before the kill: on the new master only the producer audit of
    // the failoverReconnect connection can recognise the copy.
    const consumer = client(direct);
    const box = collector();
    let acked = 0;
    await consumer.subscribe(
      queue,
      async (m) => {
        box.handler(m);
        await m.ack();
        acked++;
      },
      { prefetch: 10, ack: 'client-individual' },
    );

    // A durable subscriber (client id + subscription name).
    const durableOptions = { clientId: 'ow-fo-durable' };
    const subscriber = client(direct, durableOptions);
    const topicBox = collector();
    await subscriber.subscribe(topic, topicBox.handler, { durable: 'ow-fo-sub' });

    // Request/reply: the requester's replies come to its temporary queue.
    const responder = client(direct);
    await responder.subscribe('/queue/ow.fo.service', async (m) => {
      await responder.send(m.headers['reply-to']!, `re: ${m.text()}`, {
        'correlation-id': m.headers['correlation-id']!,
      });
    });
    const requester = client(direct);
    const replies = collector();
    await requester.subscribe('/temp-queue/replies', replies.handler);
    await requester.send('/queue/ow.fo.service', 'ping 1', {
      'reply-to': '/temp-queue/replies',
      'correlation-id': 'r-1',
    });
    await waitFor(() => replies.received.length === 1, 20_000, 'the first reply');

    const producer = client(proxied);
    const failover = nextEvent(producer, 'failover');
    await producer.send(queue, 'before');
    await producer.send(topic, 'd1', { persistent: 'true' });
    await waitFor(() => topicBox.received.length === 1, 20_000, 'd1');
    const { sending } = await sendUnanswered(producer, proxy, queue, 'in flight');

    await waitFor(() => acked === 2, 20_000, 'the held message to be consumed and acknowledged');
    const consumerMoved = nextEvent(consumer, 'failover');
    const killed = await group.failover('SIGKILL', { timeoutMs: 60_000 });
    const { resent } = await failover;
    const sent = await sending;
    expect(resent).toBe(1);
    await consumerMoved;

    const marker = await producer.send(queue, 'marker');
    await producer.send(topic, 'd2', { persistent: 'true' });
    await waitFor(() => box.count(marker.messageId) === 1, 30_000, 'the marker');
    expect(box.texts()).toEqual(['before', 'in flight', 'marker']);
    expect(box.count(sent.messageId)).toBe(1);

    // The live durable subscription was restored under its name on the new master.
    await waitFor(() => topicBox.received.length === 2, 30_000, 'd2');
    expect(topicBox.texts()).toEqual(['d1', 'd2']);
    // And it is durable there: published while nobody is subscribed, delivered on return.
    await subscriber.close();
    await producer.send(topic, 'd3', { persistent: 'true' });
    const returning = client(direct, durableOptions);
    const returned = collector();
    await returning.subscribe(topic, returned.handler, { durable: 'ow-fo-sub' });
    await waitFor(() => returned.received.length === 1, 30_000, 'd3');
    expect(returned.texts()).toEqual(['d3']);

    // The temporary reply queue is re-created under its name on the new master.
    await requester.send('/queue/ow.fo.service', 'ping 2', {
      'reply-to': '/temp-queue/replies',
      'correlation-id': 'r-2',
    });
    await waitFor(() => replies.received.length === 2, 30_000, 'the reply after the failover');
    expect(replies.received.map((m) => m.headers['correlation-id'])).toEqual(['r-1', 'r-2']);
    expect(replies.texts()).toEqual(['re: ping 1', 're: ping 2']);

    await group.restart(killed.from.id);
    await group.waitForSlave(killed.from.id, { timeoutMs: 60_000 });
  });
});
