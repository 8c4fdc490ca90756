import { type HaCluster, leaderOverlaps, startHaCluster } from '@activemq-ha/testkit';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { requireAgentBundle } from './agent-entrypoint.js';

// Kubernetes API faults while brokers fail over: the labels must converge once the API answers
// again, never flap, and the stale leader must fail readiness while it cannot demote itself.
let cluster: HaCluster;

async function leaderIsActiveBroker(timeoutMs = 30_000): Promise<string> {
  const { broker } = await cluster.brokers.waitForActive({ timeoutMs });
  const pod = cluster.podOfBroker(broker.id).name;
  await cluster.kube.waitFor(
    () => {
      const leaders = cluster.leaders();
      return leaders.length === 1 && leaders[0] === pod;
    },
    { timeoutMs, description: `only ${pod} labelled leader=yes` },
  );
  return pod;
}

async function readyz(pod: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${cluster.pod(pod).agent!.httpPort}/readyz`);
  await res.arrayBuffer();
  return res.status;
}

/** Label writes per pod since `afterSeq`: one failover may write each pod at most once. */
function labelChangesSince(time: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of cluster.kube.labelHistory()) {
    if (c.time >= time && c.type === 'MODIFIED') counts.set(c.pod, (counts.get(c.pod) ?? 0) + 1);
  }
  return counts;
}

async function restartDeadBrokers(): Promise<void> {
  for (const pod of cluster.pods) {
    if (!pod.broker.running) {
      await cluster.brokers.restart(pod.broker.id);
      await cluster.brokers.waitForSlave(pod.broker.id);
    }
  }
}

beforeAll(async () => {
  cluster = await startHaCluster({
    agentEntrypoint: requireAgentBundle(),
    size: 3,
    agentArgs: ['--resync-interval-ms', '1000'],
  });
  await leaderIsActiveBroker();
});

afterAll(async () => {
  await cluster?.close();
});

describe('agent under Kubernetes API faults', () => {
  it('writes no label while nothing changes', async () => {
    const seq = cluster.kube.requestSeq;
    // Three resync periods of every agent: each re-reads, none writes.
    await cluster.kube.waitFor(
      () => cluster.kube.countRequests({ verb: 'list', resource: 'pods', afterSeq: seq }) >= 9,
      {
        timeoutMs: 15_000,
      },
    );
    // No label write (the kubelet stand-in's pods/status writes, e.g. the first Ready, are its own).
    const patches = cluster.kube.requests({ method: 'PATCH', afterSeq: seq });
    expect(patches.filter((r) => r.subresource !== 'status')).toEqual([]);
  });

  it('re-asserts its label when someone else changes it', async () => {
    onTestFailed(cluster.dumpLogs);
    const leader = await leaderIsActiveBroker();
    cluster.kube.setPodLabels(leader, { leader: 'no' });
    await leaderIsActiveBroker();
  });

  it('converges through 5xx, 429 and latency without flapping', async () => {
    onTestFailed(cluster.dumpLogs);
    const start = Date.now();
    cluster.kube.setLatency(150);
    cluster.kube.failNext(6, { status: 503, method: 'PATCH' });
    cluster.kube.failNext(6, { status: 429, verb: 'list' });
    cluster.kube.failNext(4, { status: 500, method: 'GET' });
    await cluster.brokers.failover('SIGKILL');
    await leaderIsActiveBroker();
    cluster.kube.clearFaults();
    cluster.kube.setLatency(0);
    for (const [pod, writes] of labelChangesSince(start)) {
      expect(writes, `label writes on ${pod}`).toBeLessThanOrEqual(1);
    }
    await restartDeadBrokers();
  });

  it('retries a forbidden (403) patch until RBAC allows it, then converges', async () => {
    onTestFailed(cluster.dumpLogs);
    cluster.kube.setRules([{ verbs: ['get', 'list', 'watch', 'create'], resources: ['*'] }]);
    await cluster.brokers.failover('SIGKILL');
    // No write gets through; the new leader keeps retrying.
    await cluster.kube.waitFor(
      () => cluster.kube.countRequests({ method: 'PATCH', status: 403 }) >= 2,
      {
        timeoutMs: 20_000,
      },
    );
    cluster.kube.setRules(undefined);
    await leaderIsActiveBroker();
    await restartDeadBrokers();
  });

  it('re-watches after the watch streams are cut', async () => {
    onTestFailed(cluster.dumpLogs);
    const seq = cluster.kube.requestSeq;
    expect(cluster.kube.cutWatches()).toBeGreaterThan(0);
    await cluster.kube.waitFor(
      () => cluster.kube.countRequests({ verb: 'watch', afterSeq: seq }) >= 3,
      {
        timeoutMs: 20_000,
      },
    );
    const leader = await leaderIsActiveBroker();
    cluster.kube.setPodLabels(leader, { leader: 'no' });
    await leaderIsActiveBroker();
  });

  it('follows a rotated service-account token', async () => {
    onTestFailed(cluster.dumpLogs);
    cluster.kube.rotateToken();
    await cluster.brokers.failover('SIGKILL');
    await leaderIsActiveBroker();
    await restartDeadBrokers();
  });

  it('fails readiness of the stale leader while the API is down, and converges after', async () => {
    onTestFailed(cluster.dumpLogs);
    const stale = await leaderIsActiveBroker();
    await cluster.kube.setDown(true);
    const downAt = Date.now();
    const { to } = await cluster.brokers.failover('SIGKILL');
    // The label cannot be written; the second signal takes over: /readyz of the stale leader
    // fails. The kubelet cannot write the pod's Ready condition either while the API is down (it
    // talks to the API like a real kubelet); it retries, so the endpoint follows once it is back.
    const deadline = Date.now() + 15_000;
    while ((await readyz(stale)) !== 503) {
      if (Date.now() > deadline)
        throw new Error(`${stale} /readyz still passes without its broker`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(cluster.leaders()).toEqual([stale]);
    // Keep the API down for the 10 s of the scenario (a fixed outage length, not a synchronisation).
    await new Promise((r) => setTimeout(r, Math.max(0, downAt + 10_000 - Date.now())));
    await cluster.kube.setDown(false);
    await cluster.kube.waitFor(
      () =>
        cluster.kube
          .readyEndpoints(cluster.serviceName, { portName: 'stomp' })
          .every((e) => e.pod !== stale),
      { timeoutMs: 10_000, description: `stale leader ${stale} out of the ready endpoints` },
    );
    expect(await leaderIsActiveBroker()).toBe(cluster.podOfBroker(to.id).name);
    await cluster.kube.waitFor(
      () =>
        cluster.kube
          .readyEndpoints(cluster.serviceName, { portName: 'stomp' })
          .some((e) => e.pod === cluster.podOfBroker(to.id).name),
      { timeoutMs: 10_000, description: 'new leader in the ready endpoints' },
    );
    for (const o of leaderOverlaps(cluster.kube.labelHistory())) expect(o.end).toBeDefined();
    await restartDeadBrokers();
  });
});
