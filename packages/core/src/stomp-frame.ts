/** The minimal STOMP 1.x framing a probe needs: encode a frame, parse the first server frame. */

export interface StompFrame {
  readonly command: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * Encodes a frame. Header values are written verbatim: STOMP 1.2 forbids escaping in CONNECT and
 * CONNECTED, so values containing a line break or NUL are rejected instead of escaped.
 */
export function encodeStompFrame(
  command: string,
  headers: Readonly<Record<string, string>>,
  body = '',
): Buffer {
  let text = `${command}\n`;
  for (const [key, value] of Object.entries(headers)) {
    if (/[\r\n\0:]/.test(key) || /[\r\n\0]/.test(value)) {
      throw new TypeError(`STOMP header ${JSON.stringify(key)} contains a forbidden character`);
    }
    text += `${key}:${value}\n`;
  }
  return Buffer.from(`${text}\n${body}\0`, 'utf8');
}

/**
 * Parses the first complete frame of `buf`, skipping heart-beat EOLs before it. Returns
 * `undefined` while the frame is incomplete; throws when the bytes are not STOMP.
 */
export function parseStompFrame(buf: Buffer): StompFrame | undefined {
  let start = 0;
  while (start < buf.length && (buf[start] === 0x0a || buf[start] === 0x0d)) start++;
  const end = buf.indexOf(0, start);
  if (end < 0) {
    // A STOMP command line is short and upper-case; anything else will never become a frame.
    const head = buf.subarray(start, Math.min(buf.length, start + 16)).toString('latin1');
    const firstLine = head.split(/\r?\n/, 1)[0] ?? '';
    if (!/^[A-Z]*$/.test(firstLine)) throw new TypeError('not a STOMP frame');
    return undefined;
  }
  const text = buf.subarray(start, end).toString('utf8');
  const split = text.search(/\r?\n\r?\n/);
  const head = split < 0 ? text : text.slice(0, split);
  const body = split < 0 ? '' : text.slice(split).replace(/^\r?\n\r?\n/, '');
  const [command = '', ...lines] = head.split(/\r?\n/);
  if (!/^[A-Z]+$/.test(command)) throw new TypeError('not a STOMP frame');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new TypeError(`malformed STOMP header line ${JSON.stringify(line)}`);
    const key = line.slice(0, colon);
    // The first occurrence of a repeated header wins (STOMP 1.2 §"Repeated Header Entries").
    if (!(key in headers)) headers[key] = line.slice(colon + 1);
  }
  return { command, headers, body };
}
