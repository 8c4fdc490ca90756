/**
 * Consumer benchmark on a real broker: throughput of a queue subscription whose handler does
 * 1 ms of asynchronous work (and, in client-individual mode, awaits `ack()`), auto and
 * client-individual, with concurrency 1 and 16; and the client's memory per
 * 10 000 messages buffered (prefetch 10 000, handler blocked). Figures on a shared machine are
 * indicative. Run: `pnpm bench:consumer [--messages 3000]`.
 */
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createClient, type HaClient } from '@activemq-ha/client';
import { startBrokerGroup } from '@activemq-ha/testkit';
import { waitFor } from '../test/traffic.js';
import { markdownTable } from './markdown-table.js';

const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: '3000' },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});
if (args.help) {
  console.log('usage: consumer.bench.ts [--messages N]');
  process.exit(0);
}
const MESSAGES = Number(args.messages);
if (!Number.isInteger(MESSAGES) || MESSAGES < 1) {
  console.error('--messages must be a positive integer');
  process.exit(2);
}
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const PAYLOAD = 'x'.repeat(256);

const group = await startBrokerGroup({ size: 1, protocols: ['stomp'] });
const clients: HaClient[] = [];
try {
  const b = group.brokers[0]!;
  const client = () => {
    const c = createClient({
      discovery: `stomp://${b.host}:${b.ports.stomp}`,
      outboxSize: 2000,
      outboxOverflow: 'wait',
    });
    c.on('error', () => {});
    clients.push(c);
    return c;
  };
  const producer = client();
  const fill = (queue: string, n: number) =>
    Promise.all(Array.from({ length: n }, () => producer.send(queue, PAYLOAD)));

  const rows: string[][] = [];
  for (const ack of ['auto', 'client-individual'] as const) {
    for (const concurrency of [1, 16]) {
      const queue = `/queue/bench-${ack}-c${concurrency}`;
      await fill(queue, MESSAGES);
      const consumer = client();
      await consumer.whenConnected();
      let done = 0;
      const start = performance.now();
      const sub = await consumer.subscribe(
        queue,
        async (message) => {
          await new Promise((r) => setTimeout(r, 1));
          // As an application does (and testkit's Traffic): the handler awaits its ack.
          if (ack === 'client-individual') await message.ack();
          done++;
        },
        { concurrency, ack },
      );
      await waitFor(() => done >= MESSAGES, 600_000, 'every message handled');
      const seconds = (performance.now() - start) / 1000;
      rows.push([ack, String(concurrency), String(MESSAGES), (MESSAGES / seconds).toFixed(0)]);
      await sub.unsubscribe();
    }
  }
  console.log(
    markdownTable(['ack', 'concurrency', 'messages', 'handled/s (1 ms async handler)'], rows),
  );

  // A topic: a queue pages only `maxPageSize` (200) messages in for dispatch while none is
  // acknowledged, so a blocked consumer's buffer could never hold 10 000 of them.
  const BUFFERED = 10_000;
  const topic = '/topic/bench-memory';
  const consumer = client();
  await consumer.whenConnected();
  let release: () => void = () => {};
  const blocked = new Promise<void>((r) => {
    release = r;
  });
  const sub = await consumer.subscribe(topic, () => blocked, { prefetch: BUFFERED + 10 });
  gc();
  const before = process.memoryUsage();
  await fill(topic, BUFFERED);
  await waitFor(() => sub.buffered >= BUFFERED - 1, 120_000, 'the buffer to fill');
  gc();
  const after = process.memoryUsage();
  const mib = (n: number) => (n / 1024 / 1024).toFixed(1);
  console.log(
    markdownTable(
      ['buffered messages (256 B bodies)', 'heap delta MiB', 'external delta MiB', 'rss delta MiB'],
      [
        [
          String(sub.buffered),
          mib(after.heapUsed - before.heapUsed),
          mib(after.external + after.arrayBuffers - before.external - before.arrayBuffers),
          mib(after.rss - before.rss),
        ],
      ],
    ),
  );
  release();
} finally {
  await Promise.all(clients.map((c) => c.close({ timeoutMs: 2000 })));
  await group.stop();
}
