import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { expect } from 'vitest';

export interface Frame {
  command: string;
  headers: Record<string, string>;
  body: string;
}

export interface StompPeerOptions {
  readonly login?: string;
  readonly passcode?: string;
  /** Over TLS, trusting only this CA (PEM); the broker's certificate is verified. */
  readonly tls?: { readonly ca: string; readonly servername: string };
}

/** A minimal STOMP 1.2 peer: frames in, frames out, awaited one at a time with a deadline. */
export class StompPeer {
  private buffer = '';
  private readonly frames: Frame[] = [];
  private wake: (() => void) | undefined;
  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      for (;;) {
        const end = this.buffer.indexOf('\0');
        if (end === -1) break;
        const raw = this.buffer.slice(0, end).replace(/^[\r\n]+/, '');
        this.buffer = this.buffer.slice(end + 1);
        const [head = '', ...rest] = raw.split('\n\n');
        const [command = '', ...lines] = head.split('\n');
        const headers = Object.fromEntries(
          lines.map((l) => [
            l.slice(0, l.indexOf(':')),
            unescapeHeader(l.slice(l.indexOf(':') + 1)),
          ]),
        );
        this.frames.push({ command, headers, body: rest.join('\n\n') });
        this.wake?.();
      }
    });
  }

  /** Connects and logs in, expecting CONNECTED. */
  static async open(port: number, options: StompPeerOptions = {}): Promise<StompPeer> {
    const { tls } = options;
    const socket = tls
      ? connectTls({ host: '127.0.0.1', port, ca: tls.ca, servername: tls.servername })
      : connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once(tls ? 'secureConnect' : 'connect', resolve);
      socket.once('error', reject);
    });
    const peer = new StompPeer(socket);
    const headers: Record<string, string> = { 'accept-version': '1.2', host: 'localhost' };
    if (options.login !== undefined) headers.login = options.login;
    if (options.passcode !== undefined) headers.passcode = options.passcode;
    peer.send('CONNECT', headers);
    const answer = await peer.next(10_000);
    expect(answer.command, answer.headers.message).toBe('CONNECTED');
    return peer;
  }

  send(command: string, headers: Record<string, string>, body = ''): void {
    const head = Object.entries(headers).map(([k, v]) => `${k}:${v}`);
    this.socket.write(`${[command, ...head].join('\n')}\n\n${body}\0`);
  }

  async next(timeoutMs: number): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no STOMP frame within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.frames.shift() as Frame;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** STOMP 1.2 header value escapes: \c is ":", \n a newline, \r a CR, \\ a backslash. */
function unescapeHeader(value: string): string {
  const map: Record<string, string> = { c: ':', n: '\n', r: '\r', '\\': '\\' };
  return value.replace(/\\([cnr\\])/g, (_, c: string) => map[c] ?? c);
}
