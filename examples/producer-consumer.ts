/**
 * A producer and a consumer on @activemq-ha/client, across a failover.
 *
 *   npx tsx examples/producer-consumer.ts                       # starts 2 local brokers for you
 *   npx tsx examples/producer-consumer.ts --servers 'failover:(stomp://mq-a:61613,stomp://mq-b:61613)'
 *
 * With no --servers it starts a real 2-broker shared-store group, sends while SIGKILLing the active
 * broker once, and shows that every confirmed message arrived exactly once at the handler.
 * In a cluster, use `kubernetes({ namespace, service: 'activemq' })` as the discovery instead.
 */
import { parseArgs } from 'node:util';
import { createClient } from '@activemq-ha/client';
import { type BrokerGroup, startBrokerGroup } from '@activemq-ha/testkit';

const { values } = parseArgs({
  options: {
    servers: { type: 'string' },
    messages: { type: 'string', default: '500' },
    queue: { type: 'string', default: '/queue/example' },
  },
});
const total = Number(values.messages);
if (!Number.isInteger(total) || total < 1) {
  console.error(`--messages must be a positive integer, got "${values.messages}"`);
  process.exit(2);
}

let group: BrokerGroup<'openwire' | 'stomp'> | undefined;
let discovery = values.servers;
if (!discovery) {
  group = await startBrokerGroup({ size: 2 });
  discovery = `failover:(${group.brokers.map((b) => `stomp://${b.host}:${b.ports.stomp}`).join(',')})`;
  console.log(`started 2 brokers sharing one KahaDB: ${discovery}`);
}

const producer = createClient({ discovery });
const consumer = createClient({ discovery });
for (const [name, client] of [
  ['producer', producer],
  ['consumer', consumer],
] as const) {
  client.on('failover', (f) =>
    console.log(
      `${name}: failover ${f.from.port} → ${f.to.port} after ${f.outageMs} ms, re-sent ${f.resent}`,
    ),
  );
}

try {
  const received = new Set<string>();
  await consumer.subscribe(
    values.queue,
    async (message) => {
      received.add(message.id);
      await message.ack();
    },
    { ack: 'client-individual', dedupe: true },
  );
  const confirmed: string[] = [];
  for (let i = 0; i < total; i++) {
    if (group && i === Math.floor(total / 2)) {
      const { from, to, takeoverMs } = await group.failover('SIGKILL');
      console.log(`killed ${from.id}; ${to.id} took over in ${Math.round(takeoverMs)} ms`);
    }
    const { messageId } = await producer.send(values.queue, `message ${i}`);
    confirmed.push(messageId);
  }
  const deadline = Date.now() + 15_000;
  while (confirmed.some((id) => !received.has(id)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const lost = confirmed.filter((id) => !received.has(id)).length;
  console.log(
    `sent and confirmed ${confirmed.length}, received ${received.size} distinct, lost ${lost}`,
  );
  process.exitCode = lost === 0 ? 0 : 1;
} finally {
  await Promise.allSettled([producer.close(), consumer.close()]);
  await group?.stop();
}
