import { OpenWireError } from './errors.js';
import { isAscii, modifiedUtf8Length, writeModifiedUtf8 } from './modified-utf8.js';

/** Growable big-endian writer; `finish()` returns the bytes written. */
export class ByteWriter {
  #buf: Uint8Array;
  #view: DataView;
  #at = 0;

  constructor(initial = 256) {
    this.#buf = new Uint8Array(initial);
    this.#view = new DataView(this.#buf.buffer);
  }

  get length(): number {
    return this.#at;
  }

  #room(n: number): number {
    if (this.#at + n > this.#buf.length) {
      let size = this.#buf.length * 2;
      while (size < this.#at + n) size *= 2;
      const next = new Uint8Array(size);
      next.set(this.#buf.subarray(0, this.#at));
      this.#buf = next;
      this.#view = new DataView(next.buffer);
    }
    const at = this.#at;
    this.#at += n;
    return at;
  }

  int8(v: number): void {
    const at = this.#room(1);
    this.#view.setInt8(at, v);
  }
  uint8(v: number): void {
    const at = this.#room(1);
    this.#view.setUint8(at, v);
  }
  boolean(v: boolean): void {
    this.uint8(v ? 1 : 0);
  }
  int16(v: number): void {
    const at = this.#room(2);
    this.#view.setInt16(at, v);
  }
  uint16(v: number): void {
    const at = this.#room(2);
    this.#view.setUint16(at, v);
  }
  int32(v: number): void {
    const at = this.#room(4);
    this.#view.setInt32(at, v);
  }
  int64(v: bigint): void {
    const at = this.#room(8);
    this.#view.setBigInt64(at, BigInt.asIntN(64, v));
  }
  float32(v: number): void {
    const at = this.#room(4);
    this.#view.setFloat32(at, v);
  }
  float64(v: number): void {
    const at = this.#room(8);
    this.#view.setFloat64(at, v);
  }
  bytes(b: Uint8Array): void {
    // #room may replace #buf: take the offset first.
    const at = this.#room(b.length);
    this.#buf.set(b, at);
  }

  /** Modified-UTF-8 bytes of `s`, no length prefix. */
  utfBytes(s: string): void {
    const n = modifiedUtf8Length(s);
    const at = this.#room(n);
    writeModifiedUtf8(s, this.#buf, at);
  }

  /** Raw low bytes of each char (the tight encoding's ASCII path); caller checked isAscii. */
  asciiBytes(s: string): void {
    const at = this.#room(s.length);
    for (let i = 0; i < s.length; i++) this.#buf[at + i] = s.charCodeAt(i);
  }

  /** Java `writeUTF`: uint16 length + modified UTF-8; Java refuses more than 65535 bytes. */
  javaUtf(s: string): void {
    const n = modifiedUtf8Length(s);
    if (n > 0xffff) {
      throw new OpenWireError(
        'NOT_ENCODABLE',
        `string of ${n} UTF-8 bytes is too long for writeUTF`,
      );
    }
    this.uint16(n);
    this.utfBytes(s);
  }

  finish(): Uint8Array {
    return this.#buf.subarray(0, this.#at);
  }
}

export { isAscii };
