import {
  type HaCluster,
  type HaClusterApi,
  leaderOverlaps,
  startHaCluster,
} from '@activemq-ha/testkit';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { requireAgentBundle } from './agent-entrypoint.js';

// The same scenarios against the emulator and against a real kube-apiserver with its controller
// manager (the agents then authenticate with the generated RBAC and a bound token).
const TARGETS: HaClusterApi[] = ['emulator', 'real'];

describe.each(TARGETS)('on the %s API', (api) => {
  // One cluster per target: the scenarios follow each other as they would in production, and a
  // 3-broker group is the expensive part.
  let cluster: HaCluster;

  /** Waits until exactly `pod` is labelled leader=yes (event-driven on API writes or watch events). */
  async function leaderIs(pod: string, timeoutMs = 20_000): Promise<void> {
    await cluster.waitFor(
      () => {
        const leaders = cluster.leaders();
        return leaders.length === 1 && leaders[0] === pod;
      },
      { timeoutMs, description: `only ${pod} labelled leader=yes` },
    );
  }

  function labelOf(pod: string): Promise<string | undefined> {
    return cluster.labelOf(pod);
  }

  /** Never two `leader=yes` pods beyond the fencing step. */
  function expectNoSplitRouting(): void {
    for (const overlap of leaderOverlaps(cluster.labelHistory())) {
      expect(overlap.end, `two leaders left standing: ${overlap.pods.join(', ')}`).toBeDefined();
      expect(overlap.durationMs).toBeLessThan(2000);
    }
  }

  beforeAll(async () => {
    cluster = await startHaCluster({ agentEntrypoint: requireAgentBundle(), size: 3, api });
  }, 240_000);

  afterAll(async () => {
    await cluster?.close();
  });

  describe('agent labels the pod of the broker that holds the lock', () => {
    it('labels exactly one pod at start-up: the one whose broker is active', async () => {
      onTestFailed(cluster.dumpLogs);
      const { broker } = await cluster.brokers.waitForActive();
      await leaderIs(cluster.podOfBroker(broker.id).name);
      for (const pod of cluster.pods) {
        if (pod.broker.id !== broker.id) expect(await labelOf(pod.name)).toBe('no');
      }
    });

    it('moves the label when the active broker is SIGKILLed', async () => {
      onTestFailed(cluster.dumpLogs);
      const before = cluster.podOfBroker((await cluster.brokers.waitForActive()).broker.id);
      const failover = await cluster.brokers.failover('SIGKILL');
      const after = cluster.podOfBroker(failover.to.id);
      await leaderIs(after.name);
      expect(await labelOf(before.name)).toBe('no');
      expectNoSplitRouting();
    });

    it('keeps a broker restarted inside its pod labelled no while it waits for the lock', async () => {
      onTestFailed(cluster.dumpLogs);
      const killed = cluster.pods.find((p) => !p.broker.running);
      expect(killed, 'the previous test leaves one broker down').toBeDefined();
      await cluster.brokers.restart(killed!.broker.id);
      await cluster.brokers.waitForSlave(killed!.broker.id);
      expect(await labelOf(killed!.name)).toBe('no');
      expect(cluster.leaders()).toHaveLength(1);
    });

    it('fences the stale label of a pod whose agent died before its broker', async () => {
      onTestFailed(cluster.dumpLogs);
      const stale = cluster.podOfBroker((await cluster.brokers.waitForActive()).broker.id);
      await stale.agent!.kill('SIGKILL');
      const failover = await cluster.brokers.failover('SIGKILL');
      const next = cluster.podOfBroker(failover.to.id);
      await leaderIs(next.name);
      expect(await labelOf(stale.name)).toBe('no');
      expectNoSplitRouting();
      // Bring the pod back whole for the next scenario.
      await cluster.brokers.restart(stale.broker.id);
      await cluster.startAgent(stale.name);
      await cluster.brokers.waitForSlave(stale.broker.id);
    });

    it('releases the label on SIGTERM before the agent exits', async () => {
      onTestFailed(cluster.dumpLogs);
      const leader = cluster.podOfBroker((await cluster.brokers.waitForActive()).broker.id);
      await leaderIs(leader.name);
      const exit = await leader.agent!.kill('SIGTERM');
      const exitedAt = Date.now();
      expect(exit.code).toBe(0);
      // Read from the API after the exit: nobody but this agent relabels a pod whose broker serves.
      expect(await labelOf(leader.name)).toBe('no');
      if (cluster.api === 'emulator') {
        // The emulator timestamps the write itself; a watch only sees it some ms later.
        const release = cluster
          .labelHistory()
          .findLast((c) => c.pod === leader.name && c.after?.leader === 'no');
        expect(release!.time).toBeLessThanOrEqual(exitedAt);
      }
      expect(leader.agent!.lines.some((l) => l.event === 'stopped' && l.released === true)).toBe(
        true,
      );
      await cluster.startAgent(leader.name);
      await leaderIs(leader.name);
    });

    it('serves health, readiness and Prometheus metrics', async () => {
      const leader = cluster.podOfBroker((await cluster.brokers.waitForActive()).broker.id);
      await leaderIs(leader.name);
      const base = `http://127.0.0.1:${leader.agent!.httpPort}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/^activemq_ha_leader 1$/m);
      expect(metrics).toMatch(/activemq_ha_probe_duration_seconds_count\{outcome="ok"\} \d+/);
      const standby = cluster.pods.find((p) => p.name !== leader.name)!;
      const standbyMetrics = await (
        await fetch(`http://127.0.0.1:${standby.agent!.httpPort}/metrics`)
      ).text();
      expect(standbyMetrics).toMatch(/^activemq_ha_broker_serving 0$/m);
      // A waiting slave stays Ready: rollouts must never wait on the store lock.
      expect((await fetch(`http://127.0.0.1:${standby.agent!.httpPort}/readyz`)).status).toBe(200);
    });
  });
});
