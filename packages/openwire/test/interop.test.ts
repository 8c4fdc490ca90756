import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Destination,
  JavaByte,
  JavaChar,
  JavaDouble,
  JavaFloat,
  JavaShort,
  OpenWireConnection,
  type PropertyValue,
  type ReceivedMessage,
} from '@activemq-ha/openwire';
import { type BrokerGroup, startBrokerGroup } from '@activemq-ha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JAVA_PROPERTIES, JAVA_PROPERTIES_PRINTED, javaProgram } from './java-peer.js';

let group: BrokerGroup<'openwire'>;
let url: string;
let port: number;
let work: string;
let java: Awaited<ReturnType<typeof javaProgram>>;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'openwire-interop-'));
  java = await javaProgram('JmsPeer', join(work, 'classes'));
  group = await startBrokerGroup({ size: 1, protocols: ['openwire'] });
  port = (await group.active())!.ports.openwire;
  url = `tcp://127.0.0.1:${port}`;
});
afterAll(async () => {
  await group?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const queue = (name: string): Destination => ({ type: 'ActiveMQQueue', physicalName: name });

describe('interop with the ActiveMQ Java JMS client', () => {
  it('Java sends Text, Bytes and Map with every property type; this client reads them all', async () => {
    await java(['send', url, 'interop.j2n']);
    await using conn = await OpenWireConnection.connect({ port });
    const received: ReceivedMessage[] = [];
    const all = new Promise<void>((resolve) => {
      void conn.subscribe(queue('interop.j2n'), (m) => {
        received.push(m);
        if (received.length === 3) resolve();
      });
    });
    await all;
    const byType = (t: string) => received.find((m) => m.message.type === t)!;
    const text = byType('ActiveMQTextMessage');
    expect(text.text).toBe('from java ✓');
    for (const m of received)
      expect(new Map([...m.properties].filter(([k]) => k.startsWith('p')))).toEqual(
        JAVA_PROPERTIES,
      );
    expect(text.message).toMatchObject({
      priority: 7,
      correlationId: 'corr-j',
      jmsType: 'java-type',
      persistent: true,
      replyTo: { type: 'ActiveMQQueue', physicalName: 'reply.q' },
    });
    expect(text.message.expiration - text.message.timestamp).toBe(60_000n);
    expect(byType('ActiveMQBytesMessage').bytes).toEqual(Uint8Array.from([1, 2, 254]));
    expect(byType('ActiveMQBytesMessage').message.persistent).toBe(false);
    expect(byType('ActiveMQMapMessage').map).toEqual(
      new Map<string, PropertyValue>([
        ['b', true],
        ['y', new JavaByte(-1)],
        ['c', new JavaChar('x')],
        ['s', new JavaShort(300)],
        ['i', 70000],
        ['l', 1n << 40n],
        ['f', new JavaFloat(0.5)],
        ['d', new JavaDouble(-2.25)],
        ['t', 'täxt'],
        ['a', Uint8Array.from([5, 6])],
      ]),
    );
  });

  it('this client sends Text, Bytes and Map; Java reads them with a selector', async () => {
    {
      await using conn = await OpenWireConnection.connect({ port });
      const common = new Map([...JAVA_PROPERTIES, ['route', 'java']]);
      await conn.send(
        queue('interop.n2j'),
        { text: 'skipped by the selector' },
        {
          properties: new Map([['route', 'elsewhere']]),
        },
      );
      await conn.send(
        queue('interop.n2j'),
        { text: 'from node ✓' },
        {
          properties: common,
          priority: 8,
          timeToLiveMs: 60_000,
          correlationId: 'corr-n',
          replyTo: queue('reply.n'),
          type: 'node-type',
        },
      );
      await conn.send(
        queue('interop.n2j'),
        { bytes: Uint8Array.from([0, 255]) },
        {
          properties: common,
          persistent: false,
        },
      );
      await conn.send(
        queue('interop.n2j'),
        {
          map: new Map<string, PropertyValue>([
            ['i', 1],
            ['l', 2n],
            ['s', 'str'],
            ['f', new JavaFloat(1.5)],
            ['a', Uint8Array.from([1])],
          ]),
        },
        { properties: common },
      );
    }
    const out = await java(['receive', url, 'interop.n2j', '3', "route = 'java'"]);
    const lines = out.trim().split('\n').sort();
    const props = `${JAVA_PROPERTIES_PRINTED}route=String:java,`;
    expect(lines).toEqual(
      [
        `bytes:00ff|${props}|4|no-ttl|null|null|null|non-persistent`,
        `map:a=byte[]:1bytes,f=Float:1.5,i=Integer:1,l=Long:2,s=String:str,|${props}|4|no-ttl|null|null|null|persistent`,
        `text:from node ✓|${props}|8|ttl|corr-n|queue://reply.n|node-type|persistent`,
      ].sort(),
    );
  });
});
