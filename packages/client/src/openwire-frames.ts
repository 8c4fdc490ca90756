import {
  type DataStructure,
  type MessageBody as OpenWireBody,
  type SendOptions as OpenWireSendOptions,
  type PropertyMap,
  type PropertyValue,
  plainValue,
  type ReceivedMessage as ReceivedOpenWireMessage,
} from '@activemq-ha/openwire';
import { invalidOption } from './errors.js';
import { fromOpenWireDestination, toOpenWireDestination } from './openwire-destinations.js';
import type { FrameHeaders } from './session.js';

/**
 * The HA layer speaks in STOMP's header vocabulary (which is also how ActiveMQ's STOMP
 * connector names the JMS headers). These are the headers that are JMS message fields on
 * OpenWire; every other header is a JMS property.
 */
const FIELD_HEADERS = new Set([
  'destination',
  'content-length',
  'content-type',
  'receipt',
  'transaction',
  'persistent',
  'priority',
  'expires',
  'correlation-id',
  'reply-to',
  'type',
  'JMSXGroupID',
  'JMSXGroupSeq',
]);

/** A SEND's headers and body as an OpenWire message (the message id is chosen by the caller). */
export function toOpenWireSend(
  headers: FrameHeaders,
  body: Buffer | string | undefined,
  connectionId: string,
  typed: PropertyMap | undefined,
  now: number,
  map?: PropertyMap,
): {
  destination: ReturnType<typeof toOpenWireDestination>;
  body: OpenWireBody;
  options: OpenWireSendOptions;
} {
  const destination = toOpenWireDestination(headers.destination ?? '', connectionId);
  const properties = new Map<string, PropertyValue>();
  for (const [k, v] of Object.entries(headers)) if (!FIELD_HEADERS.has(k)) properties.set(k, v);
  for (const [k, v] of typed ?? []) properties.set(k, v);
  const expires = headers.expires === undefined ? 0 : Number(headers.expires);
  const priority = headers.priority === undefined ? undefined : Number(headers.priority);
  if (priority !== undefined && !(Number.isInteger(priority) && priority >= 0 && priority <= 9)) {
    throw invalidOption('headers.priority', `must be an integer 0..9, got ${headers.priority}`);
  }
  const groupSequence =
    headers.JMSXGroupSeq === undefined ? undefined : Number(headers.JMSXGroupSeq);
  const options: OpenWireSendOptions = {
    persistent: headers.persistent === 'true',
    ...(priority !== undefined ? { priority } : {}),
    // STOMP's `expires` is an absolute time; OpenWire's builder takes a time to live.
    ...(expires > 0 ? { timeToLiveMs: Math.max(1, expires - now) } : {}),
    ...(headers['correlation-id'] !== undefined
      ? { correlationId: headers['correlation-id'] }
      : {}),
    ...(headers['reply-to'] !== undefined
      ? { replyTo: toOpenWireDestination(headers['reply-to'], connectionId) }
      : {}),
    ...(headers.type !== undefined ? { type: headers.type } : {}),
    ...(headers.JMSXGroupID !== undefined ? { groupId: headers.JMSXGroupID } : {}),
    ...(groupSequence !== undefined && Number.isInteger(groupSequence) ? { groupSequence } : {}),
    ...(properties.size > 0 ? { properties } : {}),
  };
  const content: OpenWireBody = map
    ? { map }
    : body === undefined
      ? { text: '' }
      : typeof body === 'string'
        ? { text: body }
        : { bytes: new Uint8Array(body.buffer, body.byteOffset, body.length) };
  return { destination, body: content, options };
}

/** What the HA layer needs of a delivered OpenWire message: STOMP-style headers, body, types. */
export interface IncomingOpenWire {
  readonly headers: FrameHeaders;
  readonly body: Buffer;
  readonly properties: ReadonlyMap<string, PropertyValue>;
  readonly map: ReadonlyMap<string, PropertyValue> | undefined;
  readonly dataStructure: DataStructure | undefined;
}

export function fromOpenWireMessage(
  received: ReceivedOpenWireMessage,
  redeliveryCounter: number,
  connectionId: string,
): IncomingOpenWire {
  const m = received.message;
  const headers: FrameHeaders = {};
  // Properties first: a JMS field of the same name (a property called "type") must win.
  for (const [k, v] of received.properties) {
    const plain = headerValue(v);
    if (plain !== undefined) headers[k] = plain;
  }
  headers['message-id'] = received.messageId;
  if (m.destination) headers.destination = fromOpenWireDestination(m.destination, connectionId);
  headers.persistent = String(m.persistent);
  headers.priority = String(m.priority);
  headers.timestamp = String(m.timestamp);
  headers.expires = String(m.expiration);
  headers.redelivered = String(redeliveryCounter > 0);
  if (m.correlationId !== null) headers['correlation-id'] = m.correlationId;
  if (m.replyTo) headers['reply-to'] = fromOpenWireDestination(m.replyTo, connectionId);
  if (m.jmsType !== null) headers.type = m.jmsType;
  if (m.groupId !== null) {
    headers.JMSXGroupID = m.groupId;
    headers.JMSXGroupSeq = String(m.groupSequence);
    // A message field on the wire, a property to JMS: the first of its group this consumer gets.
    if (m.jmsxGroupFirstForConsumer) headers.JMSXGroupFirstForConsumer = 'true';
  }
  const map = received.map ?? undefined;
  let body: Buffer;
  if (map) {
    // A MapMessage has no bytes to speak of: its JSON, for `json()`; `map` keeps the types.
    body = Buffer.from(JSON.stringify(plainValue(map), jsonSafe));
  } else {
    const text = received.text;
    const bytes = text === null ? received.bytes : null;
    body =
      text !== null
        ? Buffer.from(text, 'utf8')
        : bytes !== null
          ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)
          : Buffer.alloc(0);
    if (bytes !== null) headers['content-length'] = String(body.length);
  }
  return {
    headers,
    body,
    properties: received.properties,
    map,
    dataStructure: m.dataStructure ?? undefined,
  };
}

/** Scalars become header strings; bytes, maps and lists stay in `properties` only. */
function headerValue(v: PropertyValue): string | undefined {
  const plain = plainValue(v);
  if (plain === null || plain === undefined) return undefined;
  if (typeof plain === 'object') return undefined;
  return String(plain);
}

function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return value;
}
