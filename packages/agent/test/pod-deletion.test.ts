import { type HaCluster, type HaClusterApi, startHaCluster } from '@activemq-ha/testkit';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { requireAgentBundle } from './agent-entrypoint.js';

// `kubectl delete pod` of the leader, as a cluster runs it: the API marks the pod terminating
// (deletionTimestamp = now + grace), the kubelet stand-in SIGTERMs agent and broker together, and
// removes the pod once both exited. The agent sees its pod terminating at SIGTERM, so it releases
// the label and the Lease before it exits: the successor takes over without waiting out the
// Lease duration. Same kubelet implementation on both targets.
const TARGETS: HaClusterApi[] = ['emulator', 'real'];

describe.each(TARGETS)('pod deletion on the %s API', (api) => {
  let cluster: HaCluster;
  let stopReplacing: () => void = () => undefined;

  beforeAll(async () => {
    cluster = await startHaCluster({ agentEntrypoint: requireAgentBundle(), size: 2, api });
    stopReplacing = cluster.replaceDeletedPods();
  }, 240_000);

  afterAll(async () => {
    stopReplacing();
    await cluster?.close();
  });

  async function leaderIs(pod: string, timeoutMs = 30_000): Promise<void> {
    await cluster.waitFor(
      () => {
        const leaders = cluster.leaders();
        return leaders.length === 1 && leaders[0] === pod;
      },
      { timeoutMs, description: `only ${pod} labelled leader=yes` },
    );
  }

  it('the deleted leader hands over on SIGTERM: label and Lease released, the pod removed and replaced', async () => {
    onTestFailed(cluster.dumpLogs);
    const { broker } = await cluster.brokers.waitForActive();
    const leader = cluster.podOfBroker(broker.id);
    await leaderIs(leader.name);
    const oldAgent = leader.agent!;
    const removed = cluster.kubelet.removal(leader.name);
    const sentAt = await cluster.deletePod(leader.name);
    const next = await cluster.brokers.waitForActive({ exclude: broker.id, timeoutMs: 60_000 });
    const successor = cluster.podOfBroker(next.broker.id);
    await leaderIs(successor.name);
    const labelledAt = Date.now();
    await removed;
    // A release was required and done (the pod was terminating; the broker, SIGTERMed at the
    // same moment, may have stopped serving first, which requires it too).
    const stopped = oldAgent.lines.find((l) => l.event === 'stopped');
    expect(stopped).toMatchObject({ required: true, released: true });
    expect(String(stopped?.reason)).toMatch(/pod is terminating|the local broker is/);
    if (api === 'emulator') {
      // The release is a write of its own: the label went to `no` while the pod still existed.
      const release = cluster
        .labelHistory()
        .find((c) => c.pod === leader.name && c.time >= sentAt && c.after?.leader === 'no');
      expect(release).toBeDefined();
    }
    // A figure, not an assertion (loaded machine): DELETE → successor labelled.
    process.stdout.write(
      `pod deletion on ${api}: DELETE → ${successor.name} labelled leader in ${(labelledAt - sentAt).toFixed(0)} ms\n`,
    );
    // The StatefulSet's part: the pod comes back under its name, its broker waits as a slave.
    await cluster.waitFor(() => cluster.pod(leader.name).agent?.running === true, {
      timeoutMs: 60_000,
      description: `replacement of ${leader.name} running`,
    });
    await cluster.brokers.waitForSlave(broker.id);
    expect(await cluster.labelOf(leader.name)).toBe('no');
    expect(cluster.leaders()).toEqual([successor.name]);
  });
});
