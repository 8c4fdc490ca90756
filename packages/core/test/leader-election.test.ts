import { anyOf, type LabelChange, openwireProbe, stompProbe } from '@activemq-ha/core';
import {
  type BrokerGroup,
  type KubeEmulator,
  startBrokerGroup,
  startKubeEmulator,
} from '@activemq-ha/testkit';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { GROUP_LABEL, type MiniAgent, startMiniAgent } from './agent-harness.js';

/**
 * The whole of core against real brokers: one elector + labeler per broker ("pod"), the labels
 * in the API emulator. The pod of the broker holding the KahaDB lock must be the only leader.
 */
describe('leader election with real brokers and the API emulator', () => {
  let group: BrokerGroup;
  let kube: KubeEmulator;
  const agents: MiniAgent[] = [];
  const changes: LabelChange[] = [];

  beforeAll(async () => {
    group = await startBrokerGroup({ size: 2 });
    kube = await startKubeEmulator({ namespace: 'mq' });
    for (const broker of group.brokers) {
      const pod = `amq-${broker.index}`;
      kube.createPod({ name: pod, labels: { [GROUP_LABEL]: 'activemq' } });
      const probe = anyOf(
        stompProbe({ port: broker.ports.stomp, timeoutMs: 2000 }),
        openwireProbe({ port: broker.ports.openwire, timeoutMs: 2000 }),
      );
      const agent = startMiniAgent({
        pod,
        namespace: 'mq',
        kubeConfig: kube.kubeConfig(),
        probe,
        intervalMs: 100,
      });
      agent.labeler.on('labelChanged', (c) => changes.push(c));
      agents.push(agent);
    }
  });
  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    await kube?.close();
    await group?.stop();
  });

  const label = (pod: string) => kube.getPod(pod)?.metadata.labels?.leader;

  it('labels the pod of the active broker, and only that one', async () => {
    onTestFailed(group.dumpLogs);
    await kube.waitFor(() => label('amq-0') === 'yes' && label('amq-1') === 'no', {
      timeoutMs: 30_000,
    });
    expect(kube.podsWithLabel('leader', 'yes')).toEqual(['amq-0']);
    expect(agents.map((a) => a.elector.state)).toEqual(['leader', 'standby']);
    expect(agents.map((a) => a.labeler.readiness())).toEqual([true, true]);
  });

  it('moves the label when the active broker dies, never two leaders at once', async () => {
    onTestFailed(group.dumpLogs);
    const { killed, servingAt } = await group.failover('SIGKILL');
    await kube.waitFor(() => label('amq-0') === 'no' && label('amq-1') === 'yes', {
      timeoutMs: 30_000,
    });
    // The store commits before the labeler has the response: wait for its event.
    const isPromotion = (c: LabelChange) => c.pod === 'amq-1' && c.to === 'yes';
    await expect.poll(() => changes.some(isPromotion)).toBe(true);
    const promoted = changes.find(isPromotion)!;
    const demoted = changes.find((c) => c.pod === 'amq-0' && c.to === 'no' && c.from === 'yes');
    // The dead broker's own agent demoted itself (refused ×2) or the new leader fenced it first.
    const fencedBy = kube.getPod('amq-0')?.metadata.annotations?.['activemq-ha.io/fenced-by'];
    expect(demoted !== undefined || fencedBy === 'amq-1').toBe(true);
    // label follows serving quickly (probe interval 100 ms + one API round trip)
    expect(promoted.at - servingAt).toBeLessThan(5_000);
    expect(promoted.at - killed.sentAt).toBeLessThan(30_000);
    expect(kube.maxPodsWithLabel('leader', 'yes')).toBe(1);
  });

  it('the restarted broker waits for the lock and its pod stays standby and ready', async () => {
    onTestFailed(group.dumpLogs);
    await group.restart('broker-0');
    await group.waitForSlave('broker-0');
    const seq = kube.requestSeq;
    // Several resyncs later: still one leader, and no label writes at all.
    await kube.waitFor(
      () => kube.countRequests({ verb: 'get', name: 'amq-0', afterSeq: seq }) >= 3,
      {
        timeoutMs: 30_000,
      },
    );
    expect(kube.podsWithLabel('leader', 'yes')).toEqual(['amq-1']);
    expect(kube.countRequests({ verb: 'patch', afterSeq: seq })).toBe(0);
    expect(agents[0]!.labeler.readiness()).toBe(true);
    expect(kube.maxPodsWithLabel('leader', 'yes')).toBe(1);
  });
});
