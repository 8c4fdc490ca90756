import { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';
import { OpenWireError } from './errors.js';
import { modifiedUtf8Length } from './modified-utf8.js';
import {
  JavaByte,
  JavaChar,
  JavaDouble,
  JavaFloat,
  JavaShort,
  type PropertyMap,
  type PropertyValue,
} from './typed-values.js';

/** Type tags of MarshallingSupport's "primitive map". */
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

/** Java's limit is 127; nesting that deep is never real data, only a stack attack. */
const MAX_DEPTH = 64;

/** Java switches to BIG_STRING (int32 length) at Short.MAX_VALUE / 4 UTF-16 units. */
const BIG_STRING_FROM = Math.floor(0x7fff / 4);

export function encodePrimitiveMap(map: PropertyMap | null): Uint8Array {
  const w = new ByteWriter();
  writeMap(w, map, 0);
  return w.finish();
}

export function decodePrimitiveMap(bytes: Uint8Array): Map<string, PropertyValue> | null {
  const r = new ByteReader(bytes);
  const map = readMap(r, 0);
  if (r.remaining !== 0) {
    throw new OpenWireError('MALFORMED', `${r.remaining} bytes after the primitive map`);
  }
  return map;
}

export function writeMap(w: ByteWriter, map: PropertyMap | null, depth: number): void {
  if (map === null) {
    w.int32(-1);
    return;
  }
  if (depth > MAX_DEPTH) throw new OpenWireError('TOO_DEEP', 'property map nested too deeply');
  w.int32(map.size);
  for (const [key, value] of map) {
    w.javaUtf(key);
    writeValue(w, value, depth);
  }
}

function writeValue(w: ByteWriter, v: PropertyValue, depth: number): void {
  if (v === null) {
    w.uint8(T.NULL);
    return;
  }
  switch (typeof v) {
    case 'boolean':
      w.uint8(T.BOOLEAN);
      w.boolean(v);
      return;
    case 'bigint':
      if (BigInt.asIntN(64, v) !== v) throw notEncodable(`long ${v} out of range`);
      w.uint8(T.LONG);
      w.int64(v);
      return;
    case 'number':
      // A plain number is a Java int when it can be one; anything else can only be a double.
      if (Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff && !Object.is(v, -0)) {
        w.uint8(T.INTEGER);
        w.int32(v);
        return;
      }
      w.uint8(T.DOUBLE);
      w.float64(v);
      return;
    case 'string':
      if (v.length < BIG_STRING_FROM) {
        w.uint8(T.STRING);
        w.javaUtf(v);
        return;
      }
      w.uint8(T.BIG_STRING);
      w.int32(modifiedUtf8Length(v));
      w.utfBytes(v);
      return;
  }
  if (v instanceof Uint8Array) {
    w.uint8(T.BYTE_ARRAY);
    w.int32(v.length);
    w.bytes(v);
    return;
  }
  if (v instanceof JavaByte) {
    w.uint8(T.BYTE);
    w.int8(v.value);
    return;
  }
  if (v instanceof JavaChar) {
    w.uint8(T.CHAR);
    w.uint16(v.value.charCodeAt(0));
    return;
  }
  if (v instanceof JavaShort) {
    w.uint8(T.SHORT);
    w.int16(v.value);
    return;
  }
  if (v instanceof JavaFloat) {
    w.uint8(T.FLOAT);
    w.float32(v.value);
    return;
  }
  if (v instanceof JavaDouble) {
    w.uint8(T.DOUBLE);
    w.float64(v.value);
    return;
  }
  if (v instanceof Map) {
    w.uint8(T.MAP);
    writeMap(w, v, depth + 1);
    return;
  }
  if (Array.isArray(v)) {
    if (depth > MAX_DEPTH) throw new OpenWireError('TOO_DEEP', 'property list nested too deeply');
    w.uint8(T.LIST);
    w.int32(v.length);
    for (const x of v as readonly PropertyValue[]) writeValue(w, x, depth + 1);
    return;
  }
  throw notEncodable(`not a JMS property value: ${Object.prototype.toString.call(v)}`);
}

export function readMap(r: ByteReader, depth: number): Map<string, PropertyValue> | null {
  if (depth > MAX_DEPTH) throw new OpenWireError('TOO_DEEP', 'property map nested too deeply');
  const count = r.int32();
  if (count < 0) return null;
  // An entry takes at least 3 bytes (key length + type): a larger count cannot be real.
  if (count > r.remaining / 3) {
    throw new OpenWireError('TRUNCATED', `map of ${count} entries in ${r.remaining} bytes`);
  }
  const out = new Map<string, PropertyValue>();
  for (let i = 0; i < count; i++) {
    const key = r.javaUtf();
    out.set(key, readValue(r, depth));
  }
  return out;
}

function readValue(r: ByteReader, depth: number): PropertyValue {
  const type = r.uint8();
  switch (type) {
    case T.NULL:
      return null;
    case T.BOOLEAN:
      return r.boolean();
    case T.BYTE:
      return new JavaByte(r.int8());
    case T.CHAR:
      return new JavaChar(String.fromCharCode(r.uint16()));
    case T.SHORT:
      return new JavaShort(r.int16());
    case T.INTEGER:
      return r.int32();
    case T.LONG:
      return r.int64();
    case T.DOUBLE:
      return new JavaDouble(r.float64());
    case T.FLOAT:
      return new JavaFloat(r.float32());
    case T.STRING:
      return r.javaUtf();
    case T.BIG_STRING:
      return r.utf(r.length(r.int32(), 'string'));
    case T.BYTE_ARRAY:
      return r.bytes(r.length(r.int32(), 'byte array'));
    case T.MAP:
      return readMap(r, depth + 1);
    case T.LIST: {
      if (depth + 1 > MAX_DEPTH)
        throw new OpenWireError('TOO_DEEP', 'property list nested too deeply');
      const n = r.length(r.int32(), 'list');
      const list: PropertyValue[] = [];
      for (let i = 0; i < n; i++) list.push(readValue(r, depth + 1));
      return list;
    }
    default:
      throw new OpenWireError('MALFORMED', `unknown primitive type ${type}`);
  }
}

function notEncodable(message: string): OpenWireError {
  return new OpenWireError('NOT_ENCODABLE', message);
}
