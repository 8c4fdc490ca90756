/**
 * OpenWire (ActiveMQ Classic's native protocol) codec and a single-connection client.
 *
 * @module @activemq-ha/openwire
 */
export type { OpenWireErrorCode } from './errors.js';
export { OpenWireBrokerError, OpenWireError } from './errors.js';
export { OPENWIRE_MAGIC } from './marshal.js';
export {
  bodyBytes,
  decodeMapBody,
  decodeTextBody,
  encodeMapBody,
  encodeTextBody,
  MAX_INFLATED_SIZE,
} from './message-body.js';
export type {
  OpenWireConnectionEvents,
  OpenWireConnectionOptions,
} from './openwire-connection.js';
export { OpenWireConnection } from './openwire-connection.js';
export type {
  AckMode,
  MessageHandler,
  OpenWireConsumer,
  SubscribeOptions,
} from './openwire-consumer.js';
export type { MessageBody, SendOptions } from './outgoing-message.js';
export { decodePrimitiveMap, encodePrimitiveMap } from './primitive-map.js';
export { messageIdString, ReceivedMessage, type Settlement } from './received-message.js';
export type {
  BaseCommand,
  BrokerId,
  BrokerInfo,
  Command,
  CommandInput,
  ConnectionControl,
  ConnectionError,
  ConnectionId,
  ConnectionInfo,
  ConsumerControl,
  ConsumerId,
  ConsumerInfo,
  DataResponse,
  DataStructure,
  DataStructureInput,
  Destination,
  DestinationInfo,
  DestinationType,
  ExceptionResponse,
  Input,
  IntegerResponse,
  KeepAliveInfo,
  LocalTransactionId,
  Message,
  MessageAck,
  MessageDispatch,
  MessageId,
  MessagePull,
  MessageType,
  ProducerAck,
  ProducerId,
  ProducerInfo,
  RemoveInfo,
  RemoveSubscriptionInfo,
  Response,
  SessionId,
  SessionInfo,
  ShutdownInfo,
  StackFrame,
  ThrowableInfo,
  TransactionInfo,
  WireFormatInfo,
} from './structures.js';
export { ACK_TYPE, TRANSACTION_TYPE } from './structures.js';
export type { PropertyMap, PropertyValue } from './typed-values.js';
export {
  JavaByte,
  JavaChar,
  JavaDouble,
  JavaFloat,
  JavaShort,
  plainValue,
} from './typed-values.js';
export type { Negotiated, WireFormat, WireFormatPreferences } from './wire-format.js';
export {
  DEFAULT_MAX_FRAME_SIZE,
  decodeFrame,
  decodePayload,
  encodeFrame,
  FrameSplitter,
  INITIAL_WIRE_FORMAT,
  negotiate,
  OLDEST_VERSION,
  OPENWIRE_VERSION,
  preferredWireFormatInfo,
} from './wire-format.js';
