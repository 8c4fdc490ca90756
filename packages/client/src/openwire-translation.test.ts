import { JavaShort, ReceivedMessage } from '@activemq-ha/openwire';
import { describe, expect, it } from 'vitest';
import {
  fromOpenWireDestination,
  isOwnTemporary,
  toOpenWireDestination,
} from './openwire-destinations.js';
import { fromOpenWireMessage, toOpenWireSend } from './openwire-frames.js';

const CONN = 'ID:host-1-0:1';

describe('OpenWire destinations in STOMP names', () => {
  it.each([
    ['/queue/a.b', { type: 'ActiveMQQueue', physicalName: 'a.b' }],
    ['/topic/t', { type: 'ActiveMQTopic', physicalName: 't' }],
    // Ours: prefixed with the client's connection id, so the broker lets us consume it.
    ['/temp-queue/replies', { type: 'ActiveMQTempQueue', physicalName: `${CONN}:replies` }],
    // Someone else's (a Java requester's reply-to): as it is.
    ['/temp-queue/ID:java-9:1:3', { type: 'ActiveMQTempQueue', physicalName: 'ID:java-9:1:3' }],
  ])('%s', (name, destination) => {
    expect(toOpenWireDestination(name, CONN)).toEqual(destination);
    expect(fromOpenWireDestination(destination as never, CONN)).toBe(name);
  });

  it('knows its own temporary destinations and refuses names without a kind', () => {
    expect(isOwnTemporary(toOpenWireDestination('/temp-topic/x', CONN), CONN)).toBe(true);
    expect(isOwnTemporary(toOpenWireDestination('/temp-queue/ID:j:1:1', CONN), CONN)).toBe(false);
    expect(() => toOpenWireDestination('orders', CONN)).toThrow(/use \/queue\/<name>/);
    expect(() => toOpenWireDestination('/queue/', CONN)).toThrow(/not a destination/);
  });
});

describe('SEND headers as an OpenWire message', () => {
  it('maps JMS headers to fields, the rest to properties, typed ones win', () => {
    const send = toOpenWireSend(
      {
        destination: '/queue/q',
        persistent: 'true',
        priority: '7',
        expires: '11000',
        'correlation-id': 'c',
        'reply-to': '/temp-queue/r',
        type: 't',
        JMSXGroupID: 'g',
        'ha-message-id': 'm-1',
        n: '5',
      },
      'body',
      CONN,
      new Map([['n', new JavaShort(5)]]),
      10_000,
    );
    expect(send.destination).toEqual({ type: 'ActiveMQQueue', physicalName: 'q' });
    expect(send.body).toEqual({ text: 'body' });
    expect(send.options).toMatchObject({
      persistent: true,
      priority: 7,
      timeToLiveMs: 1000,
      correlationId: 'c',
      replyTo: { type: 'ActiveMQTempQueue', physicalName: `${CONN}:r` },
      type: 't',
      groupId: 'g',
    });
    expect(send.options.properties).toEqual(
      new Map<string, unknown>([
        ['ha-message-id', 'm-1'],
        ['n', new JavaShort(5)],
      ]),
    );
    expect(
      toOpenWireSend({ destination: '/topic/t' }, Buffer.from([1]), CONN, undefined, 0),
    ).toMatchObject({
      body: { bytes: Uint8Array.from([1]) },
      options: { persistent: false },
    });
    expect(() =>
      toOpenWireSend({ destination: '/queue/q', priority: '12' }, 'x', CONN, undefined, 0),
    ).toThrow(/0\.\.9/);
  });
});

describe('a delivered OpenWire message as headers', () => {
  it('gives JMS fields STOMP header names and keeps typed properties beside them', () => {
    const received = new ReceivedMessage(
      {
        type: 'ActiveMQTextMessage',
        messageId: {
          type: 'MessageId',
          textView: null,
          producerId: { type: 'ProducerId', connectionId: 'ID:p', sessionId: 1n, value: 1n },
          producerSequenceId: 3n,
          brokerSequenceId: 0n,
        },
        destination: { type: 'ActiveMQTempQueue', physicalName: `${CONN}:replies` },
        replyTo: null,
        correlationId: 'c',
        jmsType: null,
        groupId: null,
        groupSequence: 0,
        persistent: false,
        priority: 4,
        timestamp: 5n,
        expiration: 0n,
        content: null,
        compressed: false,
        properties: new Map([['s', new JavaShort(2)]]),
      } as never,
      1,
      async () => {},
    );
    const incoming = fromOpenWireMessage(received, 1, CONN);
    expect(incoming.headers).toMatchObject({
      'message-id': 'ID:p:1:1:3',
      destination: '/temp-queue/replies',
      'correlation-id': 'c',
      persistent: 'false',
      redelivered: 'true',
      s: '2',
    });
    expect(incoming.properties.get('s')).toEqual(new JavaShort(2));
    expect(incoming.dataStructure).toBeUndefined();
  });

  it('shows a group’s first message for the consumer, and passes an advisory’s data structure on', () => {
    const consumerInfo = { type: 'ConsumerInfo', prefetchSize: 1000 };
    const received = new ReceivedMessage(
      {
        type: 'ActiveMQMessage',
        messageId: null,
        destination: { type: 'ActiveMQTopic', physicalName: 'ActiveMQ.Advisory.Consumer.Queue.q' },
        replyTo: null,
        correlationId: null,
        jmsType: null,
        groupId: 'g',
        groupSequence: 0,
        jmsxGroupFirstForConsumer: true,
        persistent: false,
        priority: 4,
        timestamp: 5n,
        expiration: 0n,
        content: null,
        compressed: false,
        properties: new Map(),
        dataStructure: consumerInfo,
      } as never,
      0,
      async () => {},
    );
    const incoming = fromOpenWireMessage(received, 0, CONN);
    expect(incoming.headers).toMatchObject({
      destination: '/topic/ActiveMQ.Advisory.Consumer.Queue.q',
      JMSXGroupID: 'g',
      JMSXGroupFirstForConsumer: 'true',
    });
    expect(incoming.dataStructure).toBe(consumerInfo);
    expect(incoming.body).toEqual(Buffer.alloc(0));
  });
});

describe('a Map body as a MapMessage', () => {
  it('sends the entries, typed, instead of the (empty) body', () => {
    const map = new Map([['k', new JavaShort(1)]]);
    expect(toOpenWireSend({ destination: '/queue/q' }, '', CONN, undefined, 0, map).body).toEqual({
      map,
    });
  });
});
