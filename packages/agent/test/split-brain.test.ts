import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AgentProcess,
  type BrokerGroup,
  type KubeEmulator,
  startBrokerGroup,
  startEmulatorKubelet,
  startKubeEmulator,
} from '@activemq-ha/testkit';
import { afterEach, describe, expect, it, onTestFailed } from 'vitest';
import { requireAgentBundle } from './agent-entrypoint.js';

// What the agents see when store locks do not work (an NFS mount without locking, a client that
// lost its lock without noticing): two brokers serving at once. Two broker groups on separate
// stores produce exactly that, with real JVMs; the agents are configured as one group.

type Protocols = 'openwire' | 'stomp';
const NS = 'activemq';
const GROUP = { 'app.kubernetes.io/name': 'activemq' };

interface Side {
  readonly pod: string;
  readonly group: BrokerGroup<Protocols>;
  readonly marker: string;
  agent?: AgentProcess;
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

function leaseOf(kube: KubeEmulator) {
  return kube.get('leases', 'activemq-leader', NS) as
    | { metadata: { resourceVersion?: string }; spec?: { holderIdentity?: string } }
    | undefined;
}

describe('split brain: two brokers serve at once', () => {
  it('one SplitBrain Event, bounded label writes, one broker stopped, one endpoint', async () => {
    const entrypoint = requireAgentBundle();
    const dir = await mkdtemp(join(tmpdir(), 'split-brain-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const kube = await startKubeEmulator({ namespace: NS });
    cleanups.push(() => kube.close());
    const kubelet = await startEmulatorKubelet(kube, NS);
    cleanups.push(async () => kubelet.stop());
    kube.createService({
      name: 'activemq',
      namespace: NS,
      selector: { ...GROUP, leader: 'yes' },
      ports: [{ name: 'openwire', port: 61616, targetPort: 'openwire' }],
    });

    const sides: Side[] = [];
    for (const i of [0, 1]) {
      const group = await startBrokerGroup({
        size: 1,
        protocols: ['openwire', 'stomp'],
        lockAcquireSleepIntervalMs: 1000,
        lockKeepAlivePeriodMs: 500,
      });
      cleanups.push(() => group.stop());
      const broker = group.brokers[0]!;
      const pod = `activemq-${i}`;
      // Hostile start: both pods already carry leader=yes (e.g. from the previous generation).
      await kubelet.createPod({
        name: pod,
        labels: { ...GROUP, leader: 'yes' },
        podIP: broker.host,
        containerPorts: [
          { name: 'openwire', containerPort: broker.ports.openwire },
          { name: 'stomp', containerPort: broker.ports.stomp },
        ],
        containers: ['activemq', 'agent'],
      });
      sides.push({ pod, group, marker: join(dir, pod, 'stop-broker') });
    }
    await Promise.all(sides.map((s) => s.group.waitForActive()));

    for (const side of sides) {
      const broker = side.group.brokers[0]!;
      const agent = new AgentProcess({
        entrypoint,
        logFile: join(dir, `${side.pod}.log`),
        env: {
          PATH: process.env.PATH,
          POD_NAME: side.pod,
          POD_NAMESPACE: NS,
          KUBECONFIG: kube.kubeconfigPath,
          ACTIVEMQ_HA_TOKEN_FILE: kube.tokenFilePath,
          ACTIVEMQ_HA_BROKER_HOST: broker.host,
          ACTIVEMQ_HA_OPENWIRE_PORT: String(broker.ports.openwire),
          ACTIVEMQ_HA_STOMP_PORT: String(broker.ports.stomp),
          ACTIVEMQ_HA_HTTP_HOST: '127.0.0.1',
          ACTIVEMQ_HA_HTTP_PORT: '0',
          ACTIVEMQ_HA_STOP_MARKER: side.marker,
        },
      });
      side.agent = agent;
      cleanups.push(() => agent.kill('SIGKILL'));
      await agent.waitForLog((l) => typeof l.httpPort === 'number');
      kubelet.setReadinessProbe(side.pod, {
        url: () =>
          agent.running && agent.httpPort !== undefined
            ? `http://127.0.0.1:${agent.httpPort}/readyz`
            : undefined,
        periodMs: 500,
        timeoutMs: 500,
        failureThreshold: 1,
      });
    }
    onTestFailed(() => {
      for (const s of sides) {
        const tail = s.agent?.lines.slice(-40).map((l) => JSON.stringify(l));
        process.stderr.write(`===== ${s.pod}\n${tail?.join('\n')}\n`);
      }
    });

    // One agent proves the split brain: the other renews the Lease while its broker serves.
    const loserLine = await Promise.race(
      sides.map((s) => s.agent!.waitForLog((l) => l.event === 'split-brain', 60_000)),
    );
    const loser = sides.find((s) => s.pod === loserLine.pod)!;
    const winner = sides.find((s) => s !== loser)!;
    expect(leaseOf(kube)?.spec?.holderIdentity).toBe(winner.pod);

    // Both brokers still serve: hold off "the kubelet" for ten Lease renewals (about 20 s) and
    // count every label write meanwhile. Without damping this was ~33 patches a second.
    const seq = kube.requestSeq;
    const versions = new Set<string>();
    await kube.waitFor(
      () => {
        const rv = leaseOf(kube)?.metadata.resourceVersion;
        if (rv) versions.add(rv);
        return versions.size >= 10;
      },
      { timeoutMs: 60_000, description: 'ten Lease renewals' },
    );
    // The agents' label writes (the kubelet's pods/status writes are its own).
    const patches = kube
      .requests({ verb: 'patch', resource: 'pods', afterSeq: seq })
      .filter((r) => r.subresource === undefined);
    process.stdout.write(
      `split brain: ${patches.length} pod patches during ${versions.size} Lease renewals\n`,
    );
    // 10 a minute per agent is the budget; ~20 s is a third of a minute for two agents.
    expect(patches.length).toBeLessThanOrEqual(7);
    expect(kube.podsWithLabel('leader', 'yes')).toEqual([winner.pod]);
    expect(existsSync(loser.marker)).toBe(true);
    expect(existsSync(winner.marker)).toBe(false);
    const events = kube
      .list('events', { namespace: NS })
      .filter((e) => (e as { reason?: string }).reason === 'SplitBrain');
    expect(events).toHaveLength(1);
    const loserReady = await fetch(`http://127.0.0.1:${loser.agent!.httpPort}/readyz`);
    expect(loserReady.status).toBe(503);
    const metrics = await (await fetch(`http://127.0.0.1:${loser.agent!.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/^activemq_ha_split_brain\{group="activemq-leader"\} 1$/m);

    // The kubelet's liveness probe of the loser's broker container fails on the marker: it stops
    // that broker. The winner keeps serving; the Service ends with one endpoint.
    await loser.group.kill(loser.group.brokers[0]!.id, 'SIGKILL');
    await kube.waitFor(
      () => {
        const eps = kube.readyEndpoints('activemq', { portName: 'openwire', namespace: NS });
        return eps.length === 1 && eps[0]!.pod === winner.pod;
      },
      { timeoutMs: 30_000, description: `only ${winner.pod} behind the Service` },
    );
    expect(await winner.group.active()).toBeDefined();
    // The marker stays while the winner holds a live Lease (a restarted broker would serve again).
    await loser.agent!.waitForLog((l) => l.event === 'transition' && l.to === 'standby');
    expect(existsSync(loser.marker)).toBe(true);
    expect(
      kube
        .list('events', { namespace: NS })
        .filter((e) => (e as { reason?: string }).reason === 'SplitBrain'),
    ).toHaveLength(1);
  }, 180_000);
});
