// The API handler in process: node:http request/response objects without a server or socket, so
// the filter chain (authentication, faults, authorization, routing) and the REST verbs are
// checked without TLS, ports or timing.
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ApiHandler } from './api-handler.js';
import { FaultInjector } from './fault-injector.js';
import { ObjectRegistry } from './object-registry.js';
import { ObjectStore } from './object-store.js';
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
  const handler = new ApiHandler(registry, store, tokens, faults, new RequestLog(100), {
    bookmarkIntervalMs: 60_000,
    watchTimeoutSeconds: 60,
    tooLargeResourceVersionWaitMs: 100,
    serverAddress: () => '127.0.0.1:0',
    resetSocket: (s) => s.destroy(),
  });
  /** One request through the handler; resolves with the status and the JSON body. */
  const send = (
    method: string,
    path: string,
    opts: { body?: unknown; token?: string; contentType?: string } = {},
  ): Promise<Answer> => {
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
    const res = new ServerResponse(req);
    return new Promise((resolve) => {
      res.end = ((chunk?: unknown) => {
        resolve({ status: res.statusCode, body: JSON.parse(String(chunk ?? '{}')) });
        return res;
      }) as typeof res.end;
      void handler.handle(req, res);
    });
  };
  return { store, registry, faults, send };
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
});
