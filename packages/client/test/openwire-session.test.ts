import { createClient, type HaClient, type ReceivedMessage } from '@activemq-ha/client';
import { JavaShort, OpenWireConnection, type PropertyValue } from '@activemq-ha/openwire';
import { type BrokerGroup, inbox, startBrokerGroup } from '@activemq-ha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The HA client over OpenWire (`tcp://`) against one real broker: the session's translation. */
let group: BrokerGroup<'openwire'>;
let url: string;
let port: number;
const clients: HaClient[] = [];

beforeAll(async () => {
  group = await startBrokerGroup({ size: 1, protocols: ['openwire'] });
  const active = (await group.active())!;
  port = active.ports.openwire;
  url = `tcp://${active.host}:${port}`;
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close({ timeoutMs: 0 })));
  await group?.stop();
});

function client(options: Partial<Parameters<typeof createClient>[0]> = {}): HaClient {
  const c = createClient({ discovery: url, heartBeatMs: 1000, ...options });
  clients.push(c);
  return c;
}

describe('HaClient over OpenWire (tcp://) on a real broker', () => {
  it('sends confirmed messages and consumes them with their headers, ids and typed properties', async ({
    onTestFailed,
  }) => {
    onTestFailed(() => group.dumpLogs());
    const c = client();
    await c.connect();
    expect(c.server).toMatchObject({ protocol: 'openwire', port });
    const sent = await c.send('/queue/ow.ha.basic', 'hello', {
      'correlation-id': 'c-1',
      priority: 7,
      type: 'greeting',
      region: 'eu',
    });
    await c.send('/queue/ow.ha.basic', Buffer.from([1, 2, 3]));
    const box = inbox<ReceivedMessage>();
    await c.subscribe('/queue/ow.ha.basic', box.handler);
    const [text, bytes] = await box.next(2);
    expect(text!.text()).toBe('hello');
    expect(text!.id).toBe(sent.messageId);
    expect(text!.headers).toMatchObject({
      destination: '/queue/ow.ha.basic',
      'correlation-id': 'c-1',
      priority: '7',
      type: 'greeting',
      region: 'eu',
      persistent: 'true',
      redelivered: 'false',
    });
    expect(text!.brokerMessageId).toMatch(/^ID:.*:1:1:\d+$/);
    expect(bytes!.body).toEqual(Buffer.from([1, 2, 3]));
  });

  it('keeps Java property types from a plain OpenWire producer', async () => {
    await using raw = await OpenWireConnection.connect({ port });
    await raw.send(
      { type: 'ActiveMQQueue', physicalName: 'ow.ha.typed' },
      { map: new Map<string, PropertyValue>([['k', 1n]]) },
      {
        properties: new Map<string, PropertyValue>([
          ['short', new JavaShort(5)],
          ['long', 9007199254740993n],
          ['flag', true],
        ]),
      },
    );
    const c = client();
    const box = inbox<ReceivedMessage>();
    await c.subscribe('/queue/ow.ha.typed', box.handler);
    const [m] = await box.next(1);
    expect(m!.properties.get('short')).toEqual(new JavaShort(5));
    expect(m!.properties.get('long')).toBe(9007199254740993n);
    expect(m!.headers.long).toBe('9007199254740993');
    expect(m!.map?.get('k')).toBe(1n);
    expect(m!.json()).toEqual({ k: '1' });
  });

  it('client-individual acks, NACK dead-letters, selectors, and local transactions', async () => {
    const c = client();
    const box = inbox<ReceivedMessage>();
    await c.subscribe('/queue/ow.ha.acks', box.handler, {
      ack: 'client-individual',
      selector: "keep = 'yes'",
    });
    await c.send('/queue/ow.ha.acks', 'skip', { keep: 'no' });
    await c.send('/queue/ow.ha.acks', 'one', { keep: 'yes' });
    await c.send('/queue/ow.ha.acks', 'two', { keep: 'yes' });
    const [one, two] = await box.next(2);
    expect([one!.text(), two!.text()]).toEqual(['one', 'two']);
    await one!.ack();
    await two!.nack();
    const dlq = inbox<ReceivedMessage>();
    await c.subscribe('/queue/ActiveMQ.DLQ', dlq.handler);
    const [dead] = await dlq.next(1);
    expect(dead!.text()).toBe('two');

    const tx = await c.begin();
    await tx.send('/queue/ow.ha.tx', 'rolled back');
    await tx.abort();
    const tx2 = await c.begin();
    await tx2.send('/queue/ow.ha.tx', 'committed');
    await tx2.commit();
    const txBox = inbox<ReceivedMessage>();
    await c.subscribe('/queue/ow.ha.tx', txBox.handler);
    const [committed] = await txBox.next(1);
    expect(committed!.text()).toBe('committed');
  });

  it('request/reply over a temporary queue of the client', async () => {
    const responder = client();
    await responder.subscribe('/queue/ow.ha.service', async (m) => {
      await responder.send(m.headers['reply-to']!, `re: ${m.text()}`, {
        'correlation-id': m.headers['correlation-id']!,
      });
    });
    const requester = client();
    const replies = inbox<ReceivedMessage>();
    await requester.subscribe('/temp-queue/replies', replies.handler);
    await requester.send('/queue/ow.ha.service', 'ping', {
      'reply-to': '/temp-queue/replies',
      'correlation-id': 'r-1',
    });
    const [reply] = await replies.next(1);
    expect(reply!.text()).toBe('re: ping');
    expect(reply!.headers).toMatchObject({
      'correlation-id': 'r-1',
      destination: '/temp-queue/replies',
    });
  });

  it('refuses a duplicate client id and bad credentials the OpenWire way', async () => {
    const a = client({ clientId: 'ow-ha-dup' });
    await a.connect();
    const b = createClient({
      discovery: url,
      clientId: 'ow-ha-dup',
      reconnect: { maxRounds: 1 },
    });
    clients.push(b);
    const error = await new Promise<Error>((resolve) => b.on('error', resolve));
    expect(error).toMatchObject({ code: 'CLIENT_ID_IN_USE' });
  });
});
