// One script of API calls for the differential test: run it against the emulator and against a
// real kube-apiserver, then compare what came back. Raw HTTP through client-node's TLS and auth
// options (token or client certificate alike), so nothing in between normalises the answers.
import { request } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** What one step observed, reduced to what must agree across implementations. */
export interface StepOutcome {
  readonly step: string;
  readonly status: number;
  /** `Status` bodies: kind/status/reason/code/details (messages are compared separately). */
  readonly statusBody?: Readonly<Record<string, unknown>>;
  readonly message?: string;
  /** Watch steps: the event types (and pod names) in order. */
  readonly events?: readonly string[];
}

interface Answer {
  readonly status: number;
  readonly body: string;
}

async function call(
  kc: KubeConfig,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<Answer> {
  const server = kc.getCurrentCluster()?.server ?? '';
  const opts: Record<string, unknown> & { headers: Record<string, string> } = {
    method,
    headers: { Accept: 'application/json' },
  };
  await kc.applyToHTTPSOptions(opts as never);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  if (payload !== undefined) {
    opts.headers['Content-Type'] = contentType;
    opts.headers['Content-Length'] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve, reject) => {
    const req = request(`${server}${path}`, { ...opts, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
      );
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Reads watch events for `windowMs` after `trigger` ran; returns `TYPE name` lines. */
async function watchDuring(
  kc: KubeConfig,
  path: string,
  trigger: () => Promise<void>,
  until: (events: string[]) => boolean,
  timeoutMs = 10_000,
): Promise<string[]> {
  const server = kc.getCurrentCluster()?.server ?? '';
  const opts: Record<string, unknown> & { headers: Record<string, string> } = {
    method: 'GET',
    headers: { Accept: 'application/json' },
  };
  await kc.applyToHTTPSOptions(opts as never);
  const events: string[] = [];
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => finish(), timeoutMs);
    const req = request(`${server}${path}`, opts, (res) => {
      if (res.statusCode !== 200) {
        events.push(`HTTP ${res.statusCode}`);
      }
      res.on('data', (c: Buffer) => {
        buffered += c.toString();
        let nl = buffered.indexOf('\n');
        while (nl >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          nl = buffered.indexOf('\n');
          if (!line) continue;
          const e = JSON.parse(line) as {
            type: string;
            object: { metadata?: { name?: string }; code?: number; reason?: string };
          };
          if (e.type === 'BOOKMARK') continue;
          events.push(
            e.type === 'ERROR'
              ? `ERROR ${e.object.code} ${e.object.reason}`
              : `${e.type} ${e.object.metadata?.name}`,
          );
          if (until(events)) finish();
        }
      });
      res.on('end', () => finish());
      trigger().catch(reject);
    });
    const finish = () => {
      clearTimeout(timer);
      req.destroy();
      resolve(events);
    };
    req.on('error', () => finish());
    req.end();
  });
}

function outcome(step: string, a: Answer): StepOutcome {
  let parsed: Record<string, unknown> | undefined;
  try {
    parsed = JSON.parse(a.body) as Record<string, unknown>;
  } catch {
    parsed = undefined;
  }
  if (parsed?.kind !== 'Status')
    return a.status >= 400
      ? { step, status: a.status, message: a.body.slice(0, 200) }
      : { step, status: a.status };
  const details = parsed.details as Record<string, unknown> | undefined;
  return {
    step,
    status: a.status,
    statusBody: {
      kind: parsed.kind,
      apiVersion: parsed.apiVersion,
      status: parsed.status,
      reason: parsed.reason,
      code: parsed.code,
      ...(details
        ? { details: { name: details.name, group: details.group, kind: details.kind } }
        : {}),
    },
    message: String(parsed.message ?? ''),
  };
}

const pod = (name: string, labels: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels },
  spec: { containers: [{ name: 'c', image: 'none' }] },
});

export interface ApiScriptTarget {
  /**
   * Compacts the store's history through its latest revision, as etcd's compaction does (the
   * real side: etcd's v3 API `POST /v3/kv/compaction`; the emulator: compactHistory()).
   */
  readonly compact: () => Promise<void>;
}

/** The script. `ns` must exist (with its default ServiceAccount) and hold no pods. */
export async function runApiScript(
  kc: KubeConfig,
  ns: string,
  target: ApiScriptTarget,
): Promise<StepOutcome[]> {
  const pods = `/api/v1/namespaces/${ns}/pods`;
  const out: StepOutcome[] = [];
  const step = async (
    name: string,
    method: string,
    path: string,
    body?: unknown,
    contentType?: string,
  ) => {
    const a = await call(kc, method, path, body, contentType);
    out.push(outcome(name, a));
    return a;
  };
  await step('create service', 'POST', `/api/v1/namespaces/${ns}/services`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'd' },
    // No scheduler binds d-0 to a Node, and the EndpointSlice controller skips a pod whose Node it
    // cannot find unless the Service publishes not-ready addresses; so it does, or no slice would
    // ever list d-0 and the endpoint steps could not tell "caught up" from "not yet".
    spec: {
      selector: { app: 'd', leader: 'yes' },
      ports: [{ name: 'p', port: 80 }],
      publishNotReadyAddresses: true,
    },
  });
  await step('create pod', 'POST', pods, pod('d-0', { app: 'd', leader: 'no' }));
  await step('create the same pod again', 'POST', pods, pod('d-0', { app: 'd', leader: 'no' }));
  await step('get a missing pod', 'GET', `${pods}/missing`);
  await step('create with a bad name', 'POST', pods, pod('Bad_Name', { app: 'd' }));
  const list = JSON.parse(
    (await step('list pods', 'GET', `${pods}?labelSelector=app%3Dd`)).body,
  ) as { metadata: { resourceVersion: string } };
  const current = JSON.parse((await call(kc, 'GET', `${pods}/d-0`)).body) as {
    metadata: { resourceVersion: string };
  };
  const conditional = (leader: string) => ({
    metadata: { resourceVersion: current.metadata.resourceVersion, labels: { leader } },
  });
  await step(
    'merge patch with the current resourceVersion',
    'PATCH',
    `${pods}/d-0`,
    conditional('yes'),
    'application/merge-patch+json',
  );
  // The same precondition again: the first patch moved the resourceVersion on.
  await step(
    'merge patch with a stale resourceVersion',
    'PATCH',
    `${pods}/d-0`,
    conditional('no'),
    'application/merge-patch+json',
  );
  await step(
    'strategic merge patch',
    'PATCH',
    `${pods}/d-0`,
    { metadata: { labels: { extra: 'x' } } },
    'application/strategic-merge-patch+json',
  );
  await step(
    'JSON patch',
    'PATCH',
    `${pods}/d-0`,
    [{ op: 'remove', path: '/metadata/labels/extra' }],
    'application/json-patch+json',
  );
  await step(
    'JSON patch whose test fails',
    'PATCH',
    `${pods}/d-0`,
    [{ op: 'test', path: '/metadata/labels/leader', value: 'no' }],
    'application/json-patch+json',
  );
  await step(
    'patch of a missing pod',
    'PATCH',
    `${pods}/missing`,
    { metadata: { labels: { a: 'b' } } },
    'application/merge-patch+json',
  );
  await step(
    'unsupported patch type',
    'PATCH',
    `${pods}/d-0`,
    { metadata: {} },
    'application/x-unknown-patch',
  );
  // An IP, so the EndpointSlice controller lists the pod (it skips pods without one).
  await step(
    'merge patch of pods/status',
    'PATCH',
    `${pods}/d-0/status`,
    { status: { podIP: '10.1.0.5', podIPs: [{ ip: '10.1.0.5' }] } },
    'application/merge-patch+json',
  );
  // A watch from the list's resourceVersion replays every change since the list, in order.
  const replay = await watchDuring(
    kc,
    `${pods}?watch=1&labelSelector=app%3Dd&resourceVersion=${list.metadata.resourceVersion}`,
    async () => {},
    (e) => e.length >= 3,
    3000,
  );
  out.push({ step: 'watch from the list resourceVersion', status: 200, events: replay });
  // A label-selector watch sees a pod leave the selector as DELETED and enter it as ADDED.
  const flips = await watchDuring(
    kc,
    `${pods}?watch=1&labelSelector=leader%3Dyes`,
    async () => {
      await call(
        kc,
        'PATCH',
        `${pods}/d-0`,
        { metadata: { labels: { leader: 'no' } } },
        'application/merge-patch+json',
      );
      await call(
        kc,
        'PATCH',
        `${pods}/d-0`,
        { metadata: { labels: { leader: 'yes' } } },
        'application/merge-patch+json',
      );
    },
    (e) => e.length >= 3,
  );
  out.push({ step: 'label-selector watch across a flip', status: 200, events: flips });
  // The EndpointSlice controller's view once it has caught up (it lags on a real cluster).
  out.push({
    step: 'EndpointSlice endpoints after the flip',
    status: 200,
    events: await settledEndpoints(kc, ns, (e) => e.length > 0),
  });
  await step('delete pod', 'DELETE', `${pods}/d-0`, { gracePeriodSeconds: 0 });
  out.push({
    step: 'EndpointSlice endpoints after the deletion',
    status: 200,
    events: await settledEndpoints(kc, ns, (e) => e.length === 0),
  });
  await step('delete it again', 'DELETE', `${pods}/d-0`);
  await gracefulDeletionScript(kc, ns, step, out);
  await compactionSteps(kc, ns, target, step, out);
  return out;
}

type Step = (
  name: string,
  method: string,
  path: string,
  body?: unknown,
  contentType?: string,
) => Promise<Answer>;

/**
 * 410 Gone after compaction. On Events: kube-apiserver keeps no watch cache for them
 * (pkg/kubeapiserver/options DefaultWatchCacheSizes: events 0), so their watches and exact lists
 * go to etcd and meet its compaction directly; a cached resource would be served from the watch
 * cache, which only learns of compactions its own compactor made (KEP-4988). Two writes after
 * the create, because a watch from resourceVersion R starts at R+1 and etcd refuses only starts
 * below the compacted revision.
 */
async function compactionSteps(
  kc: KubeConfig,
  ns: string,
  target: ApiScriptTarget,
  step: Step,
  out: StepOutcome[],
): Promise<void> {
  const events = `/api/v1/namespaces/${ns}/events`;
  const created = await step('create an Event', 'POST', events, {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'd-compaction' },
    involvedObject: { kind: 'Pod', namespace: ns, name: 'd-0', apiVersion: 'v1' },
    reason: 'Compaction',
    message: 'before',
    type: 'Normal',
  });
  const old = (JSON.parse(created.body) as { metadata?: { resourceVersion?: string } }).metadata
    ?.resourceVersion;
  for (const message of ['once', 'twice'])
    await call(kc, 'PATCH', `${events}/d-compaction`, { message }, 'application/merge-patch+json');
  await target.compact();
  const expired = await watchDuring(
    kc,
    `${events}?watch=1&resourceVersion=${old}`,
    async () => {},
    (e) => e.length >= 1,
    5000,
  );
  out.push({ step: 'watch from before the compaction', status: 200, events: expired });
  await step(
    'exact list from before the compaction',
    'GET',
    `${events}?resourceVersion=${old}&resourceVersionMatch=Exact`,
  );
  // The current state stays readable: only history went.
  await step('get the Event after the compaction', 'GET', `${events}/d-compaction`);
}

/**
 * Compacts etcd through its latest revision with its v3 gRPC gateway (`POST /v3/kv/range` reads
 * the header revision, `POST /v3/kv/compaction` compacts), as `etcdctl compact` does.
 */
export async function compactEtcd(etcdUrl: string): Promise<void> {
  const post = async (path: string, body: unknown): Promise<Record<string, unknown>> => {
    const res = await fetch(`${etcdUrl}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`etcd ${path}: HTTP ${res.status} ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  // Any key: only the response header's revision matters ("AA==" is the key "\0").
  const range = await post('/v3/kv/range', { key: 'AA==' });
  const revision = (range.header as { revision?: string } | undefined)?.revision;
  if (!revision)
    throw new Error(`etcd /v3/kv/range: no header revision in ${JSON.stringify(range)}`);
  await post('/v3/kv/compaction', { revision, physical: true });
}

/** `name ready=<flag>` of the Service `d`'s endpoints, polled until `done` holds (marked if 10 s pass first). */
function settledEndpoints(
  kc: KubeConfig,
  ns: string,
  done: (e: string[]) => boolean,
): Promise<string[]> {
  return settledSlices(
    kc,
    ns,
    'd',
    (x) => `${x.targetRef?.name} ready=${x.conditions?.ready}`,
    done,
  );
}

interface SliceEndpoint {
  readonly targetRef?: { readonly name?: string };
  readonly conditions?: {
    readonly ready?: boolean;
    readonly serving?: boolean;
    readonly terminating?: boolean;
  };
}

/** `name ready serving terminating` of a Service's endpoints, polled until `done` holds. */
function settledConditions(
  kc: KubeConfig,
  ns: string,
  service: string,
  done: (e: string[]) => boolean,
): Promise<string[]> {
  return settledSlices(
    kc,
    ns,
    service,
    (x) =>
      `${x.targetRef?.name} ready=${x.conditions?.ready} serving=${x.conditions?.serving} terminating=${x.conditions?.terminating}`,
    done,
  );
}

async function settledSlices(
  kc: KubeConfig,
  ns: string,
  service: string,
  show: (e: SliceEndpoint) => string,
  done: (e: string[]) => boolean,
): Promise<string[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const a = await call(
      kc,
      'GET',
      `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3D${service}`,
    );
    const list = JSON.parse(a.body) as { items?: { endpoints?: SliceEndpoint[] }[] };
    const e = (list.items ?? [])
      .flatMap((s) => s.endpoints ?? [])
      .map(show)
      .sort();
    if (done(e)) return e;
    // Marked, so a controller that never caught up is not mistaken for one that settled.
    if (Date.now() > deadline) return [...e, 'deadline passed before the condition held'];
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What a DELETE of a pod answered: the status, and the deletion fields of the returned pod. */
function deletionOutcome(step: string, a: Answer): StepOutcome {
  const plain = outcome(step, a);
  if (plain.statusBody) return plain;
  const body = JSON.parse(a.body) as {
    metadata?: { deletionTimestamp?: string; deletionGracePeriodSeconds?: number };
  };
  return {
    step,
    status: a.status,
    events: [
      `deletionGracePeriodSeconds=${body.metadata?.deletionGracePeriodSeconds ?? '-'}`,
      `deletionTimestamp ${body.metadata?.deletionTimestamp ? 'set' : 'unset'}`,
    ],
  };
}

/**
 * Graceful deletion and Nodes: pods on a present and on a missing Node in one Service's slices,
 * a DELETE that leaves the pod terminating (and its endpoint terminating, still serving), a longer
 * grace period that changes nothing, a uid precondition that fails, and the kubelet's final
 * delete with grace 0 as watch events.
 */
async function gracefulDeletionScript(
  kc: KubeConfig,
  ns: string,
  step: (
    name: string,
    method: string,
    path: string,
    body?: unknown,
    contentType?: string,
  ) => Promise<Answer>,
  out: StepOutcome[],
): Promise<void> {
  const pods = `/api/v1/namespaces/${ns}/pods`;
  await step('create a node', 'POST', '/api/v1/nodes', {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'diff-node' },
  });
  await step(
    'get a node under a namespace path',
    'GET',
    `/api/v1/namespaces/${ns}/nodes/diff-node`,
  );
  await step('create service g', 'POST', `/api/v1/namespaces/${ns}/services`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'g' },
    spec: { selector: { app: 'g' }, ports: [{ name: 'p', port: 80 }] },
  });
  for (const [name, node, ip] of [
    ['g-0', 'diff-node', '10.1.0.6'],
    ['g-1', 'missing-node', '10.1.0.7'],
  ] as const) {
    await step(`create pod ${name} on ${node}`, 'POST', pods, {
      ...pod(name, { app: 'g' }),
      spec: {
        nodeName: node,
        terminationGracePeriodSeconds: 30,
        containers: [{ name: 'c', image: 'none' }],
      },
    });
    await step(
      `pod ${name} running and ready`,
      'PATCH',
      `${pods}/${name}/status`,
      {
        status: {
          phase: 'Running',
          podIP: ip,
          podIPs: [{ ip }],
          conditions: [{ type: 'Ready', status: 'True' }],
        },
      },
      'application/merge-patch+json',
    );
  }
  out.push({
    step: 'EndpointSlice endpoints of pods on a present and a missing Node',
    status: 200,
    events: await settledConditions(kc, ns, 'g', (e) => e.length > 0),
  });
  const watchG0 = `${pods}?watch=1&fieldSelector=metadata.name%3Dg-0`;
  // The DELETE's answer is recorded after the watch, so the order of steps does not depend on
  // which of the two arrives first.
  let deleting: Promise<Answer> | undefined;
  const marked = await watchDuring(
    kc,
    watchG0,
    async () => {
      deleting = call(kc, 'DELETE', `${pods}/g-0`);
      await deleting;
    },
    (e) => e.length >= 2,
    5000,
  );
  if (deleting) out.push(deletionOutcome('graceful delete of a scheduled pod', await deleting));
  out.push({ step: 'watch across a graceful delete', status: 200, events: marked });
  out.push({
    step: 'EndpointSlice endpoints of a terminating pod',
    status: 200,
    events: await settledConditions(kc, ns, 'g', (e) =>
      e.some((x) => x.includes('terminating=true')),
    ),
  });
  out.push(
    deletionOutcome(
      'delete again with a longer grace period',
      await call(kc, 'DELETE', `${pods}/g-0`, { gracePeriodSeconds: 60 }),
    ),
  );
  await step('delete with a wrong uid precondition', 'DELETE', `${pods}/g-0`, {
    gracePeriodSeconds: 0,
    preconditions: { uid: '00000000-0000-0000-0000-000000000000' },
  });
  const current = JSON.parse((await call(kc, 'GET', `${pods}/g-0`)).body) as {
    metadata: { uid: string };
  };
  let finishing: Promise<Answer> | undefined;
  const finished = await watchDuring(
    kc,
    watchG0,
    async () => {
      finishing = call(kc, 'DELETE', `${pods}/g-0`, {
        gracePeriodSeconds: 0,
        preconditions: { uid: current.metadata.uid },
      });
      await finishing;
    },
    (e) => e.length >= 3,
    5000,
  );
  if (finishing) {
    out.push(
      deletionOutcome(
        "the kubelet's delete with grace 0 and the uid precondition",
        await finishing,
      ),
    );
  }
  out.push({ step: 'watch across the final delete', status: 200, events: finished });
  out.push(
    deletionOutcome(
      'force delete of the pod on the missing Node',
      await call(kc, 'DELETE', `${pods}/g-1`, { gracePeriodSeconds: 0 }),
    ),
  );
  await step('delete the node', 'DELETE', '/api/v1/nodes/diff-node');
}
