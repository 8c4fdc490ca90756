import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy to one broker that can hold back what the broker sends: with `hold()` the bytes
 * of the connections open now stop at the proxy (the broker has answered; the client does not
 * know). That makes "a send in flight when the connection died" exact: the broker stored the
 * message and sent its Response, and the client must write it again on the next connection.
 * Either side closing closes the other, so a killed broker reaches the client as a close.
 */
export class HoldingProxy {
  readonly #server: Server;
  readonly #pairs = new Set<{ client: Socket; upstream: Socket; held: boolean }>();
  /** Bytes the broker sent that were held back. */
  heldBytes = 0;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(host: string, port: number): Promise<HoldingProxy> {
    const server = createServer();
    const proxy = new HoldingProxy(server);
    server.on('connection', (client) => proxy.#join(client, host, port));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    const address = this.#server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  /** Holds back, from now on, what the broker sends on the connections open now. */
  hold(): void {
    for (const pair of this.#pairs) pair.held = true;
  }

  /** Closes every open connection (both sides), as a network failure would. */
  dropAll(): void {
    for (const { client, upstream } of this.#pairs) {
      client.destroy();
      upstream.destroy();
    }
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #join(client: Socket, host: string, port: number): void {
    const upstream = connect({ host, port });
    const pair = { client, upstream, held: false };
    this.#pairs.add(pair);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (pair.held) this.heldBytes += chunk.length;
      else client.write(chunk);
    });
    const end = () => {
      this.#pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', end);
    upstream.on('close', end);
    client.on('error', end);
    client.on('close', end);
  }
}
