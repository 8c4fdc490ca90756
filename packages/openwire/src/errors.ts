/** Stable codes a caller can switch on; the message says what happened in words. */
export type OpenWireErrorCode =
  /** The input ended inside a frame or a field. */
  | 'TRUNCATED'
  /** A frame's size prefix is negative, or larger than the negotiated maximum. */
  | 'FRAME_TOO_LARGE'
  /** A length or count inside a frame is impossible for the bytes that are there. */
  | 'MALFORMED'
  /** A data-structure type this codec does not know (or that Java would reject in that field). */
  | 'UNKNOWN_TYPE'
  /** ActiveMQObjectMessage: Java serialisation is refused, never decoded. */
  | 'OBJECT_MESSAGE_REFUSED'
  /** The peer's WireFormatInfo is not OpenWire (bad magic) or offers a version we cannot speak. */
  | 'UNSUPPORTED_VERSION'
  | 'BAD_MAGIC'
  /** Both peers asked for a wire-format option this codec does not implement (cache, no size prefix). */
  | 'UNSUPPORTED_OPTION'
  /** A value cannot be written in OpenWire (string too long for writeUTF, int out of range…). */
  | 'NOT_ENCODABLE'
  /** Properties or nested structures deeper than the decoder allows. */
  | 'TOO_DEEP'
  /** Connection-level: the broker answered with ExceptionResponse or ConnectionError. */
  | 'BROKER_ERROR'
  /** Connection-level: socket closed, inactivity, or the connection was closed by us. */
  | 'CONNECTION_CLOSED'
  | 'INACTIVITY_TIMEOUT'
  | 'TIMEOUT'
  /** Connection-level: an operation that the current state does not allow. */
  | 'ILLEGAL_STATE';

export class OpenWireError extends Error {
  override readonly name: string = 'OpenWireError';
  constructor(
    readonly code: OpenWireErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** What an ExceptionResponse or ConnectionError carried: the Java class name and message. */
export class OpenWireBrokerError extends OpenWireError {
  override readonly name: string = 'OpenWireBrokerError';
  constructor(
    /** Java exception class, e.g. `jakarta.jms.InvalidClientIDException` (6.x) or `javax.jms.…` (5.x). */
    readonly exceptionClass: string | null,
    readonly brokerMessage: string | null,
  ) {
    super('BROKER_ERROR', `broker: ${exceptionClass ?? 'exception'}: ${brokerMessage ?? ''}`);
  }
}
