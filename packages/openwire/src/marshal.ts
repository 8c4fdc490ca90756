import { BooleanStreamReader, BooleanStreamWriter } from './boolean-stream.js';
import type { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';
import { OpenWireError } from './errors.js';
import { isAscii, modifiedUtf8Length } from './modified-utf8.js';
import { decodePrimitiveMap, encodePrimitiveMap } from './primitive-map.js';
import {
  BY_CODE,
  type FieldSpec,
  REFUSED_CODES,
  STRUCTURES,
  type StructureName,
  type StructureSpec,
} from './schema.js';
import type { StackFrame, ThrowableInfo } from './structures.js';
import type { PropertyValue } from './typed-values.js';

export const OPENWIRE_MAGIC = Uint8Array.from(Buffer.from('ActiveMQ', 'latin1'));

/** Nested structures and exception causes deeper than this are an attack, not data. */
const MAX_NESTING = 32;

/** How the two ends agreed to marshal (the outcome of the WireFormatInfo exchange). */
export interface MarshalOptions {
  readonly tight: boolean;
  readonly stackTrace: boolean;
}

type Obj = Readonly<Record<string, unknown>>;

const MASK_16 = 0xffff_ffff_ffff_0000n;
const MASK_32 = 0xffff_ffff_0000_0000n;

// ---------------------------------------------------------------- encode

/**
 * Writes one structure's fields. Java's tight encoding takes two passes (booleans, then data);
 * both passes visit the fields in the same order, so appending each field's bits and bytes in
 * one pass yields the same two streams.
 */
class Encoder {
  readonly bs = new BooleanStreamWriter();
  readonly out = new ByteWriter();
  constructor(readonly o: MarshalOptions) {}

  fields(spec: StructureSpec, v: Obj, depth: number): void {
    if (spec.command) {
      this.out.int32(int(v.commandId));
      this.bool(v.responseRequired === true);
    }
    for (const field of spec.fields) this.field(field, v[field.name], depth);
  }

  bool(b: boolean): void {
    if (this.o.tight) this.bs.write(b);
    else this.out.boolean(b);
  }

  field(field: FieldSpec, value: unknown, depth: number): void {
    const out = this.out;
    switch (field.kind) {
      case 'int':
        out.int32(int(value));
        return;
      case 'short':
        out.int16(int(value));
        return;
      case 'byte':
        out.int8(int(value));
        return;
      case 'bool':
        this.bool(value === true);
        return;
      case 'long':
        this.long(long(value));
        return;
      case 'string':
        this.string(value as string | null | undefined);
        return;
      case 'magic':
        out.bytes(value instanceof Uint8Array && value.length === 8 ? value : OPENWIRE_MAGIC);
        return;
      case 'bytes':
        this.bytes(value as Uint8Array | null | undefined);
        return;
      case 'props':
        this.bytes(
          value == null ? null : encodePrimitiveMap(value as ReadonlyMap<string, PropertyValue>),
        );
        return;
      case 'nested':
      case 'cached':
        this.nested(field, value as Obj | null | undefined, depth);
        return;
      case 'array': {
        const list = value as readonly Obj[] | null | undefined;
        this.bool(list != null);
        if (list == null) return;
        if (list.length > 0x7fff) throw notEncodable(`${field.name}: more than 32767 entries`);
        out.int16(list.length);
        for (const item of list) this.nested(field, item, depth);
        return;
      }
      case 'throwable':
        this.throwable(value as ThrowableInfo | null | undefined, depth);
        return;
    }
  }

  long(v: bigint): void {
    if (!this.o.tight) {
      this.out.int64(v);
      return;
    }
    // Java picks the width from the bit pattern: 0, then fits-in-16, fits-in-32, else 64.
    const u = BigInt.asUintN(64, v);
    if (u === 0n) {
      this.bs.write(false);
      this.bs.write(false);
    } else if ((u & MASK_16) === 0n) {
      this.bs.write(false);
      this.bs.write(true);
      this.out.uint16(Number(u));
    } else if ((u & MASK_32) === 0n) {
      this.bs.write(true);
      this.bs.write(false);
      this.out.int32(Number(BigInt.asIntN(32, u)));
    } else {
      this.bs.write(true);
      this.bs.write(true);
      this.out.int64(v);
    }
  }

  string(s: string | null | undefined): void {
    if (!this.o.tight) {
      this.out.boolean(s != null);
      if (s != null) this.out.javaUtf(s);
      return;
    }
    this.bs.write(s != null);
    if (s == null) return;
    if (modifiedUtf8Length(s) >= 0x7fff) {
      throw notEncodable('string too long for the tight encoding (32766 UTF-8 bytes at most)');
    }
    const ascii = isAscii(s);
    this.bs.write(ascii);
    if (ascii) {
      this.out.int16(s.length);
      this.out.asciiBytes(s);
    } else {
      this.out.javaUtf(s);
    }
  }

  bytes(b: Uint8Array | null | undefined): void {
    this.bool(b != null);
    if (b == null) return;
    this.out.int32(b.length);
    this.out.bytes(b);
  }

  nested(field: FieldSpec, v: Obj | null | undefined, depth: number): void {
    this.bool(v != null);
    if (v == null) return;
    if (depth >= MAX_NESTING) throw new OpenWireError('TOO_DEEP', 'structures nested too deeply');
    const name = v.type as StructureName;
    const spec = STRUCTURES[name] as StructureSpec | undefined;
    if (spec === undefined || !allowedIn(field, name)) {
      throw new OpenWireError('UNKNOWN_TYPE', `${String(name)} cannot stand in ${field.name}`);
    }
    // The marshallers' "cached marshalled form" bit; Java never sets it and neither do we.
    if (this.o.tight && spec.marshalAware) this.bs.write(false);
    this.out.uint8(spec.code);
    this.fields(spec, v, depth + 1);
  }

  throwable(t: ThrowableInfo | null | undefined, depth: number): void {
    this.bool(t != null);
    if (t == null) return;
    if (depth >= MAX_NESTING)
      throw new OpenWireError('TOO_DEEP', 'exception causes nested too deeply');
    this.string(t.exceptionClass);
    this.string(t.message);
    if (!this.o.stackTrace) return;
    const frames = t.stackTrace ?? [];
    this.out.int16(frames.length);
    for (const frame of frames) {
      this.string(frame.className);
      this.string(frame.methodName);
      this.string(frame.fileName);
      this.out.int32(frame.lineNumber);
    }
    this.throwable(t.cause, depth + 1);
  }
}

/** Encodes a structure's type byte and body (no size prefix): a frame's payload. */
export function marshalPayload(v: Obj, o: MarshalOptions): Uint8Array {
  const name = v.type as StructureName;
  const spec = STRUCTURES[name] as StructureSpec | undefined;
  if (spec === undefined) {
    throw new OpenWireError('UNKNOWN_TYPE', `cannot encode a ${String(name)}`);
  }
  const e = new Encoder(o);
  e.fields(spec, v, 0);
  const body = e.out.finish();
  const w = new ByteWriter(body.length + 16);
  w.uint8(spec.code);
  if (o.tight) e.bs.marshal(w);
  w.bytes(body);
  return w.finish();
}

// ---------------------------------------------------------------- decode

class Decoder {
  constructor(
    readonly r: ByteReader,
    readonly bs: BooleanStreamReader | null,
    readonly o: MarshalOptions,
  ) {}

  bool(): boolean {
    return this.bs === null ? this.r.boolean() : this.bs.read();
  }

  fields(spec: StructureSpec, target: Record<string, unknown>, depth: number): void {
    if (spec.command) {
      target.commandId = this.r.int32();
      target.responseRequired = this.bool();
    }
    for (const field of spec.fields) target[field.name] = this.field(field, depth);
  }

  field(field: FieldSpec, depth: number): unknown {
    const r = this.r;
    switch (field.kind) {
      case 'int':
        return r.int32();
      case 'short':
        return r.int16();
      case 'byte':
        return r.int8();
      case 'bool':
        return this.bool();
      case 'long':
        return this.long();
      case 'string':
        return this.string();
      case 'magic':
        return r.bytes(8);
      case 'bytes':
        return this.bytes();
      case 'props': {
        const b = this.bytes();
        return b === null ? null : decodePrimitiveMap(b);
      }
      case 'nested':
      case 'cached':
        return this.nested(field, depth);
      case 'array': {
        if (!this.bool()) return null;
        const n = r.int16();
        if (n < 0) throw new OpenWireError('MALFORMED', `${field.name}: negative count ${n}`);
        const list: unknown[] = [];
        for (let i = 0; i < n; i++) list.push(this.nested(field, depth));
        return list;
      }
      case 'throwable':
        return this.throwable(depth);
    }
  }

  long(): bigint {
    if (this.bs === null) return this.r.int64();
    if (this.bs.read()) {
      return this.bs.read() ? this.r.int64() : BigInt(this.r.uint32());
    }
    return this.bs.read() ? BigInt(this.r.uint16()) : 0n;
  }

  string(): string | null {
    if (this.bs === null) return this.r.boolean() ? this.r.javaUtf() : null;
    if (!this.bs.read()) return null;
    if (this.bs.read()) {
      const n = this.r.int16();
      if (n < 0) throw new OpenWireError('MALFORMED', `negative string length ${n}`);
      return this.r.ascii(n);
    }
    return this.r.javaUtf();
  }

  bytes(): Uint8Array | null {
    if (!this.bool()) return null;
    return this.r.bytes(this.r.length(this.r.int32(), 'byte sequence'));
  }

  nested(field: FieldSpec, depth: number): Obj | null {
    if (!this.bool()) return null;
    if (depth >= MAX_NESTING) throw new OpenWireError('TOO_DEEP', 'structures nested too deeply');
    const code = this.r.uint8();
    const name = structureFor(code);
    if (!allowedIn(field, name)) {
      throw new OpenWireError('UNKNOWN_TYPE', `a ${name} cannot stand in ${field.name}`);
    }
    const spec: StructureSpec = STRUCTURES[name];
    const target: Record<string, unknown> = { type: name };
    if (this.bs !== null && spec.marshalAware && this.bs.read()) {
      // A cached marshalled form: size, type, and its own boolean stream (Java reads it so).
      this.r.int32();
      this.r.uint8();
      const inner = new Decoder(this.r, new BooleanStreamReader(this.r), this.o);
      inner.fields(spec, target, depth + 1);
      return target;
    }
    this.fields(spec, target, depth + 1);
    return target;
  }

  throwable(depth: number): ThrowableInfo | null {
    if (!this.bool()) return null;
    if (depth >= MAX_NESTING)
      throw new OpenWireError('TOO_DEEP', 'exception causes nested too deeply');
    const exceptionClass = this.string();
    const message = this.string();
    if (!this.o.stackTrace) return { exceptionClass, message, stackTrace: null, cause: null };
    const n = this.r.int16();
    if (n < 0) throw new OpenWireError('MALFORMED', `negative stack depth ${n}`);
    // A frame takes at least its 4-byte line number.
    if (n * 4 > this.r.remaining) throw new OpenWireError('TRUNCATED', `stack of ${n} frames`);
    const stackTrace: StackFrame[] = [];
    for (let i = 0; i < n; i++) {
      stackTrace.push({
        className: this.string(),
        methodName: this.string(),
        fileName: this.string(),
        lineNumber: this.r.int32(),
      });
    }
    return { exceptionClass, message, stackTrace, cause: this.throwable(depth + 1) };
  }
}

/** Decodes a frame payload (type byte + body); the reader must end where the frame ends. */
export function unmarshalPayload(r: ByteReader, o: MarshalOptions): Obj {
  const name = structureFor(r.uint8());
  const spec: StructureSpec = STRUCTURES[name];
  const bs = o.tight ? new BooleanStreamReader(r) : null;
  const target: Record<string, unknown> = { type: name };
  new Decoder(r, bs, o).fields(spec, target, 0);
  return target;
}

function structureFor(code: number): StructureName {
  const name = BY_CODE.get(code);
  if (name !== undefined) return name;
  const refused = REFUSED_CODES.get(code);
  if (code === 26) {
    throw new OpenWireError(
      'OBJECT_MESSAGE_REFUSED',
      'ActiveMQObjectMessage refused: Java-serialised bodies are a known attack vector (never decoded)',
    );
  }
  throw new OpenWireError(
    'UNKNOWN_TYPE',
    refused === undefined ? `unknown data structure type ${code}` : `${refused} is not supported`,
  );
}

function allowedIn(field: FieldSpec, name: StructureName): boolean {
  return field.allowed === '*' || (field.allowed?.includes(name) ?? false);
}

function int(v: unknown): number {
  if (v == null) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v))
    throw notEncodable(`not an integer: ${String(v)}`);
  return v;
}

function long(v: unknown): bigint {
  if (v == null) return 0n;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  throw notEncodable(`not a long: ${String(v)}`);
}

function notEncodable(message: string): OpenWireError {
  return new OpenWireError('NOT_ENCODABLE', message);
}
