/**
 * The slice of OpenWire a probe needs: the WireFormatInfo command in the loose, size-prefixed
 * encoding both peers start with (before negotiation), and a ShutdownInfo to leave politely.
 *
 * Frame: int32 size (bytes after it) · byte type · body. WireFormatInfo (type 1) body: 8 magic
 * bytes "ActiveMQ" · int32 version · boolean "properties present" · int32 length · properties,
 * a "primitive map": int32 count, then per entry a Java modified-UTF-8 key (uint16 length + bytes),
 * a type byte and the value. All integers big-endian.
 */

export const WIRE_FORMAT_INFO_TYPE = 1;
export const SHUTDOWN_INFO_TYPE = 11;
export const OPENWIRE_MAGIC = Buffer.from('ActiveMQ', 'latin1');

/** Primitive-map type tags (MarshallingSupport). */
const T = {
  NULL: 0,
  BOOLEAN: 1,
  BYTE: 2,
  CHAR: 3,
  SHORT: 4,
  INTEGER: 5,
  LONG: 6,
  DOUBLE: 7,
  FLOAT: 8,
  STRING: 9,
  BYTE_ARRAY: 10,
  MAP: 11,
  LIST: 12,
  BIG_STRING: 13,
} as const;

/** A property value to send; `bigint` marks a Java `long`, `number` a Java `int`. */
export type OpenWireValue = boolean | number | bigint | string;

/** A decoded property value (nested maps/lists kept, byte arrays as Buffers). */
export type OpenWireDecoded =
  | null
  | boolean
  | number
  | bigint
  | string
  | Buffer
  | OpenWireDecoded[]
  | { [key: string]: OpenWireDecoded };

export interface WireFormatInfo {
  readonly version: number;
  readonly properties: Readonly<Record<string, OpenWireDecoded>> | undefined;
}

export function encodeWireFormatInfo(
  version: number,
  properties: Readonly<Record<string, OpenWireValue>>,
): Buffer {
  const props = encodePrimitiveMap(properties);
  const body = Buffer.alloc(1 + 8 + 4 + 1 + 4);
  let at = body.writeUInt8(WIRE_FORMAT_INFO_TYPE, 0);
  at += OPENWIRE_MAGIC.copy(body, at);
  at = body.writeInt32BE(version, at);
  at = body.writeUInt8(1, at);
  body.writeInt32BE(props.length, at);
  return sizePrefixed(Buffer.concat([body, props]));
}

/** ShutdownInfo in loose encoding: type · int32 commandId · boolean responseRequired. */
export function encodeShutdownInfo(commandId = 0): Buffer {
  const body = Buffer.alloc(1 + 4 + 1);
  body.writeUInt8(SHUTDOWN_INFO_TYPE, 0);
  body.writeInt32BE(commandId, 1);
  body.writeUInt8(0, 5);
  return sizePrefixed(body);
}

/** Result of looking at the received bytes for a complete first frame. */
export type FrameRead =
  | { readonly complete: false }
  | { readonly complete: true; readonly type: number; readonly body: Buffer };

/** Reads the first size-prefixed frame; throws on an impossible size. */
export function readFrame(buf: Buffer, maxSize = 64 * 1024): FrameRead {
  if (buf.length < 4) return { complete: false };
  const size = buf.readInt32BE(0);
  if (size < 1 || size > maxSize) throw new RangeError(`implausible OpenWire frame size ${size}`);
  if (buf.length < 4 + size) return { complete: false };
  return { complete: true, type: buf.readUInt8(4), body: buf.subarray(5, 4 + size) };
}

/** Decodes a WireFormatInfo body (after the type byte); throws when it is not one. */
export function decodeWireFormatInfo(body: Buffer): WireFormatInfo {
  const r = new Reader(body);
  const magic = r.bytes(8);
  if (!magic.equals(OPENWIRE_MAGIC)) {
    throw new TypeError(`bad magic ${JSON.stringify(magic.toString('latin1'))}`);
  }
  const version = r.int32();
  let properties: Record<string, OpenWireDecoded> | undefined;
  if (r.boolean()) {
    const length = r.int32();
    const map = readPrimitiveMap(new Reader(r.bytes(length)), 0);
    properties = map ?? undefined;
  }
  return { version, properties };
}

function sizePrefixed(frame: Buffer): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(frame.length, 0);
  return Buffer.concat([prefix, frame]);
}

export function encodePrimitiveMap(map: Readonly<Record<string, OpenWireValue>>): Buffer {
  const parts: Buffer[] = [int32(Object.keys(map).length)];
  for (const [key, value] of Object.entries(map)) {
    parts.push(utf(key), encodePrimitive(value));
  }
  return Buffer.concat(parts);
}

function encodePrimitive(value: OpenWireValue): Buffer {
  if (typeof value === 'boolean') return Buffer.from([T.BOOLEAN, value ? 1 : 0]);
  if (typeof value === 'bigint') {
    const b = Buffer.alloc(9);
    b.writeUInt8(T.LONG, 0);
    b.writeBigInt64BE(value, 1);
    return b;
  }
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new TypeError('only integer numbers are supported');
    const b = Buffer.alloc(5);
    b.writeUInt8(T.INTEGER, 0);
    b.writeInt32BE(value, 1);
    return b;
  }
  return Buffer.concat([Buffer.from([T.STRING]), utf(value)]);
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n, 0);
  return b;
}

/** Java `writeUTF`: uint16 length + bytes (plain UTF-8 equals modified UTF-8 without NULs). */
function utf(s: string): Buffer {
  const bytes = Buffer.from(s, 'utf8');
  if (bytes.length > 0xffff || s.includes('\0')) throw new TypeError('string not encodable');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(bytes.length, 0);
  return Buffer.concat([len, bytes]);
}

const MAX_DEPTH = 8;

function readPrimitiveMap(r: Reader, depth: number): Record<string, OpenWireDecoded> | null {
  if (depth > MAX_DEPTH) throw new RangeError('property map nested too deeply');
  const count = r.int32();
  if (count < 0) return null;
  // Each entry takes at least 3 bytes; a larger count cannot be real.
  if (count * 3 > r.remaining) throw new RangeError(`property count ${count} exceeds the data`);
  const out: Record<string, OpenWireDecoded> = {};
  for (let i = 0; i < count; i++) {
    const key = r.string(r.uint16());
    out[key] = readPrimitive(r, depth);
  }
  return out;
}

function readPrimitive(r: Reader, depth: number): OpenWireDecoded {
  const type = r.uint8();
  switch (type) {
    case T.NULL:
      return null;
    case T.BOOLEAN:
      return r.boolean();
    case T.BYTE:
      return r.int8();
    case T.CHAR:
      return String.fromCharCode(r.uint16());
    case T.SHORT:
      return r.int16();
    case T.INTEGER:
      return r.int32();
    case T.LONG:
      return r.int64();
    case T.DOUBLE:
      return r.double();
    case T.FLOAT:
      return r.float();
    case T.STRING:
      return r.string(r.uint16());
    case T.BIG_STRING:
      return r.string(r.int32());
    case T.BYTE_ARRAY:
      return Buffer.from(r.bytes(r.int32()));
    case T.MAP:
      return readPrimitiveMap(r, depth + 1);
    case T.LIST: {
      const n = r.int32();
      if (n < 0 || n > r.remaining) throw new RangeError(`list size ${n} exceeds the data`);
      const list: OpenWireDecoded[] = [];
      for (let i = 0; i < n; i++) list.push(readPrimitive(r, depth + 1));
      return list;
    }
    default:
      throw new TypeError(`unknown primitive type ${type}`);
  }
}

/** Bounds-checked big-endian reader; throws RangeError past the end. */
class Reader {
  #at = 0;
  constructor(readonly buf: Buffer) {}
  get remaining(): number {
    return this.buf.length - this.#at;
  }
  #take(n: number): number {
    if (n < 0 || this.#at + n > this.buf.length) {
      throw new RangeError(`truncated: need ${n} bytes at offset ${this.#at}`);
    }
    const at = this.#at;
    this.#at += n;
    return at;
  }
  bytes(n: number): Buffer {
    const at = this.#take(n);
    return this.buf.subarray(at, at + n);
  }
  string(n: number): string {
    return this.bytes(n).toString('utf8');
  }
  uint8 = () => this.buf.readUInt8(this.#take(1));
  int8 = () => this.buf.readInt8(this.#take(1));
  boolean = () => this.uint8() !== 0;
  uint16 = () => this.buf.readUInt16BE(this.#take(2));
  int16 = () => this.buf.readInt16BE(this.#take(2));
  int32 = () => this.buf.readInt32BE(this.#take(4));
  int64 = () => this.buf.readBigInt64BE(this.#take(8));
  float = () => this.buf.readFloatBE(this.#take(4));
  double = () => this.buf.readDoubleBE(this.#take(8));
}
