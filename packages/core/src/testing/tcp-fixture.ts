import { createServer, type Server, type Socket } from 'node:net';

/** A loopback TCP server for probe tests; `await using` closes it and its connections. */
export interface TcpFixture extends AsyncDisposable {
  readonly port: number;
  /** Bytes received per connection, in order of connection. */
  readonly received: Buffer[];
  readonly connections: number;
}

export async function tcpFixture(
  onConnection: (socket: Socket) => void = () => {},
): Promise<TcpFixture> {
  const sockets = new Set<Socket>();
  const received: Buffer[] = [];
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    const index = received.push(Buffer.alloc(0)) - 1;
    socket.on('data', (chunk: Buffer) => {
      received[index] = Buffer.concat([received[index]!, chunk]);
    });
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    received,
    get connections() {
      return connections;
    },
    async [Symbol.asyncDispose]() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port on which nothing listens (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}
