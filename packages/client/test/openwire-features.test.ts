import {
  createClient,
  type HaClient,
  type HaClientError,
  type HaClientOptions,
  JavaShort,
  type PropertyValue,
  type ReceivedMessage,
} from '@activemq-ha/client';
import { type ConsumerInfo, encodeTextBody } from '@activemq-ha/openwire';
import {
  allocatePorts,
  type BrokerGroup,
  createTestCertificate,
  inbox,
  type OpenWireScript,
  type ScriptedOpenWireBroker,
  startBrokerGroup,
  startScriptedOpenWireBroker,
  type TestCertificate,
} from '@activemq-ha/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { nextEvent, waitFor } from './traffic.js';

/**
 * What JMS users want of OpenWire beyond send and subscribe, on one real broker (ActiveMQ 6.1.8
 * by default) with a plain and a TLS connector: the broker's reconnect hints (dialled, with the
 * hinting broker scripted, since a broker sends them only in a network of brokers), exclusive
 * consumers, message groups, advisory topics, typed properties and Map bodies in transactions,
 * and `ssl://` with certificate verification.
 */
const KEYSTORE_PASSWORD = 'keystore-pw-0123456789';
let certificate: TestCertificate;
let otherCa: TestCertificate;
let group: BrokerGroup<'openwire' | 'openwire-tls'>;
let port: number;
let tlsPort: number;
const clients: HaClient[] = [];
const scripted: ScriptedOpenWireBroker[] = [];

beforeAll(async () => {
  certificate = await createTestCertificate({ keystorePassword: KEYSTORE_PASSWORD });
  otherCa = await createTestCertificate({ keystorePassword: 'unused-0123456789' });
  group = await startBrokerGroup({
    size: 1,
    protocols: ['openwire', 'openwire-tls'],
    config: {
      tls: { keyStorePath: certificate.keystorePath, keyStorePassword: KEYSTORE_PASSWORD },
    },
  });
  const active = (await group.active())!;
  port = active.ports.openwire;
  tlsPort = active.ports['openwire-tls'];
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close({ timeoutMs: 1000 })));
  await Promise.all(scripted.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await group?.stop();
  await certificate?.[Symbol.asyncDispose]();
  await otherCa?.[Symbol.asyncDispose]();
});

const real = () => `tcp://127.0.0.1:${port}`;

function client(discovery: string, options: Partial<HaClientOptions> = {}): HaClient {
  const c = createClient({ discovery, heartBeatMs: 1000, ...options });
  c.on('error', () => {});
  clients.push(c);
  return c;
}

async function scriptedBroker(script: OpenWireScript): Promise<ScriptedOpenWireBroker> {
  const broker = await startScriptedOpenWireBroker({ script });
  scripted.push(broker);
  return broker;
}

describe('the broker’s reconnect hints (ConnectionControl) with a real broker as the target', () => {
  it('dials the reconnectTo address: unanswered sends are written there, nothing confirmed is lost, and an ack for the old connection’s delivery goes nowhere', async () => {
    onTestFailed(group.dumpLogs);
    let hinted = false;
    const hinter = await scriptedBroker((command, connection, reply) => {
      if (connection !== 0) return undefined;
      if (command.type === 'ConsumerInfo') {
        // One delivery on this connection, which the handler acks only after the move.
        const info = command as ConsumerInfo;
        reply({ type: 'Response', correlationId: command.commandId });
        reply({
          type: 'MessageDispatch',
          consumerId: info.consumerId!,
          destination: info.destination!,
          redeliveryCounter: 0,
          message: {
            type: 'ActiveMQTextMessage',
            destination: info.destination!,
            messageId: {
              type: 'MessageId',
              producerId: {
                type: 'ProducerId',
                connectionId: 'ID:scripted',
                sessionId: 1n,
                value: 1n,
              },
              producerSequenceId: 1n,
              brokerSequenceId: 1n,
            },
            persistent: true,
            content: encodeTextBody('from the hinting broker'),
          },
        });
        return true;
      }
      if (command.type === 'ActiveMQTextMessage') {
        // Stored nowhere, never answered; the hint comes with the first of them.
        if (!hinted) {
          hinted = true;
          reply({ type: 'ConnectionControl', reconnectTo: real() });
        }
        return true;
      }
      return undefined;
    });
    const c = client(
      `failover:(tcp://127.0.0.1:${hinter.port})?initialReconnectDelay=10&maxReconnectDelay=50`,
    );
    const box = inbox<ReceivedMessage>();
    await c.subscribe('/queue/ow.hint.to', box.handler, { ack: 'client-individual' });
    const [stale] = await box.next(1);
    expect(stale!.text()).toBe('from the hinting broker');

    const disconnected = nextEvent(c, 'disconnected');
    const failover = nextEvent(c, 'failover');
    const sends = Array.from({ length: 10 }, (_, i) => c.send('/queue/ow.hint.to', `m${i}`));
    expect((await disconnected).reason).toBe('redirected');
    const moved = await failover;
    expect(moved.to).toMatchObject({ port, protocol: 'openwire' });
    expect(moved.resent).toBe(10);
    const ids = (await Promise.all(sends)).map((r) => r.messageId);
    expect(c.server?.port).toBe(port);

    // The ack of the first connection's delivery is not forwarded to the real broker.
    await stale!.ack();
    expect(hinter.of('MessageAck', 0)).toHaveLength(0);
    expect(hinter.connections).toHaveLength(1);

    const got = await box.next(11);
    const texts = got.slice(1).map((m) => m.text());
    expect(texts.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`).sort());
    expect(new Set(got.slice(1).map((m) => m.id))).toEqual(new Set(ids));
    for (const m of got.slice(1)) await m.ack();
  });

  it('falls back to discovery when the hinted address cannot be reached', async () => {
    const [dead] = await allocatePorts(1);
    const hinter = await scriptedBroker((command, connection, reply) => {
      if (connection === 0 && command.type === 'ProducerInfo') {
        reply({ type: 'Response', correlationId: command.commandId });
        reply({ type: 'ConnectionControl', reconnectTo: `tcp://127.0.0.1:${dead}` });
        return true;
      }
      return undefined;
    });
    const c = client(
      `failover:(tcp://127.0.0.1:${hinter.port},${real()})?randomize=false&initialReconnectDelay=10&maxReconnectDelay=50`,
    );
    const dialled: number[] = [];
    c.on('connecting', ({ server }) => dialled.push(server.port));
    const failover = nextEvent(c, 'failover');
    await c.connect();
    expect((await failover).to.port).toBe(port);
    // The hint first, then discovery's next server in the same round.
    expect(dialled.slice(1, 3)).toEqual([dead, port]);
    const box = inbox<ReceivedMessage>();
    await c.subscribe('/queue/ow.hint.fallback', box.handler);
    const { messageId } = await c.send('/queue/ow.hint.fallback', 'after the fallback');
    expect((await box.next(1))[0]!.id).toBe(messageId);
  });
});

describe('exclusive consumers, message groups and advisories on a real broker', () => {
  it('an exclusive consumer keeps the queue; the second one waits and takes over when it closes', async () => {
    const first = client(real());
    const second = client(real());
    const one = inbox<ReceivedMessage>();
    const two = inbox<ReceivedMessage>();
    const exclusive = { headers: { 'activemq.exclusive': 'true' } };
    const sub1 = await first.subscribe('/queue/ow.exclusive', one.handler, exclusive);
    await second.subscribe('/queue/ow.exclusive', two.handler, exclusive);
    for (let i = 0; i < 5; i++) await first.send('/queue/ow.exclusive', `a${i}`);
    expect((await one.next(5)).map((m) => m.text())).toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);
    expect(two.received).toHaveLength(0);
    await sub1.unsubscribe();
    for (let i = 0; i < 5; i++) await first.send('/queue/ow.exclusive', `b${i}`);
    expect((await two.next(5)).map((m) => m.text())).toEqual(['b0', 'b1', 'b2', 'b3', 'b4']);
    expect(one.received).toHaveLength(5);
  });

  it('a message group sticks to one consumer, and moves with JMSXGroupFirstForConsumer when that one closes', async () => {
    const producer = client(real());
    const consumers = [client(real()), client(real())];
    const boxes = [inbox<ReceivedMessage>(), inbox<ReceivedMessage>()];
    const subs = await Promise.all(
      consumers.map((c, i) => c.subscribe('/queue/ow.groups', boxes[i]!.handler, { prefetch: 1 })),
    );
    const groups = ['g-a', 'g-b', 'g-c', 'g-d'];
    for (let round = 0; round < 4; round++) {
      for (const g of groups) {
        await producer.send('/queue/ow.groups', `${g}/${round}`, { JMSXGroupID: g });
      }
    }
    await waitFor(
      () => boxes[0]!.received.length + boxes[1]!.received.length === 16,
      20_000,
      'all 16 grouped messages',
    );
    const owner = new Map<string, number>();
    for (const [i, box] of boxes.entries()) {
      for (const m of box.received) {
        const g = m.headers.JMSXGroupID!;
        expect(owner.get(g) ?? i, `group ${g} went to both consumers`).toBe(i);
        owner.set(g, i);
        // The broker marks the first message of a group a consumer gets.
        expect(m.headers.JMSXGroupFirstForConsumer === 'true').toBe(m.text().endsWith('/0'));
      }
    }
    expect([...owner.keys()].sort()).toEqual(groups);

    // The owner of g-a goes: the group is reassigned to the other consumer, marked first again.
    const from = owner.get('g-a')!;
    const to = 1 - from;
    await subs[from]!.unsubscribe();
    const before = boxes[to]!.received.length;
    await producer.send('/queue/ow.groups', 'g-a/moved', { JMSXGroupID: 'g-a' });
    const [moved] = (await boxes[to]!.next(before + 1)).slice(before);
    expect(moved!.text()).toBe('g-a/moved');
    expect(moved!.headers.JMSXGroupFirstForConsumer).toBe('true');
  });

  it('an advisory subscription sees a consumer start (ConsumerInfo) and stop (RemoveInfo)', async () => {
    const watcher = client(real());
    const advisories = inbox<ReceivedMessage>();
    await watcher.subscribe(
      '/topic/ActiveMQ.Advisory.Consumer.Queue.ow.advised',
      advisories.handler,
    );
    const worker = client(real());
    const sub = await worker.subscribe('/queue/ow.advised', () => {});
    const [started] = await advisories.next(1);
    expect(started!.destination).toBe('/topic/ActiveMQ.Advisory.Consumer.Queue.ow.advised');
    const info = started!.dataStructure as ConsumerInfo;
    expect(info.type).toBe('ConsumerInfo');
    expect(info.destination).toEqual({ type: 'ActiveMQQueue', physicalName: 'ow.advised' });
    expect(info.prefetchSize).toBe(1000);
    // ActiveMQ's advisory properties come typed, as Java's getIntProperty reads them.
    expect(started!.properties.get('consumerCount')).toBe(1);
    await sub.unsubscribe();
    const [, stopped] = await advisories.next(2);
    expect(stopped!.dataStructure).toMatchObject({ type: 'RemoveInfo', objectId: info.consumerId });
    expect(stopped!.properties.get('consumerCount')).toBe(0);
  });
});

describe('transactions and TLS on a real broker', () => {
  it('Transaction.send takes typed properties and Map bodies, as send does', async () => {
    const c = client(real());
    const box = inbox<ReceivedMessage>();
    await c.subscribe('/queue/ow.tx.typed', box.handler);
    const properties = new Map<string, PropertyValue>([
      ['short', new JavaShort(7)],
      ['long', 2n ** 60n],
      ['flag', false],
    ]);
    const tx = await c.begin();
    const text = await tx.send('/queue/ow.tx.typed', 'typed', { region: 'eu' }, { properties });
    const map = await tx.send(
      '/queue/ow.tx.typed',
      new Map<string, PropertyValue>([
        ['n', 42],
        ['big', 2n ** 40n],
      ]),
      {},
      { properties },
    );
    await tx.commit();
    const [first, second] = await box.next(2);
    expect(first!.id).toBe(text.messageId);
    expect(second!.id).toBe(map.messageId);
    for (const m of [first!, second!]) {
      expect(m.properties.get('short')).toEqual(new JavaShort(7));
      expect(m.properties.get('long')).toBe(2n ** 60n);
      expect(m.properties.get('flag')).toBe(false);
    }
    expect(first!.headers.region).toBe('eu');
    expect(second!.map).toEqual(
      new Map<string, PropertyValue>([
        ['n', 42],
        ['big', 2n ** 40n],
      ]),
    );
  });

  it('ssl:// verifies the broker’s certificate against the given CA and talks OpenWire over it', async () => {
    const c = client(`ssl://localhost:${tlsPort}`, {
      tls: { ca: certificate.certPem },
      // The first TLS handshakes of a cold JVM take long on a loaded machine.
      connectTimeoutMs: 20_000,
    });
    await c.connect();
    expect(c.server).toMatchObject({ tls: true, protocol: 'openwire', port: tlsPort });
    const box = inbox<ReceivedMessage>();
    await c.subscribe('/queue/ow.tls', box.handler);
    const { messageId } = await c.send(
      '/queue/ow.tls',
      'over TLS',
      {},
      {
        properties: new Map([['short', new JavaShort(3)]]),
      },
    );
    const [m] = await box.next(1);
    expect(m!.id).toBe(messageId);
    expect(m!.properties.get('short')).toEqual(new JavaShort(3));
  });

  it.each([
    [
      'a CA that did not sign the certificate',
      'localhost',
      () => otherCa.certPem,
      /self[- ]signed/,
    ],
    [
      'a host name the certificate does not name',
      '127.0.0.1',
      () => certificate.certPem,
      /ERR_TLS_CERT_ALTNAME_INVALID/,
    ],
  ])('refuses %s with TLS_FAILED and never connects', async (_, host, ca, why) => {
    const c = client(`ssl://${host}:${tlsPort}`, { tls: { ca: ca() }, connectTimeoutMs: 20_000 });
    const failed = new Promise<HaClientError>((resolve) =>
      c.on('error', (error) => {
        if (error.code === 'TLS_FAILED') resolve(error);
      }),
    );
    const error = await failed;
    expect(error.message).toMatch(why);
    expect(c.state.type).not.toBe('connected');
    expect(c.server).toBeUndefined();
  });
});
