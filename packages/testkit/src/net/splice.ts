import { connect, type Socket } from 'node:net';

/**
 * Joins an accepted client socket to a new connection to `host:port`, both ways, as a DNAT'd
 * connection behaves: a refused or reset backend reaches the client as a reset, and either side
 * closing closes the other. The pair is in `open` until the client closes, so the owner can end
 * every established connection on close. Shared by the emulator's Service proxy and the
 * kube-proxy stand-in of the real target.
 */
export function splice(client: Socket, host: string, port: number, open: Set<Socket>): void {
  const upstream = connect({ host, port });
  open.add(client);
  client.setNoDelay(true);
  upstream.setNoDelay(true);
  client.pipe(upstream);
  upstream.pipe(client);
  upstream.on('error', () => {
    if (!client.destroyed) client.resetAndDestroy();
  });
  client.on('error', () => upstream.destroy());
  upstream.on('close', () => client.destroy());
  client.on('close', () => {
    open.delete(client);
    upstream.destroy();
  });
}
