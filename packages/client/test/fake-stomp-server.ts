/**
 * A scriptable in-process STOMP server on a loopback port, for behaviour that a real broker
 * cannot be made to show on cue (a receipt withheld, a connection cut at a chosen frame).
 */
import { createServer, type Server, type Socket } from 'node:net';

export interface Frame {
  readonly command: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface FakeConnection {
  readonly index: number;
  readonly frames: Frame[];
  readonly socket: Socket;
  send(command: string, headers: Record<string, string>, body?: string): void;
  receipt(frame: Frame): void;
  kill(): void;
  /** Half-closes after what was written (as ActiveMQ does after a fatal ERROR). */
  end(): void;
}

export type FrameHandler = (conn: FakeConnection, frame: Frame) => void;

/** Default behaviour: CONNECTED for CONNECT, RECEIPT for everything that asks for one. */
export const answerReceipts: FrameHandler = (conn, frame) => {
  if (frame.command === 'CONNECT') {
    conn.send('CONNECTED', { version: '1.2', 'heart-beat': '0,0' });
  } else {
    conn.receipt(frame);
  }
};

export class FakeStompServer implements AsyncDisposable {
  readonly connections: FakeConnection[] = [];
  onFrame: FrameHandler = answerReceipts;
  readonly #server: Server;
  readonly #listeners: (() => void)[] = [];

  private constructor(server: Server) {
    this.#server = server;
  }

  /** Listens on `port` (0: one the kernel picks, which is what tests should use). */
  static async start(port = 0): Promise<FakeStompServer> {
    const server = createServer();
    const fake = new FakeStompServer(server);
    server.on('connection', (socket) => fake.#accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    return fake;
  }

  get port(): number {
    return (this.#server.address() as { port: number }).port;
  }

  get uri(): string {
    return `stomp://127.0.0.1:${this.port}`;
  }

  /** Resolves once `check` holds, re-checked after every frame (deadline-bounded). */
  async until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('fake server: condition not met in time');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 20);
        this.#listeners.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  framesOf(index: number, command?: string): Frame[] {
    const frames = this.connections[index]?.frames ?? [];
    return command ? frames.filter((f) => f.command === command) : frames;
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #accept(socket: Socket): void {
    const conn: FakeConnection = {
      index: this.connections.length,
      frames: [],
      socket,
      send: (command, headers, body = '') => {
        if (socket.destroyed) return;
        const head = Object.entries(headers)
          .map(([k, v]) => `${k}:${v}\n`)
          .join('');
        socket.write(`${command}\n${head}\n${body}\0`);
      },
      receipt: (frame) => {
        if (frame.headers.receipt) conn.send('RECEIPT', { 'receipt-id': frame.headers.receipt });
      },
      kill: () => socket.destroy(),
      end: () => socket.end(),
    };
    this.connections.push(conn);
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('error', () => {});
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (;;) {
        buffer = buffer.replace(/^\n+/, '');
        const end = buffer.indexOf('\0');
        if (end < 0) break;
        const raw = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        const split = raw.indexOf('\n\n');
        const [command = '', ...lines] = raw.slice(0, split).split('\n');
        const headers: Record<string, string> = {};
        for (const line of lines) {
          const i = line.indexOf(':');
          if (!(line.slice(0, i) in headers)) headers[line.slice(0, i)] = line.slice(i + 1);
        }
        const frame = { command, headers, body: raw.slice(split + 2) };
        conn.frames.push(frame);
        this.onFrame(conn, frame);
        for (const l of this.#listeners.splice(0)) l();
      }
    });
    socket.on('close', () => {
      for (const l of this.#listeners.splice(0)) l();
    });
  }
}
