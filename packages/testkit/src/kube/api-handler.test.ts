// The API handler in process: node:http request/response objects without a server or socket, so
// the filter chain (authentication, faults, authorization, routing), the REST verbs and watches
// are checked without TLS, ports or timing. The handler gets the emulator's parts as its seams:
// the store and registry, the token registry, the fault injector, the request log and the set of
// open watches.
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ApiHandler } from './api-handler.js';
import { FaultInjector } from './fault-injector.js';
import { ObjectRegistry } from './object-registry.js';
import { ObjectStore } from './object-store.js';
import { OpenWatches } from './open-watches.js';
import { RequestLog } from './request-log.js';
import { storageDef } from './resources.js';
import { buildNode, buildPod } from './test-objects.js';
import { TokenRegistry } from './token-auth.js';

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

function world() {
  const store = new ObjectStore(100);
  const registry = new ObjectRegistry(store);
  const tokens = new TokenRegistry();
  tokens.set('admin', { user: 'admin' });
  tokens.set('reader', {
    user: 'system:serviceaccount:default:reader',
    rules: [{ verbs: ['get', 'list'], resources: ['pods'] }],
  });
  const faults = new FaultInjector();
  const log = new RequestLog(100);
  const watches = new OpenWatches();
  const resets: Socket[] = [];
  const handler = new ApiHandler(
    { registry, store, authenticator: tokens, faults, log, watches },
    {
      bookmarkIntervalMs: 60_000,
      watchTimeoutSeconds: 60,
      tooLargeResourceVersionWaitMs: 100,
      serverAddress: () => '127.0.0.1:0',
      resetSocket: (s) => {
        resets.push(s);
        s.destroy();
      },
    },
  );
  const request = (
    method: string,
    path: string,
    opts: { body?: unknown; token?: string; contentType?: string },
  ) => {
    const req = new IncomingMessage(new Socket());
    req.method = method;
    req.url = path;
    req.headers = {
      authorization: `Bearer ${opts.token ?? 'admin'}`,
      ...(opts.body !== undefined
        ? { 'content-type': opts.contentType ?? 'application/json' }
        : {}),
    };
    if (opts.body !== undefined) req.push(JSON.stringify(opts.body));
    req.push(null);
    return { req, res: new ServerResponse(req) };
  };
  /** One request through the handler; resolves with the status and the JSON body. */
  const send = (
    method: string,
    path: string,
    opts: { body?: unknown; token?: string; contentType?: string } = {},
  ): Promise<Answer> => {
    const { req, res } = request(method, path, opts);
    return new Promise((resolve) => {
      res.end = ((chunk?: unknown) => {
        resolve({ status: res.statusCode, body: JSON.parse(String(chunk ?? '{}')) });
        return res;
      }) as typeof res.end;
      void handler.handle(req, res);
    });
  };
  /**
   * Starts a watch; `events` are the JSON lines written so far. Resolves once the head is out
   * (the handler registered the watch by then).
   */
  const watch = async (path: string) => {
    const { req, res } = request('GET', path, {});
    const events: { type: string; object: Record<string, unknown> }[] = [];
    let ended = false;
    let partial = '';
    const take = (chunk: unknown) => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
      partial += Buffer.isBuffer(chunk) ? chunk.toString() : String(chunk);
      for (let i = partial.indexOf('\n'); i >= 0; i = partial.indexOf('\n')) {
        const line = partial.slice(0, i);
        partial = partial.slice(i + 1);
        // Chunked framing is the socket's business; a fake socket sees the bare JSON lines.
        if (line.startsWith('{')) events.push(JSON.parse(line));
      }
    };
    res.write = ((chunk: unknown) => {
      take(chunk);
      return true;
    }) as typeof res.write;
    res.end = ((chunk?: unknown) => {
      take(chunk);
      ended = true;
      res.emit('close');
      return res;
    }) as typeof res.end;
    await handler.handle(req, res);
    return { events, res, ended: () => ended };
  };
  return { store, registry, faults, log, watches, resets, handler, request, send, watch };
}

const pods = '/api/v1/namespaces/default/pods';

describe('ApiHandler', () => {
  it('authenticates before anything else: 401 for an unknown token, even on a missing path', async () => {
    const w = world();
    expect((await w.send('GET', '/api/v1/nope', { token: 'x' })).status).toBe(401);
    expect((await w.send('GET', '/api/v1/nope')).status).toBe(404);
  });

  it('authorizes with RBAC: 403 with the real message shape', async () => {
    const w = world();
    const a = await w.send('DELETE', `${pods}/amq-0`, { token: 'reader' });
    expect(a.status).toBe(403);
    expect(a.body.message).toBe(
      'pods "amq-0" is forbidden: User "system:serviceaccount:default:reader" cannot delete resource "pods" in API group "" in the namespace "default"',
    );
  });

  it('injected faults hit after authentication, before authorization', async () => {
    const w = world();
    w.faults.failNext(1, { status: 503, verb: 'get' });
    expect((await w.send('GET', `${pods}/amq-0`, { token: 'reader' })).status).toBe(503);
    expect((await w.send('GET', `${pods}/amq-0`, { token: 'reader' })).status).toBe(404);
  });

  it('routes cluster-scoped Nodes only outside namespaces', async () => {
    const w = world();
    w.registry.create(storageDef('nodes'), '', buildNode('node-a'));
    expect((await w.send('GET', '/api/v1/nodes/node-a')).status).toBe(200);
    expect((await w.send('GET', '/api/v1/namespaces/default/nodes/node-a')).status).toBe(404);
    expect((await w.send('GET', '/api/v1/pods/amq-0')).status).toBe(404);
  });

  it('DELETE of a scheduled pod answers with the terminating pod; grace 0 from the query removes it', async () => {
    const w = world();
    w.registry.create(storageDef('pods'), 'default', buildPod({ name: 'amq-0' }, 'default'), {
      keepStatus: true,
    });
    const a = await w.send('DELETE', `${pods}/amq-0`);
    expect(a.status).toBe(200);
    expect(a.body.kind).toBe('Pod');
    expect((a.body.metadata as Record<string, unknown>).deletionGracePeriodSeconds).toBe(30);
    expect(w.store.get('pods', 'default', 'amq-0')).toBeDefined();
    expect((await w.send('DELETE', `${pods}/amq-0?gracePeriodSeconds=0`)).status).toBe(200);
    expect(w.store.get('pods', 'default', 'amq-0')).toBeUndefined();
  });

  it('rejects a gracePeriodSeconds that is not an integer', async () => {
    const w = world();
    w.registry.create(storageDef('pods'), 'default', buildPod({ name: 'amq-0' }, 'default'));
    const a = await w.send('DELETE', `${pods}/amq-0`, { body: { gracePeriodSeconds: 'soon' } });
    expect(a.status).toBe(400);
  });

  it('pods/binding sets nodeName and PodScheduled in one write; a bound or deleted pod is a 409', async () => {
    const w = world();
    const def = storageDef('pods');
    w.registry.create(def, 'default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'amq-0' },
      spec: { containers: [{ name: 'broker', image: 'x' }] },
    });
    const rv = w.store.resourceVersion;
    const binding = { metadata: { name: 'amq-0' }, target: { kind: 'Node', name: 'node-0' } };
    const a = await w.send('POST', `${pods}/amq-0/binding`, { body: binding });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ kind: 'Status', status: 'Success', code: 201 });
    expect(w.store.resourceVersion).toBe(rv + 1);
    const pod = w.store.get('pods', 'default', 'amq-0');
    expect(pod?.spec?.nodeName).toBe('node-0');
    expect(pod?.status?.conditions).toMatchObject([{ type: 'PodScheduled', status: 'True' }]);
    const again = await w.send('POST', `${pods}/amq-0/binding`, { body: binding });
    expect(again.status).toBe(409);
    expect(again.body.message).toBe(
      'Operation cannot be fulfilled on pods/binding "amq-0": pod amq-0 is already assigned to node "node-0"',
    );
    const noTarget = await w.send('POST', `${pods}/amq-0/binding`, { body: { target: {} } });
    expect(noTarget.status).toBe(422);
  });

  it('415 for a patch type it does not know', async () => {
    const w = world();
    w.registry.create(storageDef('pods'), 'default', buildPod({ name: 'amq-0' }, 'default'));
    const a = await w.send('PATCH', `${pods}/amq-0`, {
      body: {},
      contentType: 'application/x-unknown-patch',
    });
    expect(a.status).toBe(415);
  });

  it('logs every request with its verb, resource and the answered status and user', async () => {
    const w = world();
    await w.send('GET', `${pods}/amq-0`, { token: 'reader' });
    await w.send('GET', '/api/v1/nope', { token: 'x' });
    expect(w.log.list().map((r) => [r.verb, r.resource, r.name, r.status, r.user])).toEqual([
      ['get', 'pods', 'amq-0', 404, 'system:serviceaccount:default:reader'],
      ['list', 'nope', undefined, 401, undefined],
    ]);
  });

  it("an injected 'reset' goes to the server's resetSocket hook instead of an answer", async () => {
    const w = world();
    w.faults.failNext(1, { status: 'reset', verb: 'list', resource: 'pods' });
    const { req, res } = w.request('GET', pods, {});
    await w.handler.handle(req, res);
    expect(w.resets).toEqual([req.socket]);
    expect(res.headersSent).toBe(false);
    expect(w.faults.pendingFailures).toBe(0);
    // The next one is served.
    expect((await w.send('GET', pods)).status).toBe(200);
  });

  it('registers a watch in the open watches until it is cut', async () => {
    const w = world();
    w.registry.create(storageDef('pods'), 'default', buildPod({ name: 'amq-0' }, 'default'));
    const stream = await w.watch(`${pods}?watch=true`);
    expect(w.watches.size).toBe(1);
    expect(stream.events.map((e) => e.type)).toEqual(['ADDED']);
    w.registry.patch(
      storageDef('pods'),
      'default',
      'amq-0',
      'merge',
      { metadata: { labels: { leader: 'yes' } } },
      undefined,
    );
    expect(stream.events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED']);
    expect(w.watches.cutAll('graceful')).toBe(1);
    expect(stream.ended()).toBe(true);
    expect(w.watches.size).toBe(0);
  });

  it('a watch from a compacted resourceVersion gets 200 and an ERROR event with 410 Expired', async () => {
    const w = world();
    const first = w.registry.create(
      storageDef('pods'),
      'default',
      buildPod({ name: 'amq-0' }, 'default'),
    );
    w.registry.create(storageDef('pods'), 'default', buildPod({ name: 'amq-1' }, 'default'));
    w.store.compact(); // what a restarted apiserver's watch cache looks like
    const stream = await w.watch(
      `${pods}?watch=true&resourceVersion=${first.metadata.resourceVersion}`,
    );
    expect(stream.res.statusCode).toBe(200);
    expect(stream.events).toHaveLength(1);
    expect(stream.events[0]?.type).toBe('ERROR');
    expect(stream.events[0]?.object).toMatchObject({
      kind: 'Status',
      code: 410,
      reason: 'Expired',
    });
    expect(stream.ended()).toBe(true);
    expect(w.watches.size).toBe(0);
  });

  it('a watch from the current resourceVersion sends only later events', async () => {
    const w = world();
    const pod = w.registry.create(
      storageDef('pods'),
      'default',
      buildPod({ name: 'amq-0' }, 'default'),
    );
    const stream = await w.watch(
      `${pods}?watch=true&resourceVersion=${pod.metadata.resourceVersion}`,
    );
    expect(stream.events).toEqual([]);
    w.registry.delete(storageDef('pods'), 'default', 'amq-0', undefined, { gracePeriodSeconds: 0 });
    expect(stream.events.at(-1)?.type).toBe('DELETED');
    expect(
      stream.events.every(
        (e) =>
          Number((e.object.metadata as Record<string, string>).resourceVersion) >
          Number(pod.metadata.resourceVersion),
      ),
    ).toBe(true);
    w.watches.cutAll('graceful');
  });
});
