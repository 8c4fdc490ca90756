import { type HaCluster, startHaCluster } from '@activemq-ha/testkit';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { requireAgentBundle } from './agent-entrypoint.js';

let cluster: HaCluster;

beforeAll(async () => {
  cluster = await startHaCluster({ agentEntrypoint: requireAgentBundle(), size: 2 });
});
afterAll(async () => {
  await cluster?.close();
});

async function leaderIs(pod: string, timeoutMs = 30_000): Promise<void> {
  await cluster.kube.waitFor(
    () => {
      const leaders = cluster.leaders();
      return leaders.length === 1 && leaders[0] === pod;
    },
    { timeoutMs, description: `only ${pod} labelled leader=yes` },
  );
}

describe('a stalled agent', () => {
  it('(SIGSTOP while its broker dies and another takes over, then SIGCONT) never fences the new leader', async () => {
    onTestFailed(cluster.dumpLogs);
    const old = cluster.podOfBroker((await cluster.brokers.waitForActive()).broker.id);
    await leaderIs(old.name);
    const pid = old.agent!.pid!;
    process.kill(pid, 'SIGSTOP');
    let stopped = true;
    try {
      const failover = await cluster.brokers.failover('SIGKILL');
      const next = cluster.podOfBroker(failover.to.id);
      // The new leader waits out the stalled holder's Lease, takes it one term higher and fences.
      await leaderIs(next.name);
      const term = Number(
        cluster.kube.getPod(next.name)?.metadata.annotations?.['activemq-ha.io/term'],
      );
      expect(term).toBeGreaterThanOrEqual(1);
      const resumedAt = Date.now();
      process.kill(pid, 'SIGCONT');
      stopped = false;
      // It wakes with a stale `leader` state and timers due: it must re-probe (monotonic
      // freshness), see its broker gone and leave the new leader alone.
      await old.agent!.waitForLog((l) => l.event === 'transition' && l.to === 'standby', 30_000);
      const lease = (await cluster.kube.waitFor(() =>
        cluster.kube.get('leases', 'activemq-leader'),
      )) as {
        spec?: { holderIdentity?: string };
      };
      expect(lease.spec?.holderIdentity).toBe(next.name);
      const touched = cluster.kube
        .labelHistory()
        .filter((c) => c.pod === next.name && c.time >= resumedAt && c.after?.leader !== 'yes');
      expect(touched).toEqual([]);
      expect(cluster.leaders()).toEqual([next.name]);
      expect(old.agent!.lines.some((l) => l.event === 'fenced')).toBe(false);
    } finally {
      if (stopped) process.kill(pid, 'SIGCONT');
    }
  });
});
