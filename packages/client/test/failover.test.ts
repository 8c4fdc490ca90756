import { createClient, type HaClient, servers } from '@activemq-ha/client';
import { type BrokerGroup, startBrokerGroup } from '@activemq-ha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { largestGap, Producer, Receiver, waitFor } from './traffic.js';

const KILLS = 3;
const QUEUE = '/queue/it-failover';

describe('continuous traffic while the active broker is SIGKILLed repeatedly', () => {
  let group: BrokerGroup<'stomp'> | undefined;
  const clients: HaClient[] = [];

  beforeAll(async () => {
    group = await startBrokerGroup({
      size: 2,
      protocols: ['stomp'],
      lockAcquireSleepIntervalMs: 1000,
      lockKeepAlivePeriodMs: 500,
    });
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close({ timeoutMs: 0 })));
    await group?.stop();
  });

  it(`loses no confirmed message over ${KILLS} kills and filters every duplicate`, async ({
    onTestFailed,
  }) => {
    const g = group!;
    onTestFailed(() => g.dumpLogs());
    const list = servers(g.brokers.map((b) => `stomp://${b.host}:${b.ports.stomp}`));
    const producerClient = createClient({
      discovery: list,
      heartBeatMs: 1000,
      outboxOverflow: 'wait',
    });
    let dropped = 0;
    const consumerClient = createClient({
      discovery: list,
      heartBeatMs: 1000,
      logger: {
        debug: (_data, message) => {
          if (message === 'duplicate dropped') dropped++;
        },
        warn: () => {},
      },
    });
    clients.push(producerClient, consumerClient);
    const failovers: { client: string; outageMs: number; resent: number }[] = [];
    producerClient.on('failover', (f) => failovers.push({ client: 'producer', ...f }));
    consumerClient.on('failover', (f) => failovers.push({ client: 'consumer', ...f }));

    const handled = new Receiver();
    // The dedupe window sees every redelivery and resend; `handled` counts what got through.
    await consumerClient.subscribe(
      QUEUE,
      async (m) => {
        handled.record(m.id);
        await m.ack();
      },
      // Awaiting each ack's RECEIPT costs a broker round trip per message (~100/s here): with
      // the default one call at a time the consumer would fall behind the producer.
      { ack: 'client-individual', dedupe: { window: 100_000 }, prefetch: 50, concurrency: 16 },
    );

    const producer = new Producer(async (seq) => {
      const { messageId } = await producerClient.send(QUEUE, `message ${seq}`);
      return messageId;
    }, 8);
    producer.start();

    const kills: { at: number; takeoverMs: number }[] = [];
    for (let k = 0; k < KILLS; k++) {
      const before = producer.confirmed.size;
      await waitFor(() => producer.confirmed.size >= before + 200, 60_000, 'traffic before a kill');
      const result = await g.failover('SIGKILL', { timeoutMs: 60_000 });
      kills.push({ at: result.killed.sentAt, takeoverMs: result.takeoverMs });
      await g.restart(result.from.id);
      await g.waitForSlave(result.from.id, { timeoutMs: 60_000 });
    }
    const after = producer.confirmed.size;
    await waitFor(
      () => producer.confirmed.size >= after + 200,
      60_000,
      'traffic after the last kill',
    );
    await producer.stop();

    await waitFor(
      () => handled.missing(producer.confirmed.keys()).length === 0,
      60_000,
      'every confirmed message to arrive',
    );

    const windowOf = (i: number) =>
      [kills[i]!.at, kills[i + 1]?.at ?? Number.POSITIVE_INFINITY] as const;
    const produceGaps = kills.map((_, i) => largestGap(producer.confirmTimes, ...windowOf(i)));
    const consumeGaps = kills.map((_, i) => largestGap(handled.deliveryTimes, ...windowOf(i)));
    console.log(
      JSON.stringify({
        confirmed: producer.confirmed.size,
        failovers,
        kills,
        produceGaps,
        consumeGaps,
        dropped,
      }),
    );
    expect(handled.missing(producer.confirmed.keys())).toEqual([]);
    expect(handled.duplicates).toBe(0);
    expect(producer.failures).toBe(0);
    expect(failovers.filter((f) => f.client === 'producer').length).toBeGreaterThanOrEqual(KILLS);
    expect(failovers.filter((f) => f.client === 'consumer').length).toBeGreaterThanOrEqual(KILLS);
    // Deliveries continued after the last kill: the subscription survived every failover.
    expect(handled.deliveryTimes.at(-1)!).toBeGreaterThan(kills.at(-1)!.at);
  });
});
