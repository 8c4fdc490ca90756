/**
 * What ActiveMQ itself produces, against real brokers (issue 11): JMS properties as big STOMP
 * headers, a frame over the broker's own limit, a durable subscription across failovers, a slow
 * handler across a failover with dedupe, and 10 000 auto-mode messages with a bounded buffer.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createClient, type HaClient, type ReceivedMessage, servers } from '@activemq-ha/client';
import {
  type BrokerGroup,
  locateActivemq,
  locateJava,
  startBrokerGroup,
} from '@activemq-ha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Producer, Receiver, waitFor } from './traffic.js';

const run = promisify(execFile);
const JMS_PRODUCER = fileURLToPath(new URL('./jms/JmsPropertyProducer.java', import.meta.url));

/**
 * The producer's source for the JMS API in `lib`: ActiveMQ 6 is on Jakarta Messaging
 * (`jakarta.jms`), 5.x on `javax.jms`; the program is the same either way.
 */
async function jmsProducerFor(lib: string): Promise<string> {
  if (!(await readdir(lib)).some((f) => f.startsWith('jakarta.jms'))) return JMS_PRODUCER;
  const dir = await mkdtemp(join(tmpdir(), 'amqha-jms-'));
  const file = join(dir, 'JmsPropertyProducer.java');
  await writeFile(
    file,
    (await readFile(JMS_PRODUCER, 'utf8')).replaceAll('javax.jms', 'jakarta.jms'),
  );
  return file;
}

describe('ActiveMQ as it really behaves', () => {
  let group: BrokerGroup<'stomp' | 'openwire'> | undefined;
  const clients: HaClient[] = [];
  const client = (options: Record<string, unknown> = {}) => {
    const c = createClient({
      discovery: servers(group!.brokers.map((b) => `stomp://${b.host}:${b.ports.stomp}`)),
      heartBeatMs: 1000,
      outboxOverflow: 'wait',
      ...options,
    });
    c.on('error', () => {});
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    group = await startBrokerGroup({
      size: 2,
      protocols: ['stomp', 'openwire'],
      lockAcquireSleepIntervalMs: 1000,
      lockKeepAlivePeriodMs: 500,
    });
  });

  afterAll(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close({ timeoutMs: 0 })));
    await group?.stop();
  });

  async function failover() {
    const g = group!;
    const result = await g.failover('SIGKILL', { timeoutMs: 60_000 });
    await g.restart(result.from.id);
    await g.waitForSlave(result.from.id, { timeoutMs: 60_000 });
    return result;
  }

  it('takes a 5 KB JMS property and 200 more from ActiveMQ’s own JMS producer', async ({
    onTestFailed,
  }) => {
    onTestFailed(() => group!.dumpLogs());
    const consumer = client();
    const got = new Promise<ReceivedMessage>((resolve) => {
      void consumer.subscribe('/queue/it-jms-props', (m) => resolve(m));
    });
    const active = (await group!.active())!;
    const lib = join(locateActivemq().home, 'lib');
    await run(
      locateJava(),
      [
        '-cp',
        `${lib}/*`,
        await jmsProducerFor(lib),
        `tcp://${active.host}:${active.ports.openwire}`,
        'it-jms-props',
        String(5 * 1024),
        '200',
      ],
      { timeout: 60_000 },
    );
    const m = await got;
    expect(m.headers.bigProperty).toHaveLength(5 * 1024);
    expect(m.headers.prop199).toBe('199');
    expect(m.text()).toBe('from jms');
  });

  it('a header over ActiveMQ’s 10 KB: the broker closes the connection, only that send fails', async () => {
    // The client's own check would refuse it before writing; raise it to see the broker's.
    const producer = client({ frameLimits: { maxHeaderLineBytes: 64 * 1024 } });
    let connections = 0;
    producer.on('connected', () => connections++);
    await producer.whenConnected();
    const poison = producer.send('/queue/it-poison', 'x', { big: 'b'.repeat(12 * 1024) });
    const fine = producer.send('/queue/it-poison', 'fine');
    await expect(poison).rejects.toMatchObject({ code: 'SEND_REJECTED' });
    await expect(fine).resolves.toBeDefined();
    await producer.send('/queue/it-poison', 'after');
    expect(connections).toBeLessThanOrEqual(4);
  });

  it('keeps a durable subscription across 3 failovers: nothing published meanwhile is lost', async ({
    onTestFailed,
  }) => {
    onTestFailed(() => group!.dumpLogs());
    const topic = '/topic/it-durable';
    const consumer = client({ clientId: 'it-durable-consumer' });
    const handled = new Receiver();
    const sub = await consumer.subscribe(topic, (m) => void handled.record(m.id), {
      durable: 'audit',
      dedupe: { window: 100_000 },
    });
    const producerClient = client();
    const producer = new Producer(async () => {
      const { messageId } = await producerClient.send(topic, 'event', { persistent: 'true' });
      return messageId;
    }, 4);
    producer.start();
    for (let k = 0; k < 3; k++) {
      const before = producer.confirmed.size;
      await waitFor(() => producer.confirmed.size >= before + 100, 60_000, 'traffic before a kill');
      await failover();
    }
    const after = producer.confirmed.size;
    await waitFor(() => producer.confirmed.size >= after + 100, 60_000, 'traffic after the kills');
    await producer.stop();
    await waitFor(
      () => handled.missing(producer.confirmed.keys()).length === 0,
      60_000,
      'every confirmed event to reach the durable subscriber',
    );
    expect(handled.duplicates).toBe(0);
    await consumer.whenConnected();
    await sub.unsubscribe({ durable: true });
  });

  it('a 500 ms handler across a failover with dedupe runs once per message', async ({
    onTestFailed,
  }) => {
    onTestFailed(() => group!.dumpLogs());
    const queue = '/queue/it-slow';
    const consumer = client();
    const calls = new Map<string, number>();
    let started = 0;
    await consumer.subscribe(
      queue,
      async (m) => {
        calls.set(m.id, (calls.get(m.id) ?? 0) + 1);
        started++;
        await new Promise((r) => setTimeout(r, 500));
        await m.ack();
      },
      { ack: 'client-individual', dedupe: true, prefetch: 10 },
    );
    const producer = client();
    const ids = await Promise.all(
      Array.from(
        { length: 6 },
        async (_, i) => (await producer.send(queue, `slow ${i}`)).messageId,
      ),
    );
    await waitFor(() => started >= 1, 30_000, 'the first handler call');
    await failover();
    await waitFor(() => ids.every((id) => calls.has(id)), 60_000, 'every message handled');
    await consumer.whenConnected();
    // Let the redeliveries that follow the failover arrive and be dropped.
    await waitFor(() => started === ids.length, 30_000, 'handler calls to settle');
    expect([...calls.values()].every((n) => n === 1)).toBe(true);
  });

  it('10 000 auto-mode messages with concurrency 1: in order, the buffer never above prefetch', async () => {
    const queue = '/queue/it-flow';
    const total = 10_000;
    const producer = client({ outboxSize: 2000 });
    await Promise.all(Array.from({ length: total }, (_, i) => producer.send(queue, String(i))));
    const consumer = client();
    const seen: number[] = [];
    let maxBuffered = 0;
    let running = 0;
    let maxRunning = 0;
    const done = new Promise<void>((resolve) => {
      void consumer
        .subscribe(
          queue,
          async (m) => {
            running++;
            maxRunning = Math.max(maxRunning, running);
            await new Promise((r) => setImmediate(r));
            seen.push(Number(m.text()));
            running--;
            maxBuffered = Math.max(maxBuffered, sub?.buffered ?? 0);
            if (seen.length === total) resolve();
          },
          { prefetch: 200 },
        )
        .then((s) => {
          sub = s;
        });
    });
    let sub: { buffered: number } | undefined;
    await done;
    expect(maxRunning).toBe(1);
    expect(maxBuffered).toBeLessThanOrEqual(200);
    expect(seen).toEqual([...Array(total).keys()]);
  });
});
