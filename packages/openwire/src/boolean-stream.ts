import type { ByteReader } from './byte-reader.js';
import type { ByteWriter } from './byte-writer.js';
import { OpenWireError } from './errors.js';

/**
 * The tight encoding's bit stream (BooleanStream.java): every boolean field, every "is this
 * present" flag and the two size bits of each long, packed LSB-first after the type byte and
 * before the data. Its byte count is written as one byte below 64, as 0xC0 + one byte below
 * 256, else as 0x80 + a short.
 */
export class BooleanStreamWriter {
  #bytes: number[] = [];
  #bit = 0;

  write(value: boolean): void {
    if (this.#bit === 0) this.#bytes.push(0);
    if (value) this.#bytes[this.#bytes.length - 1]! |= 1 << this.#bit;
    this.#bit = (this.#bit + 1) & 7;
  }

  get marshalledSize(): number {
    const n = this.#bytes.length;
    return n < 64 ? 1 + n : n < 256 ? 2 + n : 3 + n;
  }

  marshal(out: ByteWriter): void {
    const n = this.#bytes.length;
    if (n > 0x7fff) throw new OpenWireError('NOT_ENCODABLE', 'too many booleans for one frame');
    if (n < 64) {
      out.uint8(n);
    } else if (n < 256) {
      out.uint8(0xc0);
      out.uint8(n);
    } else {
      out.uint8(0x80);
      out.int16(n);
    }
    out.bytes(Uint8Array.from(this.#bytes));
  }
}

export class BooleanStreamReader {
  readonly #data: Uint8Array;
  #pos = 0;
  #bit = 0;

  constructor(input: ByteReader) {
    let n = input.uint8();
    if (n === 0xc0) n = input.uint8();
    else if (n === 0x80) n = input.int16();
    this.#data = input.bytes(input.length(n, 'boolean stream'));
  }

  read(): boolean {
    if (this.#pos >= this.#data.length) {
      throw new OpenWireError('MALFORMED', 'boolean stream exhausted');
    }
    const v = ((this.#data[this.#pos]! >> this.#bit) & 1) !== 0;
    if (++this.#bit === 8) {
      this.#bit = 0;
      this.#pos++;
    }
    return v;
  }
}
