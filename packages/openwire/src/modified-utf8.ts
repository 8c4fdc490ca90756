import { OpenWireError } from './errors.js';

/**
 * Java's "modified UTF-8" (DataOutput.writeUTF, MarshallingSupport.writeUTF8): each UTF-16 code
 * unit on its own, U+0000 as two bytes (C0 80), surrogates as three bytes each. A Java peer writes
 * nothing else, so a non-ASCII string must go through this to be byte-identical with Java (plain
 * UTF-8 differs for NUL and every character outside the BMP).
 */
export function modifiedUtf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    n += c >= 0x01 && c <= 0x7f ? 1 : c <= 0x7ff ? 2 : 3;
  }
  return n;
}

/** Writes `s` into `out` at `at`; `out` must have modifiedUtf8Length(s) bytes free. */
export function writeModifiedUtf8(s: string, out: Uint8Array, at: number): number {
  let p = at;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x01 && c <= 0x7f) {
      out[p++] = c;
    } else if (c <= 0x7ff) {
      out[p++] = 0xc0 | (c >> 6);
      out[p++] = 0x80 | (c & 0x3f);
    } else {
      out[p++] = 0xe0 | (c >> 12);
      out[p++] = 0x80 | ((c >> 6) & 0x3f);
      out[p++] = 0x80 | (c & 0x3f);
    }
  }
  return p;
}

/** True when every code unit is 1..0x7F: the tight encoding then writes the bytes raw. */
export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x01 || c > 0x7f) return false;
  }
  return true;
}

/** Decodes modified UTF-8 (also accepts plain UTF-8 of BMP characters, as Java does). */
export function readModifiedUtf8(buf: Uint8Array, start: number, end: number): string {
  // Fast path: ASCII only, the common case for destinations, ids and property names.
  let ascii = true;
  for (let i = start; i < end; i++) {
    if (buf[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return latin1(buf, start, end);
  const units: number[] = [];
  let i = start;
  while (i < end) {
    const a = buf[i++]!;
    if (a < 0x80) {
      units.push(a);
    } else if ((a & 0xe0) === 0xc0) {
      const b = i < end ? buf[i++]! : -1;
      if (b < 0 || (b & 0xc0) !== 0x80) throw malformedUtf();
      units.push(((a & 0x1f) << 6) | (b & 0x3f));
    } else if ((a & 0xf0) === 0xe0) {
      if (i + 2 > end) throw malformedUtf();
      const b = buf[i++]!;
      const c = buf[i++]!;
      if ((b & 0xc0) !== 0x80 || (c & 0xc0) !== 0x80) throw malformedUtf();
      units.push(((a & 0x0f) << 12) | ((b & 0x3f) << 6) | (c & 0x3f));
    } else {
      throw malformedUtf();
    }
  }
  let out = '';
  for (let k = 0; k < units.length; k += 4096) {
    out += String.fromCharCode(...units.slice(k, k + 4096));
  }
  return out;
}

/** Java's deprecated `new String(bytes, 0)`: each byte is a char (the tight ASCII path). */
export function latin1(buf: Uint8Array, start: number, end: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1');
}

function malformedUtf(): OpenWireError {
  return new OpenWireError('MALFORMED', 'malformed modified UTF-8 string');
}
