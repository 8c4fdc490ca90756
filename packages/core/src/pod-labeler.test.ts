import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { InvalidOptionError, ListenerError } from './errors.js';
import { PodLabeler } from './pod-labeler.js';
import type { PodLabelerEvents } from './pod-labeler-events.js';
import type { PodLabelerOptions } from './pod-labeler-options.js';
import { FakeElector } from './testing/fake-elector.js';
import { FakePodApi } from './testing/fake-pod-api.js';

const GROUP = 'app=amq';

/** The fake API answers in microtasks only: let every pending continuation run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 100; i++) await Promise.resolve();
}

/** A Lease as an agent writes it: 8 s, acquired at 0, term 3, unless `more` says otherwise. */
const lease = (
  holderIdentity: string,
  renewTime: number,
  more: { acquireTime?: number; leaseTransitions?: number; leaseDurationSeconds?: number } = {},
) => ({
  holderIdentity,
  leaseDurationSeconds: 8,
  acquireTime: 0,
  renewTime,
  leaseTransitions: 3,
  ...more,
});

function setup(
  options: Partial<PodLabelerOptions> = {},
  pods: Record<string, string | undefined> = {},
) {
  const api = new FakePodApi();
  const names = Object.keys(pods).length > 0 ? pods : { 'amq-0': undefined, 'amq-1': undefined };
  for (const [name, label] of Object.entries(names)) {
    api.addPod(name, { app: 'amq', 'pod-template-hash': 'x', ...(label ? { leader: label } : {}) });
  }
  const elector = new FakeElector();
  const labeler = new PodLabeler({
    api,
    elector,
    namespace: 'ns',
    podName: 'amq-0',
    groupSelector: GROUP,
    random: () => 0.5, // no jitter
    ...options,
  });
  const seen: { [K in keyof PodLabelerEvents]?: PodLabelerEvents[K][0][] } = {};
  const record = <K extends keyof PodLabelerEvents>(name: K) => {
    const list: PodLabelerEvents[K][0][] = [];
    seen[name] = list as (typeof seen)[K];
    labeler.on(name, ((e: PodLabelerEvents[K][0]) => list.push(e)) as never);
  };
  for (const name of [
    'labelChanged',
    'fenced',
    'fenceFailed',
    'conflict',
    'apiError',
    'readiness',
    'warning',
  ] as const) {
    record(name);
  }
  return { api, elector, labeler, seen, patches: () => api.count('patchPod') };
}

describe('PodLabeler', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('labels a standby pod `no` once, then only reads on resync', async () => {
    const { api, elector, labeler, patches, seen } = setup();
    labeler.start();
    await settle();
    expect(patches()).toBe(0); // starting: no decision yet
    elector.set('standby');
    await settle();
    expect(api.label('amq-0')).toBe('no');
    expect(patches()).toBe(1);
    expect(seen.labelChanged?.[0]).toMatchObject({
      pod: 'amq-0',
      from: undefined,
      to: 'no',
      cause: 'standby',
    });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(patches()).toBe(1);
    expect(api.count('readPod')).toBeGreaterThanOrEqual(6);
    expect(api.count('listPods')).toBe(0); // a standby fences nobody
    await labeler.stop();
  });

  it('patches only its own label key, conditional on the resourceVersion just read', async () => {
    const { api, elector, labeler } = setup();
    labeler.start();
    const rv = api.pods.get('amq-0')!.resourceVersion;
    elector.set('leader');
    await settle();
    const patch = api.requests.find((r) => r.op === 'patchPod' && r.pod === 'amq-0')!.patch!;
    expect(patch.labels).toEqual({ leader: 'yes' });
    expect(patch.resourceVersion).toBe(rv);
    expect(patch.annotations).toEqual({
      'activemq-ha.io/leader-since': '2023-11-14T22:13:20.000Z',
      // The leader's pod is replaced last by rollouts and scale-downs.
      'controller.kubernetes.io/pod-deletion-cost': '1000',
    });
    elector.set('standby');
    await settle();
    expect(api.pods.get('amq-0')!.annotations).not.toHaveProperty(
      'controller.kubernetes.io/pod-deletion-cost',
    );
    elector.set('leader');
    await settle();
    expect(api.pods.get('amq-0')!.labels).toEqual({
      app: 'amq',
      'pod-template-hash': 'x',
      leader: 'yes',
    });
    await labeler.stop();
  });

  it('becomes leader with an Event and a renewed Lease, and patches nothing in steady state', async () => {
    const { api, elector, labeler, patches } = setup({ lease: { name: 'amq' } });
    labeler.start();
    elector.set('leader');
    await settle();
    expect(api.label('amq-0')).toBe('yes');
    expect(api.events.map((e) => e.reason)).toEqual(['BecameLeader']);
    expect(api.events[0]).toMatchObject({
      reportingController: 'activemq-ha.io/agent',
      reportingInstance: 'amq-0',
      regarding: { name: 'amq-0', uid: 'uid-amq-0' },
    });
    expect(api.leases.get('amq')).toMatchObject({
      holderIdentity: 'amq-0',
      leaseDurationSeconds: 8,
      leaseTransitions: 0,
    });
    expect(api.pods.get('amq-0')!.annotations['activemq-ha.io/term']).toBe('0');
    const after = patches();
    const leaseWrites = api.count('writeLease');
    for (let i = 0; i < 12; i++) {
      await vi.advanceTimersByTimeAsync(250);
      elector.tick(); // fresh probes keep coming
      await vi.advanceTimersByTimeAsync(750);
    }
    expect(patches()).toBe(after);
    // Renewed every 2 s (12 s here), each a single conditional write on the version we wrote.
    expect(api.count('writeLease') - leaseWrites).toBeGreaterThanOrEqual(5);
    expect(api.count('readLease')).toBeLessThanOrEqual(2); // at start, then never again
    await labeler.stop();
  });

  it('fences every other pod still labelled leader, and claims only once all are fenced', async () => {
    const { api, elector, labeler, seen } = setup(
      {},
      { 'amq-0': 'no', 'amq-1': 'yes', 'amq-2': 'yes', 'amq-3': 'no' },
    );
    const blocked: string[][] = [];
    labeler.on('claimBlocked', (b) => blocked.push([...b.pods]));
    api.fail('patchPod', 503, 1000, 'amq-1'); // amq-1 is unreachable for now
    labeler.start();
    elector.set('leader');
    await settle();
    expect(api.label('amq-2')).toBe('no'); // not blocked by amq-1
    expect(api.pods.get('amq-2')!.annotations['activemq-ha.io/fenced-by']).toBe('amq-0');
    expect(api.label('amq-1')).toBe('yes');
    // amq-1 is Ready and still labelled: claiming now would route to two brokers.
    expect(api.label('amq-0')).toBe('no');
    expect(blocked).toEqual([['amq-1']]);
    expect(seen.fenced?.map((f) => f.pod)).toEqual(['amq-2']);
    expect(seen.fenceFailed?.map((f) => f.pod)).toEqual(['amq-1']);
    expect(seen.apiError?.[0]?.error.name).toBe('FenceIncompleteError');
    api.clearFaults();
    await vi.advanceTimersByTimeAsync(seen.apiError![0]!.retryInMs);
    await settle();
    expect(api.label('amq-1')).toBe('no');
    expect(api.label('amq-0')).toBe('yes');
    expect(api.events.filter((e) => e.reason === 'Fenced').map((e) => e.regarding.name)).toEqual([
      'amq-2',
      'amq-1',
    ]);
    await labeler.stop();
  });

  it('claims although a fence is denied when the stale pod is provably not routable', async () => {
    const { api, elector, labeler, seen } = setup({}, { 'amq-0': 'no', 'amq-1': 'yes' });
    api.pods.set('amq-1', { ...api.pods.get('amq-1')!, ready: false });
    api.fail('patchPod', 403, 1000, 'amq-1'); // an admission policy denies it
    labeler.start();
    elector.set('leader');
    await settle();
    expect(seen.fenceFailed?.map((f) => f.pod)).toEqual(['amq-1']);
    expect(api.label('amq-0')).toBe('yes');
    await labeler.stop();
  });

  it('never fences a pod stamped with a higher term than its own', async () => {
    const { api, elector, labeler } = setup(
      { lease: { name: 'amq' } },
      { 'amq-0': 'no', 'amq-1': 'yes' },
    );
    const peer = api.pods.get('amq-1')!;
    api.pods.set('amq-1', { ...peer, annotations: { 'activemq-ha.io/term': '7' } });
    const blocked: string[][] = [];
    labeler.on('claimBlocked', (b) => blocked.push([...b.pods]));
    labeler.start();
    elector.set('leader');
    await settle();
    expect(api.leases.get('amq')?.holderIdentity).toBe('amq-0'); // term 0
    expect(api.label('amq-1')).toBe('yes');
    expect(api.label('amq-0')).toBe('no');
    expect(blocked[0]).toEqual(['amq-1']);
    await labeler.stop();
  });

  it('detects a split brain: another pod renews the Lease while our broker serves', async () => {
    const { api, elector, labeler } = setup(
      { lease: { name: 'amq' } },
      { 'amq-0': 'yes', 'amq-1': 'yes' },
    );
    const spec = (renewTime: number) => lease('amq-1', renewTime);
    api.setLease('amq', spec(1));
    const splits: string[] = [];
    labeler.on('splitBrain', (e) => splits.push(e.holder));
    labeler.start();
    elector.set('leader');
    await settle();
    // A live Lease held by another pod: no claim, no fence (it may be a dead agent's).
    expect(api.label('amq-1')).toBe('yes');
    expect(splits).toEqual([]);
    for (let i = 1; i <= 10; i++) {
      api.setLease('amq', spec(1 + i)); // amq-1's agent keeps renewing
      await vi.advanceTimersByTimeAsync(1000);
      elector.tick();
      await settle();
    }
    expect(splits).toEqual(['amq-1']);
    expect(api.events.filter((e) => e.reason === 'SplitBrain')).toHaveLength(1);
    expect(api.label('amq-0')).toBe('no');
    expect(labeler.status.readiness.ready).toBe(false);
    expect(labeler.status.splitBrain).toBe(true);
    // The other holder goes away (its Lease released): the split brain is over.
    elector.set('standby');
    api.setLease('amq', { ...spec(99), holderIdentity: '' });
    await vi.advanceTimersByTimeAsync(2500);
    await settle();
    expect(labeler.status.splitBrain).toBe(false);
    expect(labeler.status.readiness.ready).toBe(true);
    await labeler.stop();
  });

  it('claims soon after the old holder hands the Lease back, not a renew interval later', async () => {
    // A warm standby can take the store lock before the old leader's agent has seen its broker
    // die (two refused probes) and released the Lease: the claim must follow that release
    // within a few tens of ms, not at the next 2 s round (seen on a real kube-apiserver).
    const { api, elector, labeler, seen } = setup(
      { lease: { name: 'amq' } },
      { 'amq-0': 'no', 'amq-1': 'yes' },
    );
    api.setLease('amq', lease('amq-1', Date.now()));
    labeler.start();
    elector.set('leader');
    await settle();
    expect(api.label('amq-0')).toBe('no'); // held live by amq-1: no claim yet
    await vi.advanceTimersByTimeAsync(80);
    // amq-1's agent saw its broker die: it hands the Lease back and labels itself `no`.
    api.setLease('amq', lease('', Date.now(), { leaseDurationSeconds: 1 }));
    api.setLabel('amq-1', 'leader', 'no');
    const released = Date.now();
    await vi.advanceTimersByTimeAsync(200);
    elector.tick();
    await settle();
    expect(api.label('amq-0')).toBe('yes');
    expect(api.leases.get('amq')).toMatchObject({ holderIdentity: 'amq-0', leaseTransitions: 4 });
    const claimed = seen.labelChanged?.find((c) => c.to === 'yes');
    expect(claimed!.at - released).toBeLessThanOrEqual(100);
    await labeler.stop();
  });

  it('keeps the label of a serving broker when Lease renewals fail (API outage is not a split brain)', async () => {
    const { api, elector, labeler, seen } = setup({ lease: { name: 'amq' } });
    labeler.start();
    elector.set('leader');
    await settle();
    expect(api.label('amq-0')).toBe('yes');
    api.fail('writeLease', 503, 1000);
    api.fail('readLease', 503, 1000);
    for (let i = 0; i < 30; i++) {
      await vi.advanceTimersByTimeAsync(1000);
      elector.tick();
      await settle();
    }
    expect(labeler.status.lease?.held).toBe(false);
    expect(api.label('amq-0')).toBe('yes');
    expect(labeler.status.readiness.ready).toBe(true);
    expect(labeler.status.splitBrain).toBe(false);
    expect(seen.labelChanged?.map((c) => c.to)).toEqual(['yes']);
    await labeler.stop();
  });

  it('renews the Lease it left when only the agent restarted: no release before the first verdict, same term', async () => {
    // client-go's tryAcquireOrRenew: a record naming our identity is ours (IsLeader), so it is
    // renewed with its acquireTime and leaseTransitions, never released and re-acquired.
    const { api, elector, labeler } = setup(
      { lease: { name: 'amq' } },
      { 'amq-0': 'yes', 'amq-1': 'no' },
    );
    const acquired = Date.now() - 60_000;
    api.setLease('amq', lease('amq-0', Date.now() - 1000, { acquireTime: acquired }));
    labeler.start();
    await settle();
    await vi.advanceTimersByTimeAsync(2500); // more than a renew interval, still no verdict
    await settle();
    expect(api.count('writeLease')).toBe(0);
    expect(api.leases.get('amq')?.holderIdentity).toBe('amq-0');
    elector.set('leader');
    await settle();
    expect(api.count('writeLease')).toBe(1);
    expect(api.leases.get('amq')).toMatchObject({
      holderIdentity: 'amq-0',
      leaseTransitions: 3,
      acquireTime: acquired,
      renewTime: Date.now(),
      leaseDurationSeconds: 8,
    });
    expect(labeler.status.lease).toMatchObject({ held: true, term: 3 });
    expect(api.label('amq-0')).toBe('yes');
    await labeler.stop();
  });

  it('releases the Lease it left once the first verdict says its broker does not serve', async () => {
    const { api, elector, labeler } = setup(
      { lease: { name: 'amq' } },
      { 'amq-0': 'yes', 'amq-1': 'no' },
    );
    api.setLease('amq', lease('amq-0', Date.now() - 1000));
    labeler.start();
    await settle();
    expect(api.count('writeLease')).toBe(0);
    elector.set('standby');
    await settle();
    expect(api.leases.get('amq')?.holderIdentity ?? '').toBe('');
    expect(api.leases.get('amq')?.leaseTransitions).toBe(3);
    await labeler.stop();
  });

  it('takes over an expired Lease one term higher, and waits while it is live', async () => {
    const { api, elector, labeler } = setup({ lease: { name: 'amq' } });
    api.setLease('amq', lease('amq-1', 0, { leaseTransitions: 4 }));
    labeler.start();
    elector.set('leader');
    await settle();
    expect(api.label('amq-0')).toBeUndefined();
    for (let i = 0; i < 7; i++) {
      await vi.advanceTimersByTimeAsync(1000);
      elector.tick();
      await settle();
    }
    expect(api.label('amq-0')).toBeUndefined(); // 7 s < 8 s since first seen
    // Taken when the 8 s run out, not up to a backoff step (or a renew interval) later.
    await vi.advanceTimersByTimeAsync(1000);
    elector.tick();
    await settle();
    expect(api.leases.get('amq')).toMatchObject({ holderIdentity: 'amq-0', leaseTransitions: 5 });
    expect(api.label('amq-0')).toBe('yes');
    expect(api.pods.get('amq-0')!.annotations['activemq-ha.io/term']).toBe('5');
    await labeler.stop();
  });

  it('does not claim back for a while after a peer fenced it, and bounds its label writes', async () => {
    const { api, elector, labeler, patches } = setup({ fenceBackoffMs: 30_000 });
    const fencedBy: string[] = [];
    labeler.on('fencedByPeer', (f) => fencedBy.push(f.by));
    labeler.start();
    elector.set('leader');
    await settle();
    expect(api.label('amq-0')).toBe('yes');
    // A hostile peer keeps fencing us (and labelling itself) every 500 ms for two minutes.
    const start = patches();
    for (let i = 0; i < 240; i++) {
      const pod = api.pods.get('amq-0')!;
      if (pod.labels.leader === 'yes') {
        await api.patchPodMetadata('ns', 'amq-0', {
          labels: { leader: 'no' },
          annotations: { 'activemq-ha.io/fenced-by': 'amq-1' },
        });
        api.setLabel('amq-1', 'leader', 'yes');
      }
      await vi.advanceTimersByTimeAsync(500);
      elector.tick();
      await settle();
    }
    expect(fencedBy[0]).toBe('amq-1');
    // Ours only (the peer's writes above are counted too: halve). 2 min, 30 s damping: <= 4 rounds.
    const ours = api.requests.filter(
      (r) => r.op === 'patchPod' && r.patch?.annotations?.['activemq-ha.io/fenced-by'] !== 'amq-1',
    ).length;
    expect(ours - start).toBeLessThanOrEqual(10);
    await labeler.stop();
  });

  it('re-reads and re-decides on 409 instead of overwriting', async () => {
    const { api, elector, labeler, seen } = setup();
    let raced = false;
    api.beforePatch = (name) => {
      if (name === 'amq-0' && !raced) {
        raced = true;
        api.setLabel('amq-0', 'other', 'x'); // someone else wrote meanwhile
      }
    };
    labeler.start();
    elector.set('standby');
    await settle();
    expect(seen.conflict).toEqual([{ pod: 'amq-0', attempt: 1 }]);
    expect(api.pods.get('amq-0')!.labels).toMatchObject({ leader: 'no', other: 'x' });
    expect(api.count('patchPod')).toBe(2);
    await labeler.stop();
  });

  it('does not write when the re-read after a 409 already shows the desired label', async () => {
    const { api, elector, labeler, patches } = setup();
    api.beforePatch = (name) => {
      if (name === 'amq-0' && api.label('amq-0') !== 'no') api.setLabel('amq-0', 'leader', 'no');
    };
    labeler.start();
    elector.set('standby');
    await settle();
    expect(patches()).toBe(1); // the conflicting one only
    expect(api.label('amq-0')).toBe('no');
    await labeler.stop();
  });

  it('retries 403/5xx bursts with capped backoff and never flaps the label', async () => {
    const { api, elector, labeler, seen } = setup({}, { 'amq-0': 'yes', 'amq-1': 'no' });
    labeler.start();
    elector.set('leader');
    await settle();
    const written = api.requests.filter((r) => r.op === 'patchPod').length;
    expect(written).toBe(0); // already right
    api.fail('readPod', 403, 3);
    api.fail('readPod', 503, 3);
    api.fail('readPod', 429, 2);
    labeler.resync();
    for (let i = 0; i < 20 && (seen.apiError?.length ?? 0) < 8; i++) {
      elector.tick();
      await vi.advanceTimersByTimeAsync(1000);
    }
    const delays = seen.apiError!.map((e) => e.retryInMs);
    expect(delays).toEqual([200, 400, 800, 1600, 2000, 2000, 2000, 2000]);
    elector.tick();
    await vi.advanceTimersByTimeAsync(5000);
    expect(labeler.status.consecutiveErrors).toBe(0);
    expect(api.requests.filter((r) => r.op === 'patchPod')).toHaveLength(0);
    expect(api.label('amq-0')).toBe('yes');
    await labeler.stop();
  });

  it('demotes itself at once when the broker stops answering, cutting a retry wait short', async () => {
    const { api, elector, labeler } = setup();
    labeler.start();
    elector.set('leader');
    await settle();
    api.fail('readPod', 500, 1);
    labeler.resync();
    await settle(); // now waiting 200 ms before retrying
    elector.set('standby');
    await settle();
    expect(api.label('amq-0')).toBe('no');
    expect(api.pods.get('amq-0')!.annotations).not.toHaveProperty('activemq-ha.io/leader-since');
    expect(api.events.map((e) => e.reason)).toEqual(['BecameLeader', 'Demoted']);
    await labeler.stop();
  });

  it('waits for a fresh ok probe before claiming the label (a frozen process waking up)', async () => {
    const { api, elector, labeler } = setup();
    elector.set('leader'); // the last ok probe is from before the freeze
    await vi.advanceTimersByTimeAsync(60_000);
    labeler.start();
    await settle();
    expect(api.label('amq-0')).toBeUndefined();
    elector.tick();
    await settle();
    expect(api.label('amq-0')).toBe('yes');
    await labeler.stop();
  });

  it('puts its own label back when someone else changes it (watch), without waiting for resync', async () => {
    const { api, elector, labeler } = setup();
    labeler.start();
    elector.set('leader');
    await settle();
    api.setLabel('amq-0', 'leader', 'no');
    await settle();
    expect(api.label('amq-0')).toBe('yes');
    api.setLabel('amq-1', 'leader', 'yes'); // a second pod looking active: repaired
    await settle();
    expect(api.label('amq-1')).toBe('no');
    await labeler.stop();
  });

  it('restarts a closed watch with backoff', async () => {
    const { api, labeler } = setup();
    labeler.start();
    await settle();
    expect(api.openWatches).toBe(1);
    api.closeWatches(new Error('boom'));
    expect(api.openWatches).toBe(0);
    await vi.advanceTimersByTimeAsync(200);
    expect(api.openWatches).toBe(1);
    await vi.advanceTimersByTimeAsync(5_000);
    api.closeWatches(); // a clean server-side timeout of a healthy watch restarts at once
    await vi.advanceTimersByTimeAsync(0);
    expect(api.openWatches).toBe(1);
    api.closeWatches(); // ...but one that ends young and empty backs off
    await vi.advanceTimersByTimeAsync(0);
    expect(api.openWatches).toBe(0);
    await vi.advanceTimersByTimeAsync(200);
    expect(api.openWatches).toBe(1);
    await labeler.stop();
    expect(api.openWatches).toBe(0);
  });

  it('readiness is false while labelled leader but the broker is down and the API unreachable', async () => {
    const { api, elector, labeler, seen } = setup();
    labeler.start();
    elector.set('leader');
    await settle();
    expect(labeler.readiness()).toBe(true);
    api.fail('readPod', 503, 1000);
    elector.set('standby');
    await settle();
    expect(api.label('amq-0')).toBe('yes'); // could not demote
    expect(labeler.readiness()).toBe(false);
    expect(labeler.status.readiness.reason).toContain('standby');
    api.clearFaults();
    await vi.advanceTimersByTimeAsync(1000);
    expect(api.label('amq-0')).toBe('no');
    expect(labeler.readiness()).toBe(true);
    expect(seen.readiness?.map((r) => r.ready)).toEqual([false, true]);
    await labeler.stop();
  });

  it('a waiting slave labelled `no` stays ready; initialLabel covers an API down at start', async () => {
    const a = setup({}, { 'amq-0': 'no' });
    a.elector.set('standby');
    expect(a.labeler.readiness()).toBe(true);
    const b = setup({ initialLabel: 'yes' });
    b.api.fail('readPod', 503, 1000);
    b.api.fail('watchPods', 503, 1000);
    b.labeler.start();
    b.elector.set('standby');
    await settle();
    expect(b.labeler.readiness()).toBe(false);
    await b.labeler.stop();
  });

  it("demotes on `unknown` by default and leaves the label with onUnknown: 'keep'", async () => {
    const a = setup({}, { 'amq-0': 'yes' });
    a.labeler.start();
    a.elector.set('unknown');
    await settle();
    expect(a.api.label('amq-0')).toBe('no');
    await a.labeler.stop();
    const b = setup({ onUnknown: 'keep' }, { 'amq-0': 'yes' });
    b.labeler.start();
    b.elector.set('unknown');
    await settle();
    expect(b.api.label('amq-0')).toBe('yes');
    expect(b.labeler.readiness()).toBe(false);
    await b.labeler.stop();
  });

  it('stop({ release: true }) hands the label over on shutdown', async () => {
    const { api, elector, labeler, seen } = setup();
    labeler.start();
    elector.set('leader');
    await settle();
    api.fail('readPod', 503, 1);
    const released = labeler.stop({ release: true });
    await vi.advanceTimersByTimeAsync(1000);
    expect(await released).toBe(true);
    expect(api.label('amq-0')).toBe('no');
    expect(seen.labelChanged?.at(-1)).toMatchObject({ cause: 'released', to: 'no' });
  });

  it('keeps labelling when Events cannot be recorded (best effort)', async () => {
    const { api, elector, labeler, seen } = setup();
    api.fail('createEvent', 403, 10);
    labeler.start();
    elector.set('leader');
    await settle();
    expect(api.label('amq-0')).toBe('yes');
    expect(seen.warning?.[0]?.what).toBe('event BecameLeader');
    await labeler.stop();
  });

  it('validates options', () => {
    const api = new FakePodApi();
    const elector = new FakeElector();
    const base = { api, elector, namespace: 'ns', podName: 'p', groupSelector: '' };
    expect(() => new PodLabeler({ ...base, podName: '' })).toThrow(/podName/);
    expect(() => new PodLabeler({ ...base, standbyValue: 'yes' })).toThrow(/standbyValue/);
  });

  it('rejects label keys and values the API would refuse with 422, naming the option', () => {
    const api = new FakePodApi();
    const elector = new FakeElector();
    const base = { api, elector, namespace: 'ns', podName: 'p', groupSelector: '' };
    const invalid = (o: Partial<PodLabelerOptions>) => {
      try {
        new PodLabeler({ ...base, ...o });
      } catch (err) {
        return err as InvalidOptionError;
      }
      throw new Error(`accepted ${JSON.stringify(o)}`);
    };
    const long = 'a'.repeat(64);
    for (const labelKey of ['', 'lead er', '-leader', 'leader-', '/leader', 'Example.com/leader']) {
      expect(invalid({ labelKey })).toMatchObject({ code: 'INVALID_OPTION', field: 'labelKey' });
    }
    expect(invalid({ labelKey: long }).field).toBe('labelKey');
    expect(invalid({ labelKey: `${'a'.repeat(254)}/leader` }).field).toBe('labelKey');
    expect(invalid({ labelKey: 'a/b/c' }).field).toBe('labelKey');
    for (const leaderValue of ['', 'y es', 'yes!', '_yes', long]) {
      expect(invalid({ leaderValue })).toMatchObject({ field: 'leaderValue' });
    }
    expect(invalid({ standbyValue: '' }).field).toBe('standbyValue');
    expect(invalid({ leaderSinceAnnotation: 'since me' }).field).toBe('leaderSinceAnnotation');
    expect(invalid({ fencedByAnnotation: 'x/' }).field).toBe('fencedByAnnotation');
    // the longest valid forms are accepted
    const ok = {
      labelKey: `${'a'.repeat(63)}.${'b'.repeat(63)}.example.com/${'c'.repeat(63)}`,
      leaderValue: `A${'-._'.repeat(20)}z`,
      standbyValue: 'no',
      leaderSinceAnnotation: null,
    } as const;
    expect(() => new PodLabeler({ ...base, ...ok })).not.toThrow();
    expect(() => new PodLabeler({ ...base, labelKey: 'activemq-ha.io/leader' })).not.toThrow();
  });

  it('apiError says whether the error is transient; both kinds are retried', async () => {
    const { api, elector, labeler, seen } = setup();
    labeler.start();
    api.fail('readPod', 503, 1);
    api.fail('patchPod', 422, 1); // e.g. an admission webhook refusing the label
    elector.set('standby');
    await settle();
    await vi.advanceTimersByTimeAsync(200);
    await vi.advanceTimersByTimeAsync(400);
    expect(seen.apiError?.map((e) => [e.error.message, e.transient])).toEqual([
      ['readPod: HTTP 503: injected 503', true],
      ['patchPod: HTTP 422: injected 422', false],
    ]);
    expect(api.label('amq-0')).toBe('no'); // retried after the 422 as well
    await labeler.stop();
  });

  it('a fence that failed with 409 streaks or 5xx only is transient', async () => {
    const { api, elector, labeler, seen } = setup({}, { 'amq-0': 'no', 'amq-1': 'yes' });
    api.fail('patchPod', 500, 1, 'amq-1');
    labeler.start();
    elector.set('leader');
    await settle();
    expect(seen.apiError?.[0]).toMatchObject({ transient: true });
    expect(seen.apiError?.[0]?.error.name).toBe('FenceIncompleteError');
    await labeler.stop();
  });

  it('a throwing listener is reported on listenerError and never stops the loop', async () => {
    const { api, elector, labeler, seen } = setup();
    const reported: ListenerError[] = [];
    labeler.on('listenerError', (e) => reported.push(e));
    labeler.on('apiError', () => {
      throw new Error('listener bug');
    });
    labeler.on('reconciled', () => {
      throw new Error('another bug');
    });
    labeler.start();
    api.fail('readPod', 503, 3);
    elector.set('standby');
    await settle();
    for (let i = 0; i < 4; i++) await vi.advanceTimersByTimeAsync(1000);
    expect(seen.apiError).toHaveLength(3); // the listener after the throwing one still ran
    expect(api.label('amq-0')).toBe('no');
    expect(reported.filter((e) => e.event === 'apiError')).toHaveLength(3);
    expect(reported.some((e) => e.event === 'reconciled')).toBe(true);
    const first = reported.find((e) => e.event === 'apiError');
    expect(first).toMatchObject({ name: 'ListenerError', code: 'LISTENER_FAILED' });
    expect(first?.cause).toMatchObject({ message: 'listener bug' });
    await labeler.stop();
  });

  describe('stop({ release: true }) keeps to its deadline', () => {
    it('hung API with a reconcile in flight: resolves false at the deadline', async () => {
      const { api, elector, labeler, seen } = setup();
      labeler.start();
      elector.set('leader');
      await settle();
      expect(api.label('amq-0')).toBe('yes');
      api.hang('readPod');
      api.hang('patchPod');
      labeler.resync(); // this reconcile never gets an answer
      await settle();
      const started = Date.now();
      let result: boolean | undefined;
      void labeler.stop({ release: true, timeoutMs: 2000 }).then((r) => {
        result = r;
      });
      await vi.advanceTimersByTimeAsync(1999);
      expect(result).toBeUndefined();
      await vi.advanceTimersByTimeAsync(1);
      expect(result).toBe(false);
      expect(Date.now() - started).toBe(2000);
      expect(seen.warning?.at(-1)?.what).toBe('release');
      expect(api.label('amq-0')).toBe('yes');
    });

    it('hung API, nothing in flight: every release request is cut at the deadline', async () => {
      const { api, elector, labeler } = setup();
      labeler.start();
      elector.set('leader');
      await settle();
      api.hang('readPod');
      const released = labeler.stop({ release: true, timeoutMs: 3000 });
      await vi.advanceTimersByTimeAsync(3000);
      expect(await released).toBe(false);
      expect(api.label('amq-0')).toBe('yes');
    });

    it('API recovering shortly before the deadline: a last attempt still releases', async () => {
      const { api, elector, labeler, seen } = setup();
      labeler.start();
      elector.set('leader');
      await settle();
      api.fail('readPod', 503, 1000);
      const started = Date.now();
      let result: boolean | undefined;
      void labeler.stop({ release: true }).then((r) => {
        result = r;
      });
      // Retries at 0, 200, 600, 1400 and 3000 ms fail; the next backoff (2000 ms) reaches the
      // deadline, so the last attempt goes in at 4000 ms (the old code gave up at 3000 ms).
      setTimeout(() => api.clearFaults(), 3900);
      await vi.advanceTimersByTimeAsync(3999);
      expect(result).toBeUndefined();
      await vi.advanceTimersByTimeAsync(1);
      expect(result).toBe(true);
      expect(Date.now() - started).toBe(4000);
      expect(api.label('amq-0')).toBe('no');
      expect(seen.labelChanged?.at(-1)).toMatchObject({ cause: 'released', to: 'no' });
    });

    it('API still failing at the last attempt: false, within the deadline', async () => {
      const { api, elector, labeler } = setup();
      labeler.start();
      elector.set('leader');
      await settle();
      api.fail('readPod', 503, 1000);
      const started = Date.now();
      const released = labeler.stop({ release: true });
      await vi.advanceTimersByTimeAsync(5000);
      expect(await released).toBe(false);
      expect(api.count('readPod')).toBeLessThanOrEqual(2 + 6); // reconciles + 6 attempts
      expect(Date.now() - started).toBeLessThanOrEqual(5000);
    });

    it('a reconcile in flight at stop() writes nothing more', async () => {
      const { api, elector, labeler } = setup({}, { 'amq-0': 'no', 'amq-1': 'no' });
      labeler.start();
      elector.set('standby');
      await settle();
      elector.set('leader'); // a claim is under way (its reads are out)...
      const stopped = labeler.stop(); // ...when the agent stops
      await settle();
      expect(await stopped).toBe(true);
      expect(api.count('patchPod')).toBe(0);
      expect(api.label('amq-0')).toBe('no');
    });
  });
});
