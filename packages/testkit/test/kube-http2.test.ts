// The emulator serves HTTP/2 and HTTP/1.1 on one TLS port, preferring h2 like a Go server. These
// tests pin down which protocol client-node 2.x (undici, allowH2) really negotiates, and that
// watches and every transport fault behave on both protocols.
import { connect as h2connect } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { CoreV1Api, makeInformer, type V1Pod, Watch } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { type KubeEmulator, startKubeEmulator } from '../src/index.js';

type Protocol = 'h2' | 'http/1.1';

async function start(protocol: Protocol): Promise<KubeEmulator> {
  const emu = await startKubeEmulator(protocol === 'h2' ? {} : { alpnProtocols: ['http/1.1'] });
  emu.createPod({ name: 'amq-0', labels: { app: 'amq' } });
  return emu;
}

/** A client-node watch on pods whose events and end can be awaited through the emulator. */
async function podWatch(emu: KubeEmulator) {
  const names: string[] = [];
  const ends: unknown[] = [];
  await new Watch(emu.kubeConfig()).watch(
    '/api/v1/namespaces/default/pods',
    { resourceVersion: String(emu.resourceVersion) },
    (_type, obj: V1Pod) => names.push(obj.metadata?.name ?? ''),
    (err) => ends.push(err ?? null),
  );
  return { names, ends };
}

describe('client-node 2.x negotiates HTTP/2 with the emulator (undici allowH2 default)', () => {
  let emu: KubeEmulator | undefined;
  afterEach(async () => {
    await emu?.close();
    emu = undefined;
  });

  it('requests and watches go over h2 (each request on a connection of its own)', async () => {
    emu = await start('h2');
    const core = emu.kubeConfig().makeApiClient(CoreV1Api);
    await core.readNamespacedPod({ name: 'amq-0', namespace: 'default' });
    const w = await podWatch(emu);
    await emu.waitFor(() => emu?.openWatches === 1);
    await core.listNamespacedPod({ namespace: 'default' });
    const records = emu.requests({ afterSeq: 0 });
    expect(new Set(records.map((r) => r.protocol))).toEqual(new Set(['h2']));
    // client-node 2.0.1 builds a new undici Agent per request (KubeConfig.applyToFetchOptions),
    // so no two requests share a connection: GOAWAY can never strand one of its requests.
    expect(new Set(records.map((r) => r.clientPort)).size).toBe(records.length);
    expect(w.ends).toEqual([]);
  });

  it('falls back to HTTP/1.1 when the server offers only http/1.1', async () => {
    emu = await start('http/1.1');
    const core = emu.kubeConfig().makeApiClient(CoreV1Api);
    expect((await core.listNamespacedPod({ namespace: 'default' })).items).toHaveLength(1);
    expect(emu.requests().map((r) => r.protocol)).toEqual(['http/1.1']);
  });
});

describe.each<Protocol>(['h2', 'http/1.1'])('transport faults over %s', (protocol) => {
  let emu: KubeEmulator;
  afterEach(async () => {
    await emu.close();
  });

  it('a watch gets events; cutWatches in every mode ends it with an error or an end', async () => {
    emu = await start(protocol);
    for (const mode of ['reset', 'rst-stream', 'close', 'graceful'] as const) {
      const w = await podWatch(emu);
      await emu.waitFor(() => emu.openWatches === 1);
      const name = `pod-${mode}`;
      emu.createPod({ name });
      await emu.waitFor(() => w.names.includes(name), { description: `${mode}: event` });
      expect(emu.cutWatches(mode)).toBe(1);
      await emu.waitFor(() => w.ends.length === 1, { description: `${mode}: watch end` });
      if (mode === 'graceful') expect(w.ends[0]).toBeNull();
      else expect(w.ends[0]).toBeInstanceOf(Error);
      expect(emu.openWatches).toBe(0);
    }
    expect(new Set(emu.requests().map((r) => r.protocol))).toEqual(new Set([protocol]));
  });

  it('rst-stream fails one request; the next one succeeds', async () => {
    emu = await start(protocol);
    const core = emu.kubeConfig().makeApiClient(CoreV1Api);
    await core.listNamespacedPod({ namespace: 'default' });
    emu.failNext(1, { status: 'rst-stream', verb: 'get' });
    await expect(core.readNamespacedPod({ name: 'amq-0', namespace: 'default' })).rejects.toThrow();
    const pod = await core.readNamespacedPod({ name: 'amq-0', namespace: 'default' });
    expect(pod.metadata?.name).toBe('amq-0');
  });

  it('an informer keeps its cache through a GOAWAY of every connection and a reset', async () => {
    emu = await start(protocol);
    const core = emu.kubeConfig().makeApiClient(CoreV1Api);
    const informer = makeInformer(emu.kubeConfig(), '/api/v1/namespaces/default/pods', () =>
      core.listNamespacedPod({ namespace: 'default' }),
    );
    const seen = new Set<string>();
    informer.on('add', (p: V1Pod) => seen.add(p.metadata?.name ?? ''));
    informer.on('error', () => {
      // ListWatch stops on errors other than 410/timeouts; restart it, as callers must.
      setTimeout(() => void informer.start(), 10);
    });
    try {
      await informer.start();
      await emu.waitFor(() => seen.has('amq-0') && emu.openWatches === 1);
      // GOAWAY lets the open watch stream go on: it still delivers.
      // client-node's idle list connections may still be open: at least the watch's is told.
      if (protocol === 'h2') expect(emu.goAway()).toBeGreaterThanOrEqual(1);
      else expect(emu.goAway()).toBe(0);
      emu.createPod({ name: 'amq-1' });
      await emu.waitFor(() => seen.has('amq-1'));
      expect(emu.openWatches).toBe(1);
      emu.cutWatches('reset');
      emu.createPod({ name: 'amq-2' });
      await emu.waitFor(() => seen.has('amq-2') && emu.openWatches === 1);
    } finally {
      await informer.stop();
    }
  });
});

/** One long-lived HTTP/2 connection, like client-go's shared transport. */
function h2client(emu: KubeEmulator) {
  const session = h2connect(emu.url, { ca: emu.caCert });
  const goaways: number[] = [];
  session.on('goaway', (code) => goaways.push(code));
  session.on('error', () => undefined);
  const get = (path: string, onData?: (chunk: string) => void) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = session.request({ ':path': path, authorization: `Bearer ${emu.token}` });
      let status = 0;
      let body = '';
      req.setEncoding('utf8');
      req.on('response', (h) => {
        status = Number(h[':status']);
        if (onData) resolve({ status, body: '' });
      });
      req.on('data', (c: string) => {
        body += c;
        onData?.(c);
      });
      req.on('end', () => resolve({ status, body }));
      req.on('error', reject);
    });
  return { session, goaways, get };
}

describe('GOAWAY on a shared HTTP/2 connection', () => {
  let emu: KubeEmulator;
  afterEach(async () => {
    await emu.close();
  });

  it('a goaway fault answers the request, then GOAWAY (NO_ERROR) closes the connection', async () => {
    emu = await start('h2');
    const c = h2client(emu);
    try {
      emu.failNext(1, { status: 'goaway', verb: 'get' });
      const r = await c.get('/api/v1/namespaces/default/pods/amq-0');
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body).metadata.name).toBe('amq-0');
      await emu.waitFor(() => c.goaways.length > 0 && c.session.closed);
      expect(c.goaways).toEqual([0]);
    } finally {
      c.session.destroy();
    }
  });

  it('goAway() keeps an open watch stream delivering; the connection takes no new stream', async () => {
    emu = await start('h2');
    const c = h2client(emu);
    try {
      let events = '';
      await c.get(
        `/api/v1/namespaces/default/pods?watch=true&resourceVersion=${emu.resourceVersion}`,
        (d) => {
          events += d;
        },
      );
      expect(emu.goAway()).toBe(1);
      await emu.waitFor(() => c.goaways.length > 0);
      emu.createPod({ name: 'amq-1' });
      await emu.waitFor(() => events.includes('"amq-1"'));
      await expect(c.get('/api/v1/namespaces/default/pods')).rejects.toThrow();
    } finally {
      c.session.destroy();
    }
  });

  it('over HTTP/1.1 a goaway fault answers with Connection: close', async () => {
    emu = await start('http/1.1');
    emu.failNext(1, { status: 'goaway', verb: 'get' });
    const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const req = httpsRequest(
        `${emu.url}/api/v1/namespaces/default/pods/amq-0`,
        { ca: emu.caCert, headers: { authorization: `Bearer ${emu.token}` } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.headers));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(headers.connection).toBe('close');
  });
});
