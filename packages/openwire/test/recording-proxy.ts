import { connect, createServer, type Server, type Socket } from 'node:net';

export interface RecordedChunk {
  /** Which accepted connection, from 0. */
  readonly connection: number;
  readonly from: 'client' | 'broker';
  readonly bytes: Buffer;
}

/**
 * A loopback TCP proxy that forwards bytes unchanged between one client and a broker and keeps
 * every chunk with its direction: how the golden vectors are taken from a real Java client.
 */
export class RecordingProxy implements AsyncDisposable {
  readonly chunks: RecordedChunk[] = [];
  readonly #sockets = new Set<Socket>();

  private constructor(
    readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetHost: string, targetPort: number): Promise<RecordingProxy> {
    let proxy: RecordingProxy | undefined;
    let connections = 0;
    const server = createServer((client) => {
      const connection = connections++;
      const upstream = connect(targetPort, targetHost);
      proxy!.#sockets.add(client);
      proxy!.#sockets.add(upstream);
      client.on('data', (b: Buffer) => {
        proxy!.chunks.push({ connection, from: 'client', bytes: b });
        upstream.write(b);
      });
      upstream.on('data', (b: Buffer) => {
        proxy!.chunks.push({ connection, from: 'broker', bytes: b });
        client.write(b);
      });
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('close', end).on('error', end);
      upstream.on('close', end).on('error', end);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    proxy = new RecordingProxy(server, address.port);
    return proxy;
  }

  get connections(): number {
    return new Set(this.chunks.map((c) => c.connection)).size;
  }

  /** All bytes one side of one connection sent, in order. */
  stream(connection: number, from: 'client' | 'broker'): Buffer {
    return Buffer.concat(
      this.chunks.filter((c) => c.connection === connection && c.from === from).map((c) => c.bytes),
    );
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
