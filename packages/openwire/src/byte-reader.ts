import { OpenWireError } from './errors.js';
import { latin1, readModifiedUtf8 } from './modified-utf8.js';

/**
 * Bounds-checked big-endian reader over one frame. Every length read from the wire is checked
 * against the bytes actually left before anything is allocated, so a hostile length can never
 * make us allocate more than the frame we already hold.
 */
export class ByteReader {
  #at: number;
  readonly #end: number;
  readonly #view: DataView;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    end = buf.length,
  ) {
    this.#at = start;
    this.#end = end;
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get offset(): number {
    return this.#at;
  }

  get remaining(): number {
    return this.#end - this.#at;
  }

  #take(n: number): number {
    if (n < 0 || n > this.#end - this.#at) {
      throw new OpenWireError(
        'TRUNCATED',
        `truncated: need ${n} bytes at offset ${this.#at}, ${this.#end - this.#at} left`,
      );
    }
    const at = this.#at;
    this.#at += n;
    return at;
  }

  /** A length prefix that must fit in what is left (MALFORMED, not TRUNCATED, when negative). */
  length(n: number, what: string): number {
    if (n < 0) throw new OpenWireError('MALFORMED', `negative ${what} length ${n}`);
    if (n > this.remaining) {
      throw new OpenWireError(
        'TRUNCATED',
        `${what} length ${n} exceeds the ${this.remaining} bytes left`,
      );
    }
    return n;
  }

  int8(): number {
    return this.#view.getInt8(this.#take(1));
  }
  uint8(): number {
    return this.#view.getUint8(this.#take(1));
  }
  boolean(): boolean {
    return this.uint8() !== 0;
  }
  int16(): number {
    return this.#view.getInt16(this.#take(2));
  }
  uint16(): number {
    return this.#view.getUint16(this.#take(2));
  }
  int32(): number {
    return this.#view.getInt32(this.#take(4));
  }
  uint32(): number {
    return this.#view.getUint32(this.#take(4));
  }
  int64(): bigint {
    return this.#view.getBigInt64(this.#take(8));
  }
  float32(): number {
    return this.#view.getFloat32(this.#take(4));
  }
  float64(): number {
    return this.#view.getFloat64(this.#take(8));
  }

  /** A copy, so decoded values never pin (or alias) the socket's buffers. */
  bytes(n: number): Uint8Array {
    const at = this.#take(n);
    const copy = new Uint8Array(n);
    copy.set(this.buf.subarray(at, at + n));
    return copy;
  }

  /** `n` modified-UTF-8 bytes as a string. */
  utf(n: number): string {
    const at = this.#take(n);
    return readModifiedUtf8(this.buf, at, at + n);
  }

  /** `n` bytes, one char each (the tight encoding's ASCII strings). */
  ascii(n: number): string {
    const at = this.#take(n);
    return latin1(this.buf, at, at + n);
  }

  /** Java `readUTF`: uint16 length + modified UTF-8. */
  javaUtf(): string {
    return this.utf(this.uint16());
  }
}
