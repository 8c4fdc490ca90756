/**
 * Field layout of every data structure this codec speaks, in wire order, as the v12 marshallers
 * (activemq-client openwire/v12/*Marshaller.java) write them. Versions 10 and 11 lay out these
 * structures identically (v10 differs only in SubscriptionInfo, which we do not speak), so one
 * table serves wire versions 10–12.
 *
 * Kinds: `int`/`short`/`byte` fixed-width; `bool` a bit in the tight boolean stream or a byte
 * when loose; `long` two bits + 0/2/4/8 bytes when tight, 8 bytes loose; `string` present-bit +
 * ASCII-bit + data; `bytes` a byte sequence; `props` a byte sequence holding a primitive map;
 * `magic` 8 fixed bytes; `nested`/`cached` a nested structure (cached = nested when the cache is
 * off, which is all we negotiate); `array` a short count of nested structures; `throwable`
 * class name, message and (when stack traces are on) frames and cause.
 */
export type FieldKind =
  | 'int'
  | 'short'
  | 'byte'
  | 'bool'
  | 'long'
  | 'string'
  | 'bytes'
  | 'props'
  | 'magic'
  | 'nested'
  | 'cached'
  | 'array'
  | 'throwable';

export interface FieldSpec {
  readonly name: string;
  readonly kind: FieldKind;
  /** For nested kinds: the structure types Java's cast accepts there (`*`: any known). */
  readonly allowed?: readonly StructureName[] | '*';
}

export interface StructureSpec {
  readonly code: number;
  /** BaseCommand fields (commandId int, responseRequired bool) come first. */
  readonly command: boolean;
  /** Message and WireFormatInfo are MarshallAware: one more bit when nested, tight. */
  readonly marshalAware: boolean;
  readonly fields: readonly FieldSpec[];
}

const f = (name: string, kind: FieldKind, allowed?: readonly StructureName[] | '*'): FieldSpec =>
  allowed === undefined ? { name, kind } : { name, kind, allowed };

const DESTINATIONS = [
  'ActiveMQQueue',
  'ActiveMQTopic',
  'ActiveMQTempQueue',
  'ActiveMQTempTopic',
] as const;
const TX = ['LocalTransactionId'] as const;
const IDS = ['ConnectionId', 'SessionId', 'ProducerId', 'ConsumerId'] as const;
const MESSAGES = [
  'ActiveMQMessage',
  'ActiveMQTextMessage',
  'ActiveMQBytesMessage',
  'ActiveMQMapMessage',
] as const;

const MESSAGE_FIELDS: readonly FieldSpec[] = [
  f('producerId', 'cached', ['ProducerId']),
  f('destination', 'cached', DESTINATIONS),
  f('transactionId', 'cached', TX),
  f('originalDestination', 'cached', DESTINATIONS),
  f('messageId', 'nested', ['MessageId']),
  f('originalTransactionId', 'cached', TX),
  f('groupId', 'string'),
  f('groupSequence', 'int'),
  f('correlationId', 'string'),
  f('persistent', 'bool'),
  f('expiration', 'long'),
  f('priority', 'byte'),
  f('replyTo', 'nested', DESTINATIONS),
  f('timestamp', 'long'),
  f('jmsType', 'string'),
  f('content', 'bytes'),
  f('properties', 'props'),
  f('dataStructure', 'nested', '*'),
  f('targetConsumerId', 'cached', ['ConsumerId']),
  f('compressed', 'bool'),
  f('redeliveryCounter', 'int'),
  f('brokerPath', 'array', ['BrokerId']),
  f('arrival', 'long'),
  f('userId', 'string'),
  f('receivedByDfBridge', 'bool'),
  f('droppable', 'bool'),
  f('cluster', 'array', ['BrokerId']),
  f('brokerInTime', 'long'),
  f('brokerOutTime', 'long'),
  f('jmsxGroupFirstForConsumer', 'bool'),
];

const cmd = (code: number, fields: readonly FieldSpec[]): StructureSpec => ({
  code,
  command: true,
  marshalAware: false,
  fields,
});
const data = (code: number, fields: readonly FieldSpec[]): StructureSpec => ({
  code,
  command: false,
  marshalAware: false,
  fields,
});
const message = (code: number): StructureSpec => ({
  code,
  command: true,
  marshalAware: true,
  fields: MESSAGE_FIELDS,
});

export type StructureName =
  | 'WireFormatInfo'
  | 'BrokerInfo'
  | 'ConnectionInfo'
  | 'SessionInfo'
  | 'ConsumerInfo'
  | 'ProducerInfo'
  | 'TransactionInfo'
  | 'DestinationInfo'
  | 'RemoveSubscriptionInfo'
  | 'KeepAliveInfo'
  | 'ShutdownInfo'
  | 'RemoveInfo'
  | 'ConnectionError'
  | 'ConsumerControl'
  | 'ConnectionControl'
  | 'ProducerAck'
  | 'MessagePull'
  | 'MessageDispatch'
  | 'MessageAck'
  | 'ActiveMQMessage'
  | 'ActiveMQBytesMessage'
  | 'ActiveMQMapMessage'
  | 'ActiveMQTextMessage'
  | 'Response'
  | 'ExceptionResponse'
  | 'DataResponse'
  | 'IntegerResponse'
  | 'ActiveMQQueue'
  | 'ActiveMQTopic'
  | 'ActiveMQTempQueue'
  | 'ActiveMQTempTopic'
  | 'MessageId'
  | 'LocalTransactionId'
  | 'ConnectionId'
  | 'SessionId'
  | 'ConsumerId'
  | 'ProducerId'
  | 'BrokerId';

export const STRUCTURES: Readonly<Record<StructureName, StructureSpec>> = {
  WireFormatInfo: {
    code: 1,
    command: false,
    marshalAware: true,
    fields: [f('magic', 'magic'), f('version', 'int'), f('properties', 'props')],
  },
  BrokerInfo: cmd(2, [
    f('brokerId', 'cached', ['BrokerId']),
    f('brokerUrl', 'string'),
    f('peerBrokerInfos', 'array', ['BrokerInfo']),
    f('brokerName', 'string'),
    f('slaveBroker', 'bool'),
    f('masterBroker', 'bool'),
    f('faultTolerantConfiguration', 'bool'),
    f('duplexConnection', 'bool'),
    f('networkConnection', 'bool'),
    f('connectionId', 'long'),
    f('brokerUploadUrl', 'string'),
    f('networkProperties', 'string'),
  ]),
  ConnectionInfo: cmd(3, [
    f('connectionId', 'cached', ['ConnectionId']),
    f('clientId', 'string'),
    f('password', 'string'),
    f('userName', 'string'),
    f('brokerPath', 'array', ['BrokerId']),
    f('brokerMasterConnector', 'bool'),
    f('manageable', 'bool'),
    f('clientMaster', 'bool'),
    f('faultTolerant', 'bool'),
    f('failoverReconnect', 'bool'),
    f('clientIp', 'string'),
  ]),
  SessionInfo: cmd(4, [f('sessionId', 'cached', ['SessionId'])]),
  ConsumerInfo: cmd(5, [
    f('consumerId', 'cached', ['ConsumerId']),
    f('browser', 'bool'),
    f('destination', 'cached', DESTINATIONS),
    f('prefetchSize', 'int'),
    f('maximumPendingMessageLimit', 'int'),
    f('dispatchAsync', 'bool'),
    f('selector', 'string'),
    f('clientId', 'string'),
    f('subscriptionName', 'string'),
    f('noLocal', 'bool'),
    f('exclusive', 'bool'),
    f('retroactive', 'bool'),
    f('priority', 'byte'),
    f('brokerPath', 'array', ['BrokerId']),
    // A network bridge's BooleanExpression (NetworkBridgeFilter): not something we speak.
    f('additionalPredicate', 'nested', []),
    f('networkSubscription', 'bool'),
    f('optimizedAcknowledge', 'bool'),
    f('noRangeAcks', 'bool'),
    f('networkConsumerPath', 'array', ['ConsumerId']),
  ]),
  ProducerInfo: cmd(6, [
    f('producerId', 'cached', ['ProducerId']),
    f('destination', 'cached', DESTINATIONS),
    f('brokerPath', 'array', ['BrokerId']),
    f('dispatchAsync', 'bool'),
    f('windowSize', 'int'),
  ]),
  TransactionInfo: cmd(7, [
    f('connectionId', 'cached', ['ConnectionId']),
    f('transactionId', 'cached', TX),
    f('transactionType', 'byte'),
  ]),
  DestinationInfo: cmd(8, [
    f('connectionId', 'cached', ['ConnectionId']),
    f('destination', 'cached', DESTINATIONS),
    f('operationType', 'byte'),
    f('timeout', 'long'),
    f('brokerPath', 'array', ['BrokerId']),
  ]),
  // The field is spelled "subcriptionName" in Java (RemoveSubscriptionInfo.getSubcriptionName).
  RemoveSubscriptionInfo: cmd(9, [
    f('connectionId', 'cached', ['ConnectionId']),
    f('subcriptionName', 'string'),
    f('clientId', 'string'),
  ]),
  KeepAliveInfo: cmd(10, []),
  ShutdownInfo: cmd(11, []),
  RemoveInfo: cmd(12, [f('objectId', 'cached', IDS), f('lastDeliveredSequenceId', 'long')]),
  ConnectionError: cmd(16, [
    f('exception', 'throwable'),
    f('connectionId', 'nested', ['ConnectionId']),
  ]),
  ConsumerControl: cmd(17, [
    f('destination', 'nested', DESTINATIONS),
    f('close', 'bool'),
    f('consumerId', 'nested', ['ConsumerId']),
    f('prefetch', 'int'),
    f('flush', 'bool'),
    f('start', 'bool'),
    f('stop', 'bool'),
  ]),
  ConnectionControl: cmd(18, [
    f('close', 'bool'),
    f('exit', 'bool'),
    f('faultTolerant', 'bool'),
    f('resume', 'bool'),
    f('suspend', 'bool'),
    f('connectedBrokers', 'string'),
    f('reconnectTo', 'string'),
    f('rebalanceConnection', 'bool'),
    f('token', 'bytes'),
  ]),
  ProducerAck: cmd(19, [f('producerId', 'nested', ['ProducerId']), f('size', 'int')]),
  MessagePull: cmd(20, [
    f('consumerId', 'cached', ['ConsumerId']),
    f('destination', 'cached', DESTINATIONS),
    f('timeout', 'long'),
    f('correlationId', 'string'),
    f('messageId', 'nested', ['MessageId']),
  ]),
  MessageDispatch: cmd(21, [
    f('consumerId', 'cached', ['ConsumerId']),
    f('destination', 'cached', DESTINATIONS),
    f('message', 'nested', MESSAGES),
    f('redeliveryCounter', 'int'),
  ]),
  MessageAck: cmd(22, [
    f('destination', 'cached', DESTINATIONS),
    f('transactionId', 'cached', TX),
    f('consumerId', 'cached', ['ConsumerId']),
    f('ackType', 'byte'),
    f('firstMessageId', 'nested', ['MessageId']),
    f('lastMessageId', 'nested', ['MessageId']),
    f('messageCount', 'int'),
    f('poisonCause', 'throwable'),
  ]),
  ActiveMQMessage: message(23),
  ActiveMQBytesMessage: message(24),
  ActiveMQMapMessage: message(25),
  ActiveMQTextMessage: message(28),
  Response: cmd(30, [f('correlationId', 'int')]),
  ExceptionResponse: cmd(31, [f('correlationId', 'int'), f('exception', 'throwable')]),
  DataResponse: cmd(32, [f('correlationId', 'int'), f('data', 'nested', '*')]),
  IntegerResponse: cmd(34, [f('correlationId', 'int'), f('result', 'int')]),
  ActiveMQQueue: data(100, [f('physicalName', 'string')]),
  ActiveMQTopic: data(101, [f('physicalName', 'string')]),
  ActiveMQTempQueue: data(102, [f('physicalName', 'string')]),
  ActiveMQTempTopic: data(103, [f('physicalName', 'string')]),
  MessageId: data(110, [
    f('textView', 'string'),
    f('producerId', 'cached', ['ProducerId']),
    f('producerSequenceId', 'long'),
    f('brokerSequenceId', 'long'),
  ]),
  LocalTransactionId: data(111, [
    f('value', 'long'),
    f('connectionId', 'cached', ['ConnectionId']),
  ]),
  ConnectionId: data(120, [f('value', 'string')]),
  SessionId: data(121, [f('connectionId', 'string'), f('value', 'long')]),
  ConsumerId: data(122, [f('connectionId', 'string'), f('sessionId', 'long'), f('value', 'long')]),
  ProducerId: data(123, [f('connectionId', 'string'), f('value', 'long'), f('sessionId', 'long')]),
  BrokerId: data(124, [f('value', 'string')]),
};

/** Codes Java knows but we refuse or do not speak, with the reason given in the error. */
export const REFUSED_CODES: ReadonlyMap<number, string> = new Map([
  [26, 'ActiveMQObjectMessage'],
  [27, 'ActiveMQStreamMessage'],
  [29, 'ActiveMQBlobMessage'],
  [112, 'XATransactionId'],
]);

export const BY_CODE: ReadonlyMap<number, StructureName> = new Map(
  (Object.entries(STRUCTURES) as [StructureName, StructureSpec][]).map(([name, s]) => [
    s.code,
    name,
  ]),
);
