// The emulator's watch cache as the apiserver's cacher behaves: per resource, reset by a restart,
// blocking briefly for a future resourceVersion, and selector-leaving DELETEDs with the previous
// object. Plain HTTP/2 requests, so the wire format is what is checked.
import { connect } from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import { type KubeEmulator, startKubeEmulator } from '../src/index.js';

type Event = {
  type: string;
  object: Record<string, unknown> & { metadata?: Record<string, unknown> };
};

/** GET on one fresh HTTP/2 connection; for watches, collects events until `until` holds. */
function get(
  emu: KubeEmulator,
  path: string,
  until: (events: Event[]) => boolean = () => false,
): Promise<{ status: number; body: string; events: Event[] }> {
  return new Promise((resolve, reject) => {
    const session = connect(emu.url, { ca: emu.caCert });
    session.on('error', reject);
    const req = session.request({ ':path': path, authorization: `Bearer ${emu.token}` });
    let status = 0;
    let body = '';
    const events: Event[] = [];
    const done = () => {
      session.destroy();
      resolve({ status, body, events });
    };
    req.setEncoding('utf8');
    req.on('response', (h) => {
      status = Number(h[':status']);
    });
    req.on('data', (chunk: string) => {
      body += chunk;
      if (!path.includes('watch=true')) return;
      const lines = body.split('\n');
      events.length = 0;
      for (const l of lines) if (l.trim()) events.push(JSON.parse(l) as Event);
      if (until(events)) done();
    });
    req.on('end', done);
    req.on('error', reject);
  });
}

const pods = '/api/v1/namespaces/default/pods';

describe('watch cache', () => {
  let emu: KubeEmulator;
  afterEach(async () => {
    await emu.close();
  });

  it('after a restart, a watch resumed from an older resourceVersion gets an ERROR event with 410', async () => {
    emu = await startKubeEmulator({ endpointSliceLag: 'none' });
    emu.createPod({ name: 'amq-0' });
    const rv = emu.resourceVersion;
    emu.createPod({ name: 'amq-1' });
    // Before the restart the cache still holds rv: the watch replays amq-1.
    const before = await get(emu, `${pods}?watch=true&resourceVersion=${rv}`, (e) => e.length > 0);
    expect(before.events.map((e) => [e.type, e.object.metadata?.name])).toEqual([
      ['ADDED', 'amq-1'],
    ]);
    await emu.setDown(true);
    await emu.setDown(false);
    const after = await get(emu, `${pods}?watch=true&resourceVersion=${rv}`, (e) => e.length > 0);
    expect(after.status).toBe(200);
    expect(after.events[0]).toMatchObject({
      type: 'ERROR',
      object: { kind: 'Status', code: 410, reason: 'Expired' },
    });
  });

  it('a network reset (no restart) keeps the cache: the watch resumes', async () => {
    emu = await startKubeEmulator({ endpointSliceLag: 'none' });
    emu.createPod({ name: 'amq-0' });
    const rv = emu.resourceVersion;
    emu.createPod({ name: 'amq-1' });
    await emu.down(50, 'reset');
    const w = await get(emu, `${pods}?watch=true&resourceVersion=${rv}`, (e) => e.length > 0);
    expect(w.events.map((e) => e.type)).toEqual(['ADDED']);
  });

  it('history is per resource: a burst of other writes does not expire a pod watch', async () => {
    emu = await startKubeEmulator({ historyLimit: 5, endpointSliceLag: 'none' });
    emu.createPod({ name: 'amq-0' });
    const rv = emu.resourceVersion;
    emu.setPodLabels('amq-0', { zone: 'a' });
    for (let i = 0; i < 10; i++) emu.createService({ name: `s${i}`, ports: [{ port: 80 }] });
    const w = await get(emu, `${pods}?watch=true&resourceVersion=${rv}`, (e) => e.length > 0);
    expect(w.events.map((e) => e.type)).toEqual(['MODIFIED']);
  });

  it('a watch-list (sendInitialEvents) from a future resourceVersion waits, then ERROR 504', async () => {
    emu = await startKubeEmulator({ tooLargeResourceVersionWaitMs: 200, endpointSliceLag: 'none' });
    const future = emu.resourceVersion + 5;
    const w = await get(
      emu,
      `${pods}?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&resourceVersion=${future}`,
      (e) => e.length > 0,
    );
    expect(w.events[0]).toMatchObject({
      type: 'ERROR',
      object: {
        code: 504,
        reason: 'Timeout',
        message: `Timeout: Too large resource version: ${future}, current: ${emu.resourceVersion}`,
        details: { causes: [{ reason: 'ResourceVersionTooLarge' }], retryAfterSeconds: 1 },
      },
    });
  });

  it('a future resourceVersion reached within the wait: the watch starts from it', async () => {
    emu = await startKubeEmulator({
      tooLargeResourceVersionWaitMs: 10_000,
      endpointSliceLag: 'none',
    });
    emu.createNode('emulated-node'); // the pods' Node, registered before the counted writes
    const future = emu.resourceVersion + 1;
    const w = get(emu, `${pods}?watch=true&resourceVersion=${future}`, (e) => e.length > 0);
    await emu.waitFor(() => emu.openWatches === 1);
    emu.createPod({ name: 'amq-0' }); // rv = future: not sent (the watch starts after it)
    emu.createPod({ name: 'amq-1' });
    expect((await w).events.map((e) => e.object.metadata?.name)).toEqual(['amq-1']);
  });

  it('an object leaving the selector is sent as DELETED carrying the previous object', async () => {
    emu = await startKubeEmulator({ endpointSliceLag: 'none' });
    emu.createPod({ name: 'amq-0', labels: { leader: 'yes' } });
    const rv = emu.resourceVersion;
    emu.setPodLabels('amq-0', { leader: null });
    const w = await get(
      emu,
      `${pods}?watch=true&labelSelector=leader%3Dyes&resourceVersion=${rv}`,
      (e) => e.length > 0,
    );
    expect(w.events[0]?.type).toBe('DELETED');
    const meta = w.events[0]?.object.metadata as {
      labels: Record<string, string>;
      resourceVersion: string;
    };
    expect(meta.labels.leader).toBe('yes');
    expect(meta.resourceVersion).toBe(String(emu.resourceVersion));
  });
});

describe('list resourceVersion semantics', () => {
  let emu: KubeEmulator;
  afterEach(async () => {
    await emu.close();
  });

  it('Exact serves the list as it was; NotOlderThan in the future waits, then 504', async () => {
    emu = await startKubeEmulator({ tooLargeResourceVersionWaitMs: 200, endpointSliceLag: 'none' });
    emu.createPod({ name: 'amq-0' });
    const rv = emu.resourceVersion;
    emu.createPod({ name: 'amq-1' });
    emu.deletePod('amq-0');
    const exact = await get(emu, `${pods}?resourceVersion=${rv}&resourceVersionMatch=Exact`);
    const list = JSON.parse(exact.body) as {
      metadata: { resourceVersion: string };
      items: { metadata: { name: string } }[];
    };
    expect(list.metadata.resourceVersion).toBe(String(rv));
    expect(list.items.map((p) => p.metadata.name)).toEqual(['amq-0']);
    const now = await get(emu, `${pods}?resourceVersion=0`);
    expect((JSON.parse(now.body) as typeof list).items.map((p) => p.metadata.name)).toEqual([
      'amq-1',
    ]);
    const future = await get(
      emu,
      `${pods}?resourceVersion=${emu.resourceVersion + 3}&resourceVersionMatch=NotOlderThan`,
    );
    expect(future.status).toBe(504);
    expect(JSON.parse(future.body)).toMatchObject({ reason: 'Timeout', code: 504 });
  });

  it('rejects what ValidateListOptions rejects, with its messages', async () => {
    emu = await startKubeEmulator({ endpointSliceLag: 'none' });
    const cases: [string, string][] = [
      [
        'resourceVersionMatch=Exact',
        'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
      ],
      [
        'resourceVersion=0&resourceVersionMatch=Exact',
        'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
      ],
      [
        'resourceVersion=1&resourceVersionMatch=Newest',
        'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Unsupported value: "Newest": supported values: "Exact", "NotOlderThan"',
      ],
    ];
    for (const [query, message] of cases) {
      const r = await get(emu, `${pods}?${query}`);
      expect(r.status).toBe(422);
      expect(JSON.parse(r.body)).toMatchObject({ reason: 'Invalid', message });
    }
  });
});
