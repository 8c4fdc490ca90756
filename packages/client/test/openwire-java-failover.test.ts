import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  createClient,
  type HaClient,
  JavaShort,
  type PropertyValue,
  type ReceivedMessage,
} from '@activemq-ha/client';
import { type BrokerGroup, inbox, locateJava, startBrokerGroup } from '@activemq-ha/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import {
  activemqClasspath,
  JAVA_PROPERTIES,
  JAVA_PROPERTIES_PRINTED,
  javaProgram,
} from '../../openwire/test/java-peer.js';
import { nextEvent, waitFor } from './traffic.js';

/**
 * Across a SIGKILL of the active broker of a real shared-store pair: a pull consumer's
 * `receive()` under way, and ActiveMQ's own Java JMS client (its failover transport) as the
 * peer in both directions — Text, Bytes and Map messages with every property type, priority,
 * TTL, correlation id, reply-to and type — each confirmed message received exactly once with
 * its types intact.
 */
let group: BrokerGroup<'openwire'>;
let work: string;
let uri: string;
const clients: HaClient[] = [];
const peers: ChildProcess[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'openwire-java-failover-'));
  await javaProgram('InteropFailoverPeer', join(work, 'classes'));
  group = await startBrokerGroup({
    size: 2,
    protocols: ['openwire'],
    lockAcquireSleepIntervalMs: 1000,
    lockKeepAlivePeriodMs: 500,
  });
  const [a, b] = group.brokers;
  uri = `failover:(tcp://${a!.host}:${a!.ports.openwire},tcp://${b!.host}:${b!.ports.openwire})?randomize=false&initialReconnectDelay=10&maxReconnectDelay=200`;
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close({ timeoutMs: 2000 })));
  for (const p of peers.splice(0))
    if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
});
afterAll(async () => {
  await group?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

function client(): HaClient {
  const c = createClient({ discovery: uri, heartBeatMs: 1000 });
  c.on('error', () => {});
  clients.push(c);
  return c;
}

/** SIGKILLs the active broker and brings it back as the standby, for the next test. */
async function killActive(): Promise<void> {
  const { from } = await group.failover('SIGKILL', { timeoutMs: 60_000 });
  await group.restart(from.id);
  await group.waitForSlave(from.id, { timeoutMs: 60_000 });
}

/** The Java peer; `lines` gets every stdout line as it comes. */
function javaPeer(args: readonly string[]) {
  const child = spawn(
    locateJava(),
    [
      '-Xmx128m',
      '-cp',
      `${join(work, 'classes')}:${activemqClasspath()}`,
      'InteropFailoverPeer',
      ...args,
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  peers.push(child);
  const lines: string[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk) => {
    stderr = (stderr + String(chunk)).slice(-4000);
  });
  createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, lines, exited, stderr: () => stderr };
}

describe('OpenWire across a SIGKILL of the active broker', () => {
  it('a pull consumer’s receive() under way carries on on the new master', async () => {
    onTestFailed(group.dumpLogs);
    const c = client();
    const consumer = await c.pull('/queue/ow.pull');
    expect(await consumer.receive({ timeoutMs: 200 })).toBeNull();
    const { messageId } = await c.send('/queue/ow.pull', 'before');
    expect((await consumer.receive({ timeoutMs: 20_000 }))?.id).toBe(messageId);

    // Prefetch 0: a message nobody asked for waits on the broker, not in this client.
    const waiting = await c.send('/queue/ow.pull', 'waits on the broker');
    const failover = nextEvent(c, 'failover');
    const pending = consumer.receive({ timeoutMs: 120_000 });
    const first = await pending;
    expect(first?.id).toBe(waiting.messageId);

    const across = consumer.receive({ timeoutMs: 120_000 });
    await killActive();
    await failover;
    const after = await c.send('/queue/ow.pull', 'after the failover');
    // The ACK of 'waits on the broker' went without a receipt (as Java's): if the old master had
    // not stored it, the new one redelivers that message first — at least once, never lost. Its
    // redelivered flag is not asserted: a master that died knew of the dispatch only in memory, so
    // the new one recovers it with redeliveryCounter 0 unless the destination policy sets
    // persistJMSRedelivered (off by default). Seen in a CI rehearsal.
    let got = await across;
    if (got?.id === waiting.messageId) got = await consumer.receive({ timeoutMs: 60_000 });
    expect(got?.id).toBe(after.messageId);
    expect(await consumer.receive({ timeoutMs: 300 })).toBeNull();
    await consumer.close();
  });

  it('Java → this client: everything the Java failover client confirmed arrives once, types intact', async () => {
    onTestFailed(group.dumpLogs);
    const count = 150;
    const c = client();
    const box = inbox<ReceivedMessage>();
    await c.subscribe('/queue/ow.j2n.failover', box.handler, { dedupe: true });
    const java = javaPeer(['produce', uri, 'ow.j2n.failover', String(count)]);
    const confirmed = () => java.lines.filter((l) => l.startsWith('P '));
    await waitFor(() => confirmed().length >= 30, 60_000, 'the Java producer under way');
    await killActive();
    expect(await java.exited, java.stderr()).toBe(0);
    expect(java.lines.at(-1)).toBe('DONE');

    const ids = new Map(confirmed().map((l) => [l.split(' ')[2]!, Number(l.split(' ')[1])]));
    expect(ids.size).toBe(count);
    await waitFor(
      () => [...ids.keys()].every((id) => box.received.some((m) => m.brokerMessageId === id)),
      60_000,
      'every confirmed Java message',
    );
    const seen = new Map<string, number>();
    for (const m of box.received)
      seen.set(m.brokerMessageId, (seen.get(m.brokerMessageId) ?? 0) + 1);
    expect(
      [...seen.values()].filter((n) => n > 1),
      'handed over twice',
    ).toEqual([]);
    for (const m of box.received) {
      const n = ids.get(m.brokerMessageId)!;
      expect(m.properties.get('n')).toBe(n);
      expect(new Map([...m.properties].filter(([k]) => k.startsWith('p')))).toEqual(
        JAVA_PROPERTIES,
      );
      expect(m.headers).toMatchObject({
        priority: String(n % 10),
        'correlation-id': `corr-${n}`,
        'reply-to': '/queue/interop.reply',
        type: 'interop',
        persistent: 'true',
      });
      expect(Number(m.headers.expires) - Number(m.headers.timestamp)).toBe(600_000);
      if (n % 3 === 0) expect(m.text()).toBe(`text ${n} ✓`);
      else if (n % 3 === 1) expect(m.body).toEqual(Buffer.from([n & 0xff, 0, 254]));
      else {
        expect(m.map).toEqual(
          new Map<string, PropertyValue>([
            ['n', n],
            ['l', 1n << 40n],
            ['s', new JavaShort(300)],
            ['t', 'täxt'],
          ]),
        );
      }
    }
  });

  it('this client → Java: everything confirmed across the failover arrives once at the Java failover client, types intact', async () => {
    onTestFailed(group.dumpLogs);
    const count = 150;
    const java = javaPeer(['consume', uri, 'ow.n2j.failover']);
    await waitFor(() => java.lines.includes('READY'), 60_000, 'the Java consumer');
    const c = client();
    const properties = new Map<string, PropertyValue>([...JAVA_PROPERTIES]);
    const sent = new Map<string, number>();
    const sending = (async () => {
      for (let n = 0; n < count; n++) {
        const body =
          n % 3 === 0
            ? `text ${n} ✓`
            : n % 3 === 1
              ? Buffer.from([n & 0xff, 0, 254])
              : new Map<string, PropertyValue>([
                  ['n', n],
                  ['s', new JavaShort(300)],
                ]);
        const { messageId } = await c.send(
          '/queue/ow.n2j.failover',
          body,
          {
            priority: n % 10,
            'correlation-id': `corr-${n}`,
            'reply-to': '/queue/interop.reply',
            type: 'interop',
            expires: Date.now() + 600_000,
          },
          { properties },
        );
        sent.set(messageId, n);
      }
    })();
    await waitFor(() => sent.size >= 30, 60_000, 'our producer under way');
    await killActive();
    await sending;
    const received = () => java.lines.filter((l) => l.startsWith('R '));
    await waitFor(
      () => new Set(received().map((l) => l.split('|').at(-1))).size >= count,
      60_000,
      'every confirmed message at the Java consumer',
    );
    java.child.stdin!.end();
    expect(await java.exited, java.stderr()).toBe(0);
    const byId = new Map<string, string[]>();
    for (const line of received()) {
      const id = line.split('|').at(-1)!;
      byId.set(id, [...(byId.get(id) ?? []), line]);
    }
    expect(new Set(byId.keys())).toEqual(new Set(sent.keys()));
    expect(
      [...byId.values()].filter((l) => l.length > 1),
      'delivered twice',
    ).toEqual([]);
    for (const [id, [line]] of byId) {
      const n = sent.get(id)!;
      const [body, props, priority, ttl, correlation, replyTo, type, mode] = line!
        .slice(2)
        .split('|');
      const expected =
        n % 3 === 0
          ? `text:text ${n} ✓`
          : n % 3 === 1
            ? `bytes:${(n & 0xff).toString(16).padStart(2, '0')}00fe`
            : `map:n=Integer:${n},s=Short:300,`;
      expect(body).toBe(expected);
      // Sorted by name, as JmsPeer.describe prints them.
      expect(props).toBe(`ha-message-id=String:${id},${JAVA_PROPERTIES_PRINTED}`);
      expect([priority, ttl, correlation, replyTo, type, mode]).toEqual([
        String(n % 10),
        'ttl',
        `corr-${n}`,
        'queue://interop.reply',
        'interop',
        'persistent',
      ]);
    }
  });
});
