import { request as httpsRequest } from 'node:https';
import {
  ApiException,
  CoordinationV1Api,
  CoreV1Api,
  DiscoveryV1Api,
  EventsV1Api,
  type EventsV1Event,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  V1MicroTime,
  Watch,
} from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type KubeEmulator, startKubeEmulator } from '../src/index.js';

type WatchEvent = {
  type: string;
  object: { metadata?: { name?: string; resourceVersion?: string }; [k: string]: unknown };
};

/** Collects the events of one client-node watch; `next(pred)` waits for a matching one. */
function collect(emu: KubeEmulator) {
  const events: WatchEvent[] = [];
  let done: unknown = 'open';
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of [...waiters]) w();
  };
  let controller: AbortController | undefined;
  return {
    events,
    get done() {
      return done;
    },
    async start(path: string, query: Record<string, string | boolean>) {
      controller = await new Watch(emu.kubeConfig()).watch(
        path,
        query,
        (type, object) => {
          events.push({ type, object });
          notify();
        },
        (err) => {
          done = err ?? null;
          notify();
        },
      );
    },
    until<T>(pick: () => T | undefined, timeoutMs = 10_000): Promise<T> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const v = pick();
          if (v !== undefined) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(v);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `watch condition not met; events: ${JSON.stringify(events.map((e) => e.type))}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    stop() {
      controller?.abort();
    },
  };
}

async function apiError(
  p: Promise<unknown>,
): Promise<{ code: number; body: Record<string, unknown>; headers: Record<string, string> }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiException) {
      const body =
        typeof err.body === 'string' ? safeJson(err.body) : (err.body as Record<string, unknown>);
      return { code: err.code, body, headers: err.headers };
    }
    throw err;
  }
  throw new Error('expected the call to fail');
}

/** GET with an optional bearer token, trusting the emulator's CA. */
function rawGet(
  emu: KubeEmulator,
  path: string,
  token: string | undefined,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${emu.url}${path}`,
      { ca: emu.caCert, headers: token ? { authorization: `Bearer ${token}` } : {} },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: safeJson(text) }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function safeJson(s: string): Record<string, unknown> {
  try {
    return JSON.parse(s) as Record<string, unknown>;
  } catch {
    return { text: s };
  }
}

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

describe('Kubernetes API emulator with @kubernetes/client-node', () => {
  let emu: KubeEmulator;
  let core: CoreV1Api;
  const ns = 'default';

  beforeEach(async () => {
    emu = await startKubeEmulator();
    core = emu.kubeConfig().makeApiClient(CoreV1Api);
    emu.createPod({
      name: 'amq-0',
      labels: { app: 'amq' },
      containerPorts: [{ name: 'stomp', containerPort: 41000 }],
    });
    emu.createPod({
      name: 'amq-1',
      labels: { app: 'amq', leader: 'yes' },
      containerPorts: [{ name: 'stomp', containerPort: 41001 }],
    });
    emu.createPod({ name: 'other', labels: { app: 'web', tier: 'front' } });
    emu.createService({
      name: 'amq',
      selector: { app: 'amq', leader: 'yes' },
      ports: [{ name: 'stomp', port: 61613, targetPort: 'stomp' }],
    });
    // The EndpointSlice controller runs behind the API: start once its slice lists the leader.
    await emu.waitFor(() => emu.readyEndpoints('amq')[0]);
  });
  afterEach(async () => {
    await emu.close();
  });

  it('lists by label selector (equality and set-based) and metadata.name field selector', async () => {
    const names = async (labelSelector?: string, fieldSelector?: string) =>
      (await core.listNamespacedPod({ namespace: ns, labelSelector, fieldSelector })).items.map(
        (p) => p.metadata?.name,
      );
    expect(await names('leader=yes')).toEqual(['amq-1']);
    expect(await names('leader==yes')).toEqual(['amq-1']);
    expect(await names('app=amq,leader!=yes')).toEqual(['amq-0']);
    expect(await names('app in (amq,web),!leader')).toEqual(['amq-0', 'other']);
    expect(await names('app notin (amq)')).toEqual(['other']);
    expect(await names('tier')).toEqual(['other']);
    expect(await names(undefined, 'metadata.name=amq-0')).toEqual(['amq-0']);
    const list = await core.listNamespacedPod({ namespace: ns });
    expect(Number(list.metadata?.resourceVersion)).toBe(emu.resourceVersion);
    const bad = await apiError(
      core.listNamespacedPod({ namespace: ns, labelSelector: 'leader=bad value' }),
    );
    expect(bad.code).toBe(400);
    expect(bad.body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'BadRequest',
      code: 400,
    });
  });

  it('patches labels with merge, strategic-merge and JSON patch (test op, ~1 escapes); no-op writes keep the resourceVersion', async () => {
    let pod = await core.patchNamespacedPod(
      { name: 'amq-0', namespace: ns, body: { metadata: { labels: { leader: 'no' } } } },
      merge,
    );
    expect(pod.metadata?.labels).toEqual({ app: 'amq', leader: 'no' });
    pod = await core.patchNamespacedPod(
      { name: 'amq-0', namespace: ns, body: { metadata: { labels: { zone: 'a' } } } },
      strategic,
    );
    expect(pod.metadata?.labels).toEqual({ app: 'amq', leader: 'no', zone: 'a' });
    pod = await core.patchNamespacedPod(
      {
        name: 'amq-0',
        namespace: ns,
        body: [
          { op: 'test', path: '/metadata/labels/leader', value: 'no' },
          { op: 'replace', path: '/metadata/labels/leader', value: 'yes' },
          { op: 'add', path: '/metadata/labels/activemq-ha.io~1role', value: 'active' },
        ],
      },
      jsonPatch,
    );
    expect(pod.metadata?.labels).toEqual({
      app: 'amq',
      leader: 'yes',
      zone: 'a',
      'activemq-ha.io/role': 'active',
    });
    const failed = await apiError(
      core.patchNamespacedPod(
        {
          name: 'amq-0',
          namespace: ns,
          body: [{ op: 'test', path: '/metadata/labels/leader', value: 'no' }],
        },
        jsonPatch,
      ),
    );
    expect(failed.code).toBe(422);
    expect(failed.body).toMatchObject({
      reason: 'Invalid',
      message: 'the server rejected our request due to an error in our request',
    });

    const rv = pod.metadata?.resourceVersion;
    const writes = emu.writes({ resource: 'pods' }).length;
    const same = await core.patchNamespacedPod(
      { name: 'amq-0', namespace: ns, body: { metadata: { labels: { leader: 'yes' } } } },
      merge,
    );
    expect(same.metadata?.resourceVersion).toBe(rv);
    expect(emu.writes({ resource: 'pods' })).toHaveLength(writes);
    // the request was still made, and counted
    expect(emu.countRequests({ verb: 'patch', resource: 'pods', name: 'amq-0' })).toBe(5);
  });

  it('answers Status bodies like the real API: 404, 409 AlreadyExists, 409 Conflict on stale resourceVersion, 422 invalid label', async () => {
    const nf = await apiError(core.readNamespacedPod({ name: 'nope', namespace: ns }));
    expect(nf).toMatchObject({
      code: 404,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'pods "nope" not found',
        reason: 'NotFound',
        details: { name: 'nope', kind: 'pods' },
        code: 404,
      },
    });
    const exists = await apiError(
      core.createNamespacedPod({
        namespace: ns,
        body: { metadata: { name: 'amq-0' }, spec: { containers: [{ name: 'c', image: 'i' }] } },
      }),
    );
    expect(exists.body).toMatchObject({
      reason: 'AlreadyExists',
      message: 'pods "amq-0" already exists',
      code: 409,
    });

    const current = await core.readNamespacedPod({ name: 'amq-0', namespace: ns });
    const stale = current.metadata?.resourceVersion as string;
    await core.patchNamespacedPod(
      { name: 'amq-0', namespace: ns, body: { metadata: { labels: { leader: 'no' } } } },
      merge,
    );
    // The labeler's conditional write: a merge patch carrying the resourceVersion it read.
    const conflict = await apiError(
      core.patchNamespacedPod(
        {
          name: 'amq-0',
          namespace: ns,
          body: { metadata: { resourceVersion: stale, labels: { leader: 'yes' } } },
        },
        merge,
      ),
    );
    expect(conflict.body).toMatchObject({
      reason: 'Conflict',
      code: 409,
      message:
        'Operation cannot be fulfilled on pods "amq-0": the object has been modified; please apply your changes to the latest version and try again',
      details: { name: 'amq-0', kind: 'pods' },
    });
    const put = await apiError(
      core.replaceNamespacedPod({ name: 'amq-0', namespace: ns, body: current }),
    );
    expect(put.code).toBe(409);

    const invalid = await apiError(
      core.patchNamespacedPod(
        { name: 'amq-0', namespace: ns, body: { metadata: { labels: { leader: 'not ok!' } } } },
        merge,
      ),
    );
    expect(invalid.body).toMatchObject({
      reason: 'Invalid',
      code: 422,
      message:
        "Pod \"amq-0\" is invalid: metadata.labels: Invalid value: \"not ok!\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
      details: {
        name: 'amq-0',
        kind: 'Pod',
        causes: [{ reason: 'FieldValueInvalid', field: 'metadata.labels' }],
      },
    });
    expect(emu.getPod('amq-0')?.metadata.labels).toEqual({ app: 'amq', leader: 'no' });
  });

  it('a Watch on EndpointSlices sees the slice change when the leader label flips, in resourceVersion order', async () => {
    const discovery = emu.kubeConfig().makeApiClient(DiscoveryV1Api);
    const slices = await discovery.listNamespacedEndpointSlice({
      namespace: ns,
      labelSelector: 'kubernetes.io/service-name=amq',
    });
    expect(slices.items).toHaveLength(1);
    const first = slices.items[0];
    expect(first?.metadata?.labels).toMatchObject({
      'kubernetes.io/service-name': 'amq',
      'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
    });
    expect(first?.metadata?.name).toMatch(/^amq-[a-z0-9]{5}$/);
    expect(first?.ports).toEqual([{ name: 'stomp', port: 41001, protocol: 'TCP' }]);
    expect(first?.endpoints?.[0]).toMatchObject({
      addresses: ['127.0.0.1'],
      conditions: { ready: true, serving: true, terminating: false },
      targetRef: { kind: 'Pod', name: 'amq-1', namespace: ns },
      nodeName: 'emulated-node',
    });

    const w = collect(emu);
    await w.start(`/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`, {
      labelSelector: 'kubernetes.io/service-name=amq',
      resourceVersion: slices.metadata?.resourceVersion as string,
      allowWatchBookmarks: true,
    });
    await core.patchNamespacedPod(
      { name: 'amq-1', namespace: ns, body: { metadata: { labels: { leader: null } } } },
      merge,
    );
    await core.patchNamespacedPod(
      { name: 'amq-0', namespace: ns, body: { metadata: { labels: { leader: 'yes' } } } },
      merge,
    );
    const moved = await w.until(() =>
      w.events.find((e) => JSON.stringify(e.object.ports ?? null).includes('41000')),
    );
    expect(moved.type).toBe('MODIFIED');
    const rvs = w.events.map((e) => Number(e.object.metadata?.resourceVersion));
    expect(rvs).toEqual([...rvs].sort((a, b) => a - b));
    w.stop();
    // A deleted managed slice is put back by the controller (a second later:
    // endpointSliceChangeMinSyncDelay).
    const name = emu.endpointSlices('amq')[0]?.metadata.name as string;
    await discovery.deleteNamespacedEndpointSlice({ name, namespace: ns });
    const back = await emu.waitFor(() => {
      const now = emu.endpointSlices('amq');
      return now.length === 1 && now[0]?.metadata.name !== name && now;
    });
    expect(back.map((s) => s.ports)).toEqual([[{ name: 'stomp', port: 41000, protocol: 'TCP' }]]);
  });

  it('pods/status sets readiness, which the slice reports as ready=false', async () => {
    await core.patchNamespacedPodStatus(
      {
        name: 'amq-1',
        namespace: ns,
        body: { status: { conditions: [{ type: 'Ready', status: 'False' }] } },
      },
      strategic,
    );
    const slice = await emu.waitFor(() => {
      const s = emu.endpointSlices('amq')[0];
      const ep = (s?.endpoints as { conditions: { ready: boolean } }[] | undefined)?.[0];
      return ep?.conditions.ready === false && s;
    });
    expect((slice.endpoints as { conditions: unknown }[])[0]?.conditions).toEqual({
      ready: false,
      serving: false,
      terminating: false,
    });
    // status written through the main resource is ignored, as by the real API
    await core.patchNamespacedPod(
      { name: 'amq-1', namespace: ns, body: { status: { phase: 'Failed' } } },
      merge,
    );
    expect(emu.getPod('amq-1')?.status?.phase).toBe('Running');
  });

  it('watch from a compacted resourceVersion gets an ERROR event with 410 Expired', async () => {
    const rv = String(emu.resourceVersion);
    emu.setPodLabels('amq-0', { zone: 'b' });
    emu.compactHistory();
    const w = collect(emu);
    await w.start(`/api/v1/namespaces/${ns}/pods`, { resourceVersion: rv });
    const err = await w.until(() => w.events.find((e) => e.type === 'ERROR'));
    expect(err.object).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Expired',
      code: 410,
    });
    expect(String(err.object.message)).toMatch(/^too old resource version: \d+ \(\d+\)$/);
    await w.until(() => (w.done !== 'open' ? true : undefined));
  });

  it('watch with a label selector sends ADDED/DELETED as pods enter and leave it, and BOOKMARKs when allowed', async () => {
    const w = collect(emu);
    await w.start(`/api/v1/namespaces/${ns}/pods`, {
      labelSelector: 'leader=yes',
      allowWatchBookmarks: true,
    });
    await w.until(() =>
      w.events.find((e) => e.type === 'ADDED' && e.object.metadata?.name === 'amq-1'),
    );
    emu.setPodLabels('amq-1', { leader: null });
    emu.setPodLabels('amq-0', { leader: 'yes' });
    await w.until(() =>
      w.events.find((e) => e.type === 'ADDED' && e.object.metadata?.name === 'amq-0'),
    );
    expect(w.events.map((e) => `${e.type} ${e.object.metadata?.name}`)).toEqual([
      'ADDED amq-1',
      'DELETED amq-1',
      'ADDED amq-0',
    ]);
    // The controller may still write slices afterwards: the bookmark carries the version of now.
    const rvAtBookmark = String(emu.resourceVersion);
    emu.sendBookmarks();
    const bm = await w.until(() => w.events.find((e) => e.type === 'BOOKMARK'));
    expect(bm.object).toMatchObject({
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: { resourceVersion: rvAtBookmark },
    });
    w.stop();
  });

  it('401 without or with a wrong token, old token rejected after rotation, 403 with the RBAC message', async () => {
    // client-node drops the body of documented 401s, so read this one raw.
    const noToken = await rawGet(emu, `/api/v1/namespaces/${ns}/pods`, undefined);
    expect(noToken).toEqual({
      status: 401,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Unauthorized',
        reason: 'Unauthorized',
        code: 401,
      },
    });
    const wrong = await apiError(
      emu
        .kubeConfig({ token: 'nope' })
        .makeApiClient(CoreV1Api)
        .listNamespacedPod({ namespace: ns }),
    );
    expect(wrong.code).toBe(401);

    const old = emu.token;
    const fresh = emu.rotateToken();
    expect(
      (
        await apiError(
          emu
            .kubeConfig({ token: old })
            .makeApiClient(CoreV1Api)
            .listNamespacedPod({ namespace: ns }),
        )
      ).code,
    ).toBe(401);
    const fromFile = new KubeConfig();
    fromFile.loadFromFile(emu.kubeconfigPath);
    expect(
      (await fromFile.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: ns })).items,
    ).toHaveLength(3);
    const { readFile } = await import('node:fs/promises');
    expect(await readFile(emu.tokenFilePath, 'utf8')).toBe(fresh);

    emu.addToken('agent-token', {
      user: 'system:serviceaccount:default:broker',
      rules: [{ verbs: ['get', 'list', 'watch'], resources: ['pods'] }],
    });
    const agent = emu.kubeConfig({ token: 'agent-token' }).makeApiClient(CoreV1Api);
    expect((await agent.listNamespacedPod({ namespace: ns })).items).toHaveLength(3);
    const denied = await apiError(
      agent.patchNamespacedPod(
        { name: 'amq-0', namespace: ns, body: { metadata: { labels: { leader: 'yes' } } } },
        merge,
      ),
    );
    expect(denied.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'pods "amq-0" is forbidden: User "system:serviceaccount:default:broker" cannot patch resource "pods" in API group "" in the namespace "default"',
      reason: 'Forbidden',
      details: { name: 'amq-0', kind: 'pods' },
      code: 403,
    });
    const events = await apiError(
      emu
        .kubeConfig({ token: 'agent-token' })
        .makeApiClient(EventsV1Api)
        .listNamespacedEvent({ namespace: ns }),
    );
    expect(events.body.message).toBe(
      'events.events.k8s.io is forbidden: User "system:serviceaccount:default:broker" cannot list resource "events" in API group "events.k8s.io" in the namespace "default"',
    );
  });

  it('injected 503 and 429 (with Retry-After) hit only matching requests; the log counts them', async () => {
    emu.failNext(1, { status: 503, verb: 'list', resource: 'pods' });
    emu.failNext(1, { status: 429, retryAfterSeconds: 3, verb: 'patch' });
    await core.readNamespacedPod({ name: 'amq-0', namespace: ns }); // not matched: served
    const unavailable = await apiError(core.listNamespacedPod({ namespace: ns }));
    expect(unavailable).toMatchObject({
      code: 503,
      body: { reason: 'ServiceUnavailable', code: 503 },
    });
    const limited = await apiError(
      core.patchNamespacedPod(
        { name: 'amq-0', namespace: ns, body: { metadata: { labels: { a: 'b' } } } },
        merge,
      ),
    );
    expect(limited.code).toBe(429);
    expect(limited.headers['retry-after']).toBe('3');
    expect(limited.body).toEqual({ text: 'Too many requests, please try again later.\n' });
    expect((await core.listNamespacedPod({ namespace: ns })).items).toHaveLength(3);
    expect(emu.countRequests({ verb: 'list', resource: 'pods', status: 503 })).toBe(1);
    expect(emu.countRequests({ verb: 'patch', status: 429 })).toBe(1);
    expect(emu.getPod('amq-0')?.metadata.labels).toEqual({ app: 'amq' });
  });

  it('leases: create, update with resourceVersion (409 when stale), MicroTime format enforced', async () => {
    const coord = emu.kubeConfig().makeApiClient(CoordinationV1Api);
    const now = new V1MicroTime();
    const lease = await coord.createNamespacedLease({
      namespace: ns,
      body: {
        metadata: { name: 'activemq' },
        spec: {
          holderIdentity: 'amq-0',
          leaseDurationSeconds: 15,
          acquireTime: now,
          renewTime: now,
          leaseTransitions: 0,
        },
      },
    });
    expect(lease.metadata?.resourceVersion).toBeTruthy();
    const renewed = await coord.replaceNamespacedLease({
      name: 'activemq',
      namespace: ns,
      body: { ...lease, spec: { ...lease.spec, renewTime: new V1MicroTime() } },
    });
    expect(Number(renewed.metadata?.resourceVersion)).toBeGreaterThan(
      Number(lease.metadata?.resourceVersion),
    );
    const stale = await apiError(
      coord.replaceNamespacedLease({
        name: 'activemq',
        namespace: ns,
        body: { ...lease, spec: { ...lease.spec, holderIdentity: 'amq-1' } },
      }),
    );
    expect(stale.body).toMatchObject({
      reason: 'Conflict',
      message: expect.stringContaining('leases.coordination.k8s.io "activemq"'),
    });
    const millis = await apiError(
      coord.patchNamespacedLease(
        {
          name: 'activemq',
          namespace: ns,
          body: { spec: { renewTime: '2026-01-01T00:00:00.123Z' } },
        },
        merge,
      ),
    );
    expect(millis.body).toMatchObject({
      reason: 'BadRequest',
      message:
        'Lease in version "v1" cannot be handled as a Lease: parsing time "2026-01-01T00:00:00.123Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse ".123Z" as ".000000"',
    });
    await coord.deleteNamespacedLease({ name: 'activemq', namespace: ns });
    expect(emu.get('leases', 'activemq')).toBeUndefined();
  });

  it('events.k8s.io/v1 events are core/v1 events too (kubectl get events shows them)', async () => {
    const eventsApi = emu.kubeConfig().makeApiClient(EventsV1Api);
    await eventsApi.createNamespacedEvent({
      namespace: ns,
      body: {
        metadata: { generateName: 'amq-0.' },
        eventTime: new V1MicroTime(),
        reportingController: 'activemq-ha.io/agent',
        reportingInstance: 'amq-0',
        action: 'Label',
        reason: 'BecameLeader',
        note: 'broker holds the KahaDB lock',
        type: 'Normal',
        regarding: { kind: 'Pod', name: 'amq-0', namespace: ns },
      },
    });
    const coreEvents = await core.listNamespacedEvent({ namespace: ns });
    expect(coreEvents.items[0]).toMatchObject({
      reason: 'BecameLeader',
      message: 'broker holds the KahaDB lock',
      reportingComponent: 'activemq-ha.io/agent',
      involvedObject: { kind: 'Pod', name: 'amq-0' },
    });
    expect(emu.list('events.events.k8s.io')[0]).toMatchObject({
      note: 'broker holds the KahaDB lock',
      reportingController: 'activemq-ha.io/agent',
    });
    const invalid = await apiError(
      // eventTime is required by the type but not by the wire; leave it out on purpose.
      eventsApi.createNamespacedEvent({
        namespace: ns,
        body: { metadata: { name: 'x' }, reason: 'R', type: 'Odd' } as EventsV1Event,
      }),
    );
    expect(invalid.body).toMatchObject({
      reason: 'Invalid',
      details: { kind: 'Event', group: 'events.k8s.io' },
    });
    expect(String(invalid.body.message)).toContain('eventTime: Required value');
  });
});
