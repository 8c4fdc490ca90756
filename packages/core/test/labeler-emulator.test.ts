import { KubeApiError, KubeClient, type PodWatchHandlers } from '@activemq-ha/core';
import { type KubeEmulator, startKubeEmulator } from '@activemq-ha/testkit';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ScriptedProbe } from '../src/testing/scripted-probe.js';
import { delegate, GROUP_LABEL, type MiniAgent, startMiniAgent } from './agent-harness.js';

const PODS = ['amq-0', 'amq-1', 'amq-2'];

describe('PodLabeler against the Kubernetes API emulator', () => {
  let kube: KubeEmulator;
  const agents: MiniAgent[] = [];

  beforeEach(async () => {
    kube = await startKubeEmulator({ namespace: 'mq' });
    for (const name of PODS) {
      kube.createPod({ name, labels: { [GROUP_LABEL]: 'activemq', 'pod-template-hash': 'abc' } });
    }
  });
  afterEach(async () => {
    await Promise.all(agents.splice(0).map((a) => a.stop()));
    await kube.close();
  });

  function agent(
    pod: string,
    probe: ScriptedProbe,
    extra: Partial<Parameters<typeof startMiniAgent>[0]> = {},
  ) {
    const a = startMiniAgent({
      pod,
      namespace: 'mq',
      kubeConfig: kube.kubeConfig(),
      probe,
      ...extra,
    });
    agents.push(a);
    return a;
  }

  const leaders = () => kube.podsWithLabel('leader', 'yes');
  const label = (pod: string) => kube.getPod(pod)?.metadata.labels?.leader;

  it('three pods start: exactly one is labelled leader, the others standby, selectors intact', async () => {
    agent('amq-0', new ScriptedProbe('refused'));
    agent('amq-1', new ScriptedProbe('ok'));
    agent('amq-2', new ScriptedProbe('refused'));
    await kube.waitFor(() => PODS.every((p) => label(p) !== undefined), { timeoutMs: 20_000 });
    expect(leaders()).toEqual(['amq-1']);
    expect(PODS.map(label)).toEqual(['no', 'yes', 'no']);
    expect(kube.maxPodsWithLabel('leader', 'yes')).toBe(1);
    for (const p of PODS) {
      const labels = kube.getPod(p)?.metadata.labels;
      expect(labels).toMatchObject({ [GROUP_LABEL]: 'activemq', 'pod-template-hash': 'abc' });
    }
    // every write was a merge patch of metadata, with a resourceVersion precondition
    const patches = kube.requests({ verb: 'patch', resource: 'pods' });
    expect(patches.length).toBe(3);
    for (const r of patches) expect(r.contentType).toBe('application/merge-patch+json');
  });

  it('fences a stale leader label left on another pod (dead agent) when it takes over', async () => {
    kube.setPodLabels('amq-0', { leader: 'yes' }); // left over; nobody runs on amq-0
    kube.setPodLabels('amq-2', { leader: 'yes' });
    const a1 = agent('amq-1', new ScriptedProbe('ok'), {
      labeler: { lease: { name: 'activemq' } },
    });
    await kube.waitFor(() => leaders().length === 1 && leaders()[0] === 'amq-1', {
      timeoutMs: 20_000,
    });
    expect(label('amq-0')).toBe('no');
    expect(label('amq-2')).toBe('no');
    const ann = kube.getPod('amq-0')?.metadata.annotations;
    expect(ann?.['activemq-ha.io/fenced-by']).toBe('amq-1');
    const events = await kube.waitFor(() => {
      const list = kube.list('events', { namespace: 'mq' });
      return list.length >= 3 ? list : undefined;
    });
    const reasons = events.map((e) => (e as { reason?: string }).reason).sort();
    expect(reasons).toEqual(['BecameLeader', 'Fenced', 'Fenced']);
    // stored in the core/v1 shape, as a real cluster shows them in `kubectl get events`
    expect(events[0]).toMatchObject({
      reportingComponent: 'activemq-ha.io/agent',
      reportingInstance: 'amq-1',
    });
    const lease = await kube.waitFor(() => kube.get('leases', 'activemq', 'mq'));
    expect((lease as { spec?: { holderIdentity?: string } }).spec?.holderIdentity).toBe('amq-1');
    expect(a1.labeler.readiness()).toBe(true);
  });

  it('a fence RBAC denies leads to no claim while the stale pod is routable', async () => {
    kube.setPodLabels('amq-0', { leader: 'yes' }); // stale, and amq-0 is Ready
    kube.setPodReady('amq-0', true);
    // Real RBAC semantics: patch only on the own pod (resourceNames), so fencing amq-0 is 403.
    kube.setRules([
      { verbs: ['get', 'list', 'watch'], resources: ['pods'] },
      { verbs: ['patch'], resources: ['pods'], resourceNames: ['amq-1'] },
      { verbs: ['create', 'patch'], resources: ['events'] },
      { verbs: ['get', 'create', 'update'], resources: ['leases'] },
    ]);
    const a1 = agent('amq-1', new ScriptedProbe('ok'), {
      labeler: { lease: { name: 'activemq' } },
    });
    const blocked: string[][] = [];
    a1.labeler.on('claimBlocked', (b) => blocked.push([...b.pods]));
    await kube.waitFor(
      () =>
        kube.countRequests({ verb: 'patch', resource: 'pods', name: 'amq-0', status: 403 }) >= 2,
      { timeoutMs: 20_000, description: 'two denied fences' },
    );
    expect(blocked.length).toBeGreaterThanOrEqual(1);
    expect(blocked[0]).toEqual(['amq-0']);
    expect(label('amq-1')).not.toBe('yes');
    expect(kube.countRequests({ verb: 'patch', resource: 'pods', name: 'amq-1' })).toBe(0);
    // Once amq-0 is provably out of the Service (NotReady), the claim goes ahead.
    kube.setPodReady('amq-0', false);
    await kube.waitFor(() => label('amq-1') === 'yes', { timeoutMs: 20_000 });
    expect(label('amq-0')).toBe('yes'); // still denied: it stays for a person to look at
  });

  it('flip: the old leader demotes itself and the new one fences; never two for long', async () => {
    const p0 = new ScriptedProbe('ok');
    const p1 = new ScriptedProbe('refused');
    agent('amq-0', p0);
    agent('amq-1', p1);
    await kube.waitFor(() => label('amq-0') === 'yes' && label('amq-1') === 'no', {
      timeoutMs: 20_000,
    });
    p0.answer('refused');
    p1.answer('ok');
    await kube.waitFor(() => label('amq-0') === 'no' && label('amq-1') === 'yes', {
      timeoutMs: 20_000,
    });
    expect(leaders()).toEqual(['amq-1']);
  });

  it('a write that races with another writer gets 409, re-reads and re-decides', async () => {
    const probe = new ScriptedProbe('refused');
    let raced = false;
    const a = agent('amq-0', probe, {
      // Someone else writes the pod between our read and our conditional patch.
      wrapApi: (client) =>
        delegate(client, {
          patchPodMetadata: (ns, name, patch) => {
            if (!raced && patch.labels?.leader === 'yes') {
              raced = true;
              kube.setPodLabels(name, { other: 'x' });
            }
            return client.patchPodMetadata(ns, name, patch);
          },
        }),
    });
    await kube.waitFor(() => label('amq-0') === 'no', { timeoutMs: 20_000 });
    const conflicts: string[] = [];
    a.labeler.on('conflict', (c) => conflicts.push(c.pod));
    const seq = kube.requestSeq;
    probe.answer('ok');
    await kube.waitFor(() => label('amq-0') === 'yes', { timeoutMs: 20_000 });
    expect(raced).toBe(true);
    expect(conflicts).toEqual(['amq-0']);
    expect(kube.countRequests({ verb: 'patch', name: 'amq-0', status: 409, afterSeq: seq })).toBe(
      1,
    );
    // re-read before the second attempt
    const after409 = kube
      .requests({ name: 'amq-0', afterSeq: seq })
      .map((r) => `${r.verb}:${r.status}`);
    expect(after409).toEqual(['get:200', 'patch:409', 'get:200', 'patch:200']);
    const labels = kube.getPod('amq-0')?.metadata.labels;
    expect(labels).toMatchObject({ other: 'x', leader: 'yes' });
  });

  it('403/5xx/429 bursts do not flap the label; it converges once the API recovers', async () => {
    const probe = new ScriptedProbe('ok');
    const a = agent('amq-0', probe);
    await kube.waitFor(() => label('amq-0') === 'yes', { timeoutMs: 20_000 });
    const historyBefore = kube.labelHistory().length;
    kube.setRules([{ verbs: ['get', 'list', 'watch'], resources: ['pods'] }]); // RBAC: no patch
    kube.failNext(5, { status: 503, verb: 'get' });
    kube.failNext(3, { status: 429, verb: 'list' });
    const errors: number[] = [];
    a.labeler.on('apiError', (e) => errors.push(e.consecutiveErrors));
    // Broker stops: demotion is wanted but the API refuses it for a while.
    probe.answer('refused');
    await kube.waitFor(() => errors.length >= 4, { timeoutMs: 20_000 });
    expect(label('amq-0')).toBe('yes'); // nothing flapped, nothing written
    expect(a.labeler.readiness()).toBe(false); // the second signal takes it out of the Service
    kube.setRules(undefined);
    await kube.waitFor(() => label('amq-0') === 'no', { timeoutMs: 20_000 });
    await expect.poll(() => a.labeler.readiness()).toBe(true);
    const changes = kube
      .labelHistory()
      .slice(historyBefore)
      .filter((c) => c.pod === 'amq-0');
    expect(changes.map((c) => c.after?.leader)).toEqual(['no']);
  });

  it('writes nothing in steady state (PATCH count stays flat over many resyncs)', async () => {
    agent('amq-0', new ScriptedProbe('ok'), { labeler: { resyncIntervalMs: 100 } });
    agent('amq-1', new ScriptedProbe('refused'), { labeler: { resyncIntervalMs: 100 } });
    await kube.waitFor(() => label('amq-0') === 'yes' && label('amq-1') === 'no', {
      timeoutMs: 20_000,
    });
    const seq = kube.requestSeq;
    await kube.waitFor(
      () => kube.countRequests({ verb: 'get', resource: 'pods', afterSeq: seq }) >= 30,
      {
        timeoutMs: 30_000,
      },
    );
    expect(kube.countRequests({ verb: 'patch', afterSeq: seq })).toBe(0);
    expect(kube.countRequests({ verb: 'update', afterSeq: seq })).toBe(0);
    expect(kube.countRequests({ verb: 'create', resource: 'leases', afterSeq: seq })).toBe(0);
  });

  it('re-reads a rotated service-account token file on 401 and carries on', async () => {
    const probe = new ScriptedProbe('refused');
    const a = agent('amq-0', probe, {
      // The kubeconfig's own token is ignored when a token file is given (as in-cluster).
      client: { tokenFile: kube.tokenFilePath },
    });
    const rotations: string[] = [];
    a.client.on('tokenRotated', (r) => rotations.push(r.trigger));
    await kube.waitFor(() => label('amq-0') === 'no', { timeoutMs: 20_000 });
    const seq = kube.requestSeq;
    kube.rotateToken();
    probe.answer('ok');
    await kube.waitFor(() => label('amq-0') === 'yes', { timeoutMs: 20_000 });
    expect(rotations).toContain('unauthorized');
    expect(kube.countRequests({ status: 401, afterSeq: seq })).toBeGreaterThanOrEqual(1);
  });

  it('readiness is false while labelled leader, the broker is down and the API is down', async () => {
    const probe = new ScriptedProbe('ok');
    const a = agent('amq-0', probe);
    await kube.waitFor(() => label('amq-0') === 'yes', { timeoutMs: 20_000 });
    // The API committed the label; wait until the labeler has the answer too (over HTTP/2 the
    // response goes out a tick after the commit, and the outage below would drop it).
    await expect.poll(() => a.labeler.status.label, { timeout: 20_000 }).toBe('yes');
    expect(a.labeler.readiness()).toBe(true);
    await kube.setDown(true);
    probe.answer('refused');
    await expect.poll(() => a.elector.state, { timeout: 20_000 }).toBe('standby');
    expect(a.labeler.readiness()).toBe(false);
    expect(label('amq-0')).toBe('yes');
    await kube.setDown(false);
    await kube.waitFor(() => label('amq-0') === 'no', { timeoutMs: 20_000 });
    await expect.poll(() => a.labeler.readiness()).toBe(true);
  });

  /** Statuses of the watch starts that failed, as the labeler reports them. */
  function watchFailures(a: ReturnType<typeof agent>): number[] {
    const statuses: number[] = [];
    a.labeler.on('watch', (w) => {
      if (w.state === 'closed' && w.error) {
        statuses.push(w.error instanceof KubeApiError ? w.error.status : -1);
      }
    });
    return statuses;
  }

  it('a watch that RBAC forbids fails to start with 403, is retried, and opens once allowed', async () => {
    kube.setRules([
      { verbs: ['get', 'list', 'patch'], resources: ['pods'] },
      { verbs: ['create'], resources: ['events'] },
    ]);
    // The adapter: the call itself rejects with the API's status; onClose never fires.
    const client = new KubeClient({ kubeConfig: kube.kubeConfig(), requestTimeoutMs: 3000 });
    const handlers: PodWatchHandlers = { onEvent: vi.fn(), onClose: vi.fn() };
    await expect(client.watchPods('mq', {}, handlers)).rejects.toMatchObject({
      name: 'KubeApiError',
      operation: 'watchPods',
      status: 403,
      transient: true,
    });
    expect(handlers.onClose).not.toHaveBeenCalled();
    // The labeler: reports every failed start, keeps retrying, and labels meanwhile.
    const a = agent('amq-0', new ScriptedProbe('refused'));
    const failures = watchFailures(a);
    await kube.waitFor(() => failures.length >= 3 && label('amq-0') === 'no', {
      timeoutMs: 20_000,
    });
    expect(new Set(failures)).toEqual(new Set([403]));
    expect(a.labeler.status.watching).toBe(false);
    expect(kube.openWatches).toBe(0);
    kube.setRules(undefined);
    await kube.waitFor(() => a.labeler.status.watching, { timeoutMs: 20_000 });
    expect(kube.openWatches).toBe(1);
  });

  it('a watch that cannot connect (API down) rejects with status 0; it opens once the API is back', async () => {
    await kube.setDown(true);
    const client = new KubeClient({ kubeConfig: kube.kubeConfig(), requestTimeoutMs: 3000 });
    const handlers: PodWatchHandlers = { onEvent: vi.fn(), onClose: vi.fn() };
    await expect(client.watchPods('mq', {}, handlers)).rejects.toMatchObject({
      name: 'KubeApiError',
      status: 0,
    });
    expect(handlers.onClose).not.toHaveBeenCalled();
    const a = agent('amq-0', new ScriptedProbe('refused'));
    const failures = watchFailures(a);
    await expect.poll(() => failures.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
    expect(new Set(failures)).toEqual(new Set([0]));
    expect(a.labeler.status.watching).toBe(false);
    await kube.setDown(false);
    await kube.waitFor(() => a.labeler.status.watching && label('amq-0') === 'no', {
      timeoutMs: 20_000,
    });
    expect(kube.openWatches).toBe(1);
  });

  it('stop({ release: true }) removes the leader label before the broker goes (SIGTERM)', async () => {
    const a = agent('amq-0', new ScriptedProbe('ok'));
    await kube.waitFor(() => label('amq-0') === 'yes', { timeoutMs: 20_000 });
    await a.stop({ release: true });
    expect(label('amq-0')).toBe('no');
  });

  it('stop({ release: true }) against a hung API gives up at its deadline, not a request timeout later', async () => {
    const a = agent('amq-0', new ScriptedProbe('ok'), { client: { requestTimeoutMs: 20_000 } });
    await kube.waitFor(() => label('amq-0') === 'yes', { timeoutMs: 20_000 });
    kube.setLatency(30_000, { verb: 'get', resource: 'pods' });
    const started = performance.now();
    expect(await a.labeler.stop({ release: true, timeoutMs: 1000 })).toBe(false);
    // KubeClient cut the hung request at the deadline (the request timeout is 20 s).
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(label('amq-0')).toBe('yes');
    kube.setLatency(0);
  });
});
