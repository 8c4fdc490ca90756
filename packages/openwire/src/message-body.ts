import { inflateSync } from 'node:zlib';
import { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';
import { OpenWireError } from './errors.js';
import { modifiedUtf8Length } from './modified-utf8.js';
import { decodePrimitiveMap, encodePrimitiveMap } from './primitive-map.js';
import type { Message } from './structures.js';
import type { PropertyMap, PropertyValue } from './typed-values.js';

/**
 * Message bodies as ActiveMQ's Java classes store them in `content`:
 * - TextMessage: MarshallingSupport.writeUTF8, an int32 byte count then modified UTF-8
 *   (-1 for a null text);
 * - BytesMessage: the bytes themselves;
 * - MapMessage: a primitive map.
 * A Java producer with useCompression deflates the content (zlib) and sets `compressed`.
 */

/** Java's default maxInflatedDataSize for a compressed body. */
export const MAX_INFLATED_SIZE = 100 * 1024 * 1024;

export function encodeTextBody(text: string | null): Uint8Array {
  const w = new ByteWriter(text === null ? 4 : 4 + text.length);
  if (text === null) {
    w.int32(-1);
  } else {
    w.int32(modifiedUtf8Length(text));
    w.utfBytes(text);
  }
  return w.finish();
}

export function encodeMapBody(map: PropertyMap): Uint8Array {
  return encodePrimitiveMap(map);
}

/** The content after inflating it when the message says it is compressed. */
export function bodyBytes(message: Pick<Message, 'content' | 'compressed'>): Uint8Array | null {
  if (message.content === null) return null;
  if (!message.compressed) return message.content;
  try {
    return inflateSync(message.content, { maxOutputLength: MAX_INFLATED_SIZE });
  } catch (cause) {
    throw new OpenWireError('MALFORMED', 'compressed message body does not inflate', { cause });
  }
}

export function decodeTextBody(message: Pick<Message, 'content' | 'compressed'>): string | null {
  const bytes = bodyBytes(message);
  if (bytes === null) return null;
  const r = new ByteReader(bytes);
  const n = r.int32();
  if (n === -1) return null;
  return r.utf(r.length(n, 'text'));
}

export function decodeMapBody(
  message: Pick<Message, 'content' | 'compressed'>,
): Map<string, PropertyValue> {
  const bytes = bodyBytes(message);
  return (bytes === null ? null : decodePrimitiveMap(bytes)) ?? new Map();
}
