import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  type HaCluster,
  type HaClusterApi,
  leaderOverlaps,
  poll,
  startHaCluster,
} from '@activemq-ha/testkit';
import { loadYaml } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { requireAgentBundle } from './agent-entrypoint.js';

// The same scenarios against the emulator and against a real kube-apiserver with its controller
// manager (the agents then authenticate with the generated RBAC and a bound token).
const TARGETS: HaClusterApi[] = ['emulator', 'real'];
const execFileAsync = promisify(execFile);

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

  /** `kubectl get -o yaml` with the cluster's admin kubeconfig (an independent client, either target). */
  async function kubectlYaml<T>(...args: string[]): Promise<T> {
    const { stdout } = await execFileAsync(
      '/usr/bin/kubectl',
      [
        '--kubeconfig',
        cluster.kubeconfigPath,
        '--cache-dir',
        kubectlCache,
        '-n',
        cluster.namespace,
        ...args,
      ],
      { timeout: 30_000 },
    );
    return loadYaml<T>(stdout);
  }

  /** The group's Lease as `kubectl get lease -o yaml` shows it, and when it was asked for. */
  async function groupLease() {
    const askedAt = Date.now();
    const lease = await kubectlYaml<{
      spec: {
        holderIdentity?: string;
        leaseTransitions?: number;
        acquireTime?: string;
        renewTime: string;
        leaseDurationSeconds: number;
      };
    }>('get', 'lease', 'activemq-leader', '-o', 'yaml');
    return { ...lease.spec, askedAt };
  }

  /** The term the agent stamped on its pod. */
  async function termOf(pod: string): Promise<string | undefined> {
    const p = await kubectlYaml<{ metadata: { annotations?: Record<string, string> } }>(
      'get',
      'pod',
      pod,
      '-o',
      'yaml',
    );
    return p.metadata.annotations?.['activemq-ha.io/term'];
  }

  /** Never two `leader=yes` pods beyond the fencing step. */
  function expectNoSplitRouting(): void {
    for (const overlap of leaderOverlaps(cluster.labelHistory())) {
      expect(overlap.end, `two leaders left standing: ${overlap.pods.join(', ')}`).toBeDefined();
      expect(overlap.durationMs).toBeLessThan(2000);
    }
  }

  let kubectlCache: string;

  beforeAll(async () => {
    kubectlCache = mkdtempSync(join(tmpdir(), 'kubectl-cache-'));
    cluster = await startHaCluster({ agentEntrypoint: requireAgentBundle(), size: 3, api });
  }, 240_000);

  afterAll(async () => {
    await cluster?.close();
    rmSync(kubectlCache, { recursive: true, force: true });
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

    it('keeps the label on SIGTERM when only the agent restarts and its broker serves on', async () => {
      onTestFailed(cluster.dumpLogs);
      const leader = cluster.podOfBroker((await cluster.brokers.waitForActive()).broker.id);
      await leaderIs(leader.name);
      const before = await groupLease();
      expect(before.holderIdentity).toBe(leader.name);
      const term = await termOf(leader.name);
      expect(term).toBe(String(before.leaseTransitions));
      const seq = api === 'emulator' ? cluster.kube.requestSeq : 0;
      const exit = await leader.agent!.kill('SIGTERM');
      expect(exit.code).toBe(0);
      expect(await labelOf(leader.name)).toBe('yes');
      if (api === 'emulator') {
        // No label write by the agent (the kubelet's pods/status writes are its own).
        const patches = cluster.kube.requests({ verb: 'patch', resource: 'pods', afterSeq: seq });
        expect(patches.filter((r) => r.subresource === undefined)).toEqual([]);
      }
      expect(
        leader.agent!.lines.some(
          (l) => l.event === 'stopped' && l.required === false && l.released === false,
        ),
      ).toBe(true);
      const restartedAt = Date.now();
      const agent = await cluster.startAgent(leader.name);
      await poll(async () => agent.lines.some((l) => l.event === 'lease' && l.held === true), {
        timeoutMs: 10_000,
        intervalMs: 50,
        description: 'the restarted agent holds the group Lease',
      });
      // The same identity (the pod's name) renews the Lease it left, as client-go's
      // tryAcquireOrRenew does for a record naming it: holder, term and acquireTime kept, only
      // renewTime new. A release and re-acquire in between would have counted a new term.
      const after = await groupLease();
      expect(after).toMatchObject({
        holderIdentity: leader.name,
        leaseTransitions: before.leaseTransitions,
        acquireTime: before.acquireTime,
        leaseDurationSeconds: before.leaseDurationSeconds,
      });
      expect(Date.parse(after.renewTime)).toBeGreaterThanOrEqual(restartedAt);
      // Alive to whoever reads it with kubectl: renewed within leaseDurationSeconds of the ask.
      expect(after.askedAt - Date.parse(after.renewTime)).toBeLessThan(
        after.leaseDurationSeconds * 1000,
      );
      expect(await termOf(leader.name)).toBe(term);
      await leaderIs(leader.name);
      // On any target: the restarted agent holds the group Lease again (its metrics say the term).
      await poll(
        async () => {
          const text = await (
            await fetch(`http://127.0.0.1:${leader.agent!.httpPort}/metrics`)
          ).text();
          return /^activemq_ha_lease_term\{[^}]*\} \d+$/m.test(text);
        },
        { timeoutMs: 20_000, intervalMs: 100, description: 'the restarted agent holds the Lease' },
      );
    });

    it('serves health, readiness and Prometheus metrics', async () => {
      const leader = cluster.podOfBroker((await cluster.brokers.waitForActive()).broker.id);
      await leaderIs(leader.name);
      const base = `http://127.0.0.1:${leader.agent!.httpPort}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/^activemq_ha_leader\{group="activemq-leader"\} 1$/m);
      expect(metrics).toMatch(
        /activemq_ha_probe_duration_seconds_count\{(?=[^}]*outcome="ok")(?=[^}]*group="activemq-leader")[^}]*\} \d+/,
      );
      // Standard Node.js names, no agent prefix; build info and the elector state.
      expect(metrics).toMatch(/^process_resident_memory_bytes\{group="activemq-leader"\} \d+/m);
      expect(metrics).toMatch(/^activemq_ha_agent_build_info\{(?=[^}]*version="\d)[^}]*\} 1$/m);
      expect(metrics).toMatch(/^activemq_ha_elector_state\{(?=[^}]*state="leader")[^}]*\} 1$/m);
      expect(metrics).toMatch(/^activemq_ha_lease_term\{group="activemq-leader"\} \d+$/m);
      const standby = cluster.pods.find((p) => p.name !== leader.name)!;
      const standbyMetrics = await (
        await fetch(`http://127.0.0.1:${standby.agent!.httpPort}/metrics`)
      ).text();
      expect(standbyMetrics).toMatch(/^activemq_ha_broker_serving\{group="activemq-leader"\} 0$/m);
      // A waiting slave stays Ready: rollouts must never wait on the store lock.
      expect((await fetch(`http://127.0.0.1:${standby.agent!.httpPort}/readyz`)).status).toBe(200);
    });

    // Last: they leave the leader's pod terminating. Emulator only: the test takes the pod from
    // the kubelet stand-in and plays its part (the SIGTERM) itself, and takes the API down on
    // request. The kubelet's own graceful deletion is pod-deletion.test.ts.
    it.runIf(api === 'emulator')(
      'releases the label and the Lease on SIGTERM when the pod is terminating',
      async () => {
        onTestFailed(cluster.dumpLogs);
        const leader = cluster.podOfBroker((await cluster.brokers.waitForActive()).broker.id);
        await leaderIs(leader.name);
        cluster.kubelet.forget(leader.name);
        cluster.kube.terminatePod(leader.name);
        await leader.agent!.waitForLog((l) => l.event === 'terminating');
        const exit = await leader.agent!.kill('SIGTERM');
        const exitedAt = Date.now();
        expect(exit.code).toBe(0);
        expect(await labelOf(leader.name)).toBe('no');
        const release = cluster
          .labelHistory()
          .findLast((c) => c.pod === leader.name && c.after?.leader === 'no');
        expect(release!.time).toBeLessThanOrEqual(exitedAt);
        const lease = cluster.kube.get('leases', 'activemq-leader') as {
          spec?: { holderIdentity?: string };
        };
        expect(lease.spec?.holderIdentity ?? '').toBe('');
        expect(
          leader.agent!.lines.some((l) => l.event === 'stopped' && l.required && l.released),
        ).toBe(true);
      },
    );

    it.runIf(api === 'emulator')(
      'exits non-zero when a required release fails (terminating pod, API down)',
      async () => {
        onTestFailed(cluster.dumpLogs);
        const leader = cluster.podOfBroker((await cluster.brokers.waitForActive()).broker.id);
        await cluster.startAgent(leader.name);
        await leader.agent!.waitForLog((l) => l.event === 'terminating');
        await leaderIs(leader.name);
        await cluster.kube.setDown(true);
        try {
          const exit = await leader.agent!.kill('SIGTERM');
          expect(exit.code).toBe(1);
          expect(
            leader.agent!.lines.some((l) => l.event === 'stopped' && l.required && !l.released),
          ).toBe(true);
        } finally {
          await cluster.kube.setDown(false);
        }
      },
    );
  });
});
