import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpStatusError, KubeHttp } from './kube-http.js';

type Handler = (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;

/** A loopback HTTP server scripted per request; counts connections and requests per socket. */
async function server(handler: Handler) {
  const sockets = new Set<Socket>();
  const perSocket = new Map<Socket, number>();
  const s = http.createServer((req, res) => {
    perSocket.set(req.socket, (perSocket.get(req.socket) ?? 0) + 1);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  s.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromClusterAndUser(
    { name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true },
    { name: 'u', token: 't0ken' },
  );
  const connections = () => perSocket.size;
  const requestsOn = (socket: Socket) => perSocket.get(socket) ?? 0;
  return {
    kubeConfig,
    connections,
    requestsOn,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => s.close(resolve));
    },
  };
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(handler: Handler) {
  const srv = await server(handler);
  const client = new KubeHttp();
  cleanups.push(srv.close, () => client.close());
  return { srv, client };
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

describe('KubeHttp.json', () => {
  it("sends client-node's credentials and JSON, and keeps one connection alive", async () => {
    const seen: { method?: string; url?: string; auth?: string; type?: string; body: string }[] =
      [];
    const { srv, client } = await setup((req, body, res) => {
      seen.push({
        method: req.method,
        url: req.url,
        auth: req.headers.authorization,
        type: req.headers['content-type'],
        body,
      });
      json(res, 200, { metadata: { name: 'amq-0' } });
    });
    const got = await client.json(srv.kubeConfig, { method: 'GET', path: '/api/v1/pods/x' });
    expect(got).toEqual({ metadata: { name: 'amq-0' } });
    await client.json(srv.kubeConfig, {
      method: 'PATCH',
      path: '/api/v1/pods/x',
      body: { metadata: { labels: { leader: 'yes' } } },
      contentType: 'application/merge-patch+json',
    });
    expect(seen).toEqual([
      { method: 'GET', url: '/api/v1/pods/x', auth: 'Bearer t0ken', type: undefined, body: '' },
      {
        method: 'PATCH',
        url: '/api/v1/pods/x',
        auth: 'Bearer t0ken',
        type: 'application/merge-patch+json',
        body: '{"metadata":{"labels":{"leader":"yes"}}}',
      },
    ]);
    expect(srv.connections()).toBe(1);
  });

  it('rejects a non-2xx answer with its status and the Status body', async () => {
    const status = { kind: 'Status', reason: 'Conflict', message: 'the object has been modified' };
    const { srv, client } = await setup((_req, _body, res) => json(res, 409, status));
    const err = await client
      .json(srv.kubeConfig, { method: 'PUT', path: '/x', body: {} })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpStatusError);
    expect(err).toMatchObject({ statusCode: 409, message: 'Conflict' });
    expect(JSON.parse((err as HttpStatusError).body)).toEqual(status);
  });

  it('retries once on a new connection when a kept-alive one was reset before the answer', async () => {
    let reset = 0;
    const { srv, client } = await setup((req, _body, res) => {
      // The second request on the first connection: the server had dropped it (an idle close
      // racing the client's reuse), so it answers with a reset.
      if (srv.requestsOn(req.socket) === 2 && reset === 0) {
        reset++;
        req.socket.resetAndDestroy();
        return;
      }
      json(res, 200, { ok: true });
    });
    await client.json(srv.kubeConfig, { method: 'GET', path: '/a' });
    expect(await client.json(srv.kubeConfig, { method: 'GET', path: '/b' })).toEqual({ ok: true });
    expect(reset).toBe(1);
    expect(srv.connections()).toBe(2);
  });

  it("rejects with the signal's reason when aborted (a request deadline)", async () => {
    const { srv, client } = await setup(() => {
      // never answers
    });
    const controller = new AbortController();
    const pending = client.json(srv.kubeConfig, {
      method: 'GET',
      path: '/hang',
      signal: controller.signal,
    });
    const reason = new DOMException('deadline', 'TimeoutError');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it('rejects with the socket error when nothing listens', async () => {
    const { srv, client } = await setup(() => {});
    await srv.close();
    await expect(client.json(srv.kubeConfig, { method: 'GET', path: '/' })).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });
});

describe('KubeHttp.watch', () => {
  function collector() {
    const events: [string, unknown][] = [];
    let resolveEnd!: (e: Error | undefined) => void;
    const ended = new Promise<Error | undefined>((r) => {
      resolveEnd = r;
    });
    return {
      events,
      ended,
      handlers: {
        onEvent: (type: string, object: unknown) => events.push([type, object]),
        onEnd: (e: Error | undefined) => resolveEnd(e),
      },
    };
  }

  it('parses events split across chunks, skips non-JSON lines, and ends cleanly', async () => {
    let url: string | undefined;
    const { srv, client } = await setup((req, _body, res) => {
      url = req.url;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"type":"ADDED","object":{"metadata":{"name":"a"}}}\n{"type":"MOD');
      setImmediate(() => {
        res.write('IFIED","object":{"n":1}}\nnot json\n');
        res.end('{"type":"BOOKMARK","object":{}}\n');
      });
    });
    const c = collector();
    await client.watch(
      srv.kubeConfig,
      '/api/v1/namespaces/mq/pods?labelSelector=a%3Db',
      c.handlers,
    );
    expect(await c.ended).toBeUndefined();
    expect(url).toBe('/api/v1/namespaces/mq/pods?labelSelector=a%3Db&watch=true');
    expect(c.events).toEqual([
      ['ADDED', { metadata: { name: 'a' } }],
      ['MODIFIED', { n: 1 }],
      ['BOOKMARK', {}],
    ]);
  });

  it('rejects a watch that does not start (403) with the Status body', async () => {
    const { srv, client } = await setup((_req, _body, res) =>
      json(res, 403, { kind: 'Status', reason: 'Forbidden', message: 'pods is forbidden' }),
    );
    const c = collector();
    const err = await client.watch(srv.kubeConfig, '/w', c.handlers).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'HttpStatusError', statusCode: 403 });
    expect((err as HttpStatusError).body).toContain('pods is forbidden');
  });

  it('ends a silent stream as a clean end, like a server timeout', async () => {
    const { srv, client } = await setup((_req, _body, res) => {
      res.writeHead(200);
      res.flushHeaders();
    });
    const c = collector();
    await client.watch(srv.kubeConfig, '/w', c.handlers, 200);
    expect(await c.ended).toBeUndefined();
  });

  it('reports a stream cut mid-way as an error end', async () => {
    const { srv, client } = await setup((req, _body, res) => {
      res.writeHead(200);
      res.write('{"type":"ADDED","object":{}}\n', () => req.socket.resetAndDestroy());
    });
    const c = collector();
    await client.watch(srv.kubeConfig, '/w', c.handlers);
    expect(await c.ended).toBeInstanceOf(Error);
  });

  it('close() ends the stream without calling onEnd', async () => {
    let closedByClient!: () => void;
    const serverSaw = new Promise<void>((r) => {
      closedByClient = r;
    });
    const { srv, client } = await setup((req, _body, res) => {
      res.writeHead(200);
      res.flushHeaders();
      req.socket.once('close', closedByClient);
    });
    const c = collector();
    let ended = false;
    const stream = await client.watch(srv.kubeConfig, '/w', {
      onEvent: c.handlers.onEvent,
      onEnd: () => {
        ended = true;
      },
    });
    stream.close();
    await serverSaw;
    expect(ended).toBe(false);
  });
});
