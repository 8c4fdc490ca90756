import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type KubeEmulator,
  type ServiceProxy,
  startKubeEmulator,
  startServiceProxy,
} from '../src/index.js';

/** A backend that greets each connection with its name, then echoes. */
async function backend(name: string): Promise<Server> {
  const server = createServer((s) => {
    s.write(`${name}\n`);
    s.pipe(s);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

function portOf(server: Server): number {
  const a = server.address();
  if (!a || typeof a === 'string') throw new Error('not listening');
  return a.port;
}

/** Connects and reads the greeting line; rejects with the socket error (ECONNREFUSED...). */
function greet(port: number): Promise<{ socket: Socket; name: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let buf = '';
    socket.setEncoding('utf8');
    const onData = (d: string) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        socket.off('data', onData);
        resolve({ socket, name: buf.slice(0, nl) });
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.once('close', () => reject(new Error('closed before greeting')));
  });
}

function echo(socket: Socket, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    socket.once('data', (d) => resolve(String(d)));
    socket.once('error', reject);
    socket.write(text);
  });
}

describe('service proxy (kube-proxy stand-in for the Service ClusterIP)', () => {
  let emu: KubeEmulator;
  let proxy: ServiceProxy;
  const servers: Server[] = [];
  const sockets: Socket[] = [];

  beforeEach(async () => {
    servers.push(await backend('amq-0'), await backend('amq-1'));
    emu = await startKubeEmulator();
    for (const [i, s] of servers.entries()) {
      emu.createPod({
        name: `amq-${i}`,
        labels: i === 0 ? { app: 'amq', leader: 'yes' } : { app: 'amq' },
        containerPorts: [{ name: 'stomp', containerPort: portOf(s) }],
      });
    }
    emu.createService({
      name: 'amq',
      selector: { app: 'amq', leader: 'yes' },
      ports: [{ name: 'stomp', port: 61613, targetPort: 'stomp' }],
    });
    proxy = await startServiceProxy(emu, { service: 'amq', portName: 'stomp' });
    // The controller writes the first slice a few ms after the Service appears, the proxy follows.
    await proxy.waitForEndpoints((e) => e[0]?.pod === 'amq-0');
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await proxy.close();
    await emu.close();
    for (const s of servers.splice(0)) s.close();
  });

  it('sends a new connection to the ready pod of the Service', async () => {
    const c = await greet(proxy.port);
    sockets.push(c.socket);
    expect(c.name).toBe('amq-0');
    expect(await echo(c.socket, 'ping')).toBe('ping');
    expect(proxy.connections()).toMatchObject([
      { pod: 'amq-0', address: '127.0.0.1', port: portOf(servers[0] as Server) },
    ]);
  });

  it('refuses connections while the Service has no ready endpoint, on the same port afterwards', async () => {
    const port = proxy.port;
    emu.setPodReady('amq-0', false);
    await proxy.waitForEndpoints((e) => e.length === 0);
    await expect(greet(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    emu.setPodLabels('amq-0', { leader: null });
    emu.setPodLabels('amq-1', { leader: 'yes' });
    await proxy.waitForEndpoints((e) => e[0]?.pod === 'amq-1');
    expect(proxy.port).toBe(port);
    const c = await greet(port);
    sockets.push(c.socket);
    expect(c.name).toBe('amq-1');
  });

  it('keeps an established connection when the label moves; new connections go to the new pod', async () => {
    const first = await greet(proxy.port);
    sockets.push(first.socket);
    expect(first.name).toBe('amq-0');
    emu.setPodLabels('amq-0', { leader: null });
    emu.setPodLabels('amq-1', { leader: 'yes' });
    await proxy.waitForEndpoints((e) => e.length === 1 && e[0]?.pod === 'amq-1');
    expect(await echo(first.socket, 'still here')).toBe('still here');
    const second = await greet(proxy.port);
    sockets.push(second.socket);
    expect(second.name).toBe('amq-1');
    expect(proxy.openConnections).toBe(2);
  });

  it('follows the default lag: the slice changes after the controller syncs, the proxy after its own sync', async () => {
    const syncs = proxy.syncs;
    emu.setPodLabels('amq-0', { leader: null });
    emu.setPodLabels('amq-1', { leader: 'yes' });
    // Same tick: the controller's informer has not seen the pods change yet.
    expect(emu.readyEndpoints('amq', { portName: 'stomp' }).map((e) => e.pod)).toEqual(['amq-0']);
    await emu.waitFor(() => emu.readyEndpoints('amq', { portName: 'stomp' })[0]?.pod === 'amq-1');
    await proxy.waitForEndpoints((e) => e.length === 1 && e[0]?.pod === 'amq-1');
    expect(proxy.syncs).toBeGreaterThan(syncs);
    const c = await greet(proxy.port);
    sockets.push(c.socket);
    expect(c.name).toBe('amq-1');
  });

  it('with zero lag asked for, slices and the proxy change in the same tick', async () => {
    await using quick = await startKubeEmulator({ endpointSliceLag: 'none' });
    quick.createPod({
      name: 'amq-0',
      labels: { app: 'amq' },
      containerPorts: [{ name: 'stomp', containerPort: portOf(servers[0] as Server) }],
    });
    quick.createService({
      name: 'amq',
      selector: { app: 'amq', leader: 'yes' },
      ports: [{ name: 'stomp', port: 61613, targetPort: 'stomp' }],
    });
    await using p = await startServiceProxy(quick, { service: 'amq', syncLag: 'none' });
    expect(p.endpoints()).toEqual([]);
    quick.setPodLabels('amq-0', { leader: 'yes' });
    expect(quick.readyEndpoints('amq').map((e) => e.pod)).toEqual(['amq-0']);
    expect(p.endpoints().map((e) => e.pod)).toEqual(['amq-0']);
  });
});
