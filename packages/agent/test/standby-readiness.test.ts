import { type HaCluster, type HaPod, startHaCluster } from '@activemq-ha/testkit';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { requireAgentBundle } from './agent-entrypoint.js';

// Real brokers on one store: the agent reads its broker's own activemq.log (--broker-log), as it
// does from the broker container's log emptyDir in a pod.
let cluster: HaCluster;

beforeAll(async () => {
  cluster = await startHaCluster({ agentEntrypoint: requireAgentBundle(), size: 2, agents: false });
  for (const pod of cluster.pods) {
    await cluster.startAgent(pod.name, {
      env: {
        ACTIVEMQ_HA_BROKER_LOG: pod.broker.logFile,
        // This machine's process list holds every JVM of every test: pick this pod's by its base.
        ACTIVEMQ_HA_BROKER_PROCESS: `-Dactivemq.base=${pod.broker.dir}`,
      },
    });
  }
});
afterAll(async () => {
  await cluster?.close();
});

async function readyz(pod: HaPod): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${pod.agent!.httpPort}/readyz`);
  return { status: res.status, body: await res.text() };
}

async function podReady(name: string, ready: boolean): Promise<void> {
  await cluster.kube.waitFor(
    () => {
      const status = cluster.kube.getPod(name)?.status as
        | { conditions?: { type: string; status: string }[] }
        | undefined;
      const conditions = status?.conditions ?? [];
      return conditions.some((c) => c.type === 'Ready' && c.status === 'True') === ready;
    },
    { timeoutMs: 30_000, description: `pod ${name} Ready=${ready}` },
  );
}

async function standby(): Promise<HaPod> {
  const active = await cluster.brokers.waitForActive();
  await cluster.kube.waitFor(() => cluster.leaders().length === 1, {
    timeoutMs: 30_000,
    description: 'one leader',
  });
  const pod = cluster.pods.find((p) => p.broker.id !== active.broker.id)!;
  await cluster.brokers.waitForSlave(pod.broker.id);
  return pod;
}

describe('a standby counts as Ready only while its broker waits for the store lock', () => {
  it('a waiting slave (it opens no port) is Ready, from the lock line in its log', async () => {
    onTestFailed(cluster.dumpLogs);
    const pod = await standby();
    await podReady(pod.name, true);
    const r = await readyz(pod);
    expect(r.status).toBe(200);
    expect(r.body).toContain('broker waiting for the store lock');
  });

  it('a stopped slave turns its pod NotReady; restarted, it is Ready once it waits again', async () => {
    onTestFailed(cluster.dumpLogs);
    const pod = await standby();
    await cluster.brokers.kill(pod.broker.id, 'SIGTERM');
    await podReady(pod.name, false);
    // Its log still ends in the lock line: the missing JVM decides.
    expect(await readyz(pod)).toEqual({
      status: 503,
      body: expect.stringContaining('no broker JVM') as string,
    });
    await cluster.brokers.restart(pod.broker.id);
    await cluster.brokers.waitForSlave(pod.broker.id);
    await podReady(pod.name, true);
    expect((await readyz(pod)).body).toContain('waiting for the store lock');
  });

  it('a dead master whose log still says "started" is not a Ready standby', async () => {
    onTestFailed(cluster.dumpLogs);
    await standby();
    await cluster.brokers.waitForActive();
    const failover = await cluster.brokers.failover('SIGKILL');
    const old = cluster.podOfBroker(failover.from.id);
    await podReady(old.name, false);
    const r = await readyz(old);
    expect(r.status).toBe(503);
    await cluster.brokers.restart(old.broker.id);
    await cluster.brokers.waitForSlave(old.broker.id);
    await podReady(old.name, true);
  });
});
