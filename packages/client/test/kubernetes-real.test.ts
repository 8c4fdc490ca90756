// The client's Kubernetes discovery against a real kube-apiserver and kube-controller-manager:
// the EndpointSlices it follows are the real controller's (with its lag), the pods are the
// stand-in kubelet's, labelled by real agents. Inside the stand-in pod network
// (scripts/pod-network.sh, which npm test uses for this tier) the brokers bind their pod IPs, so
// the client dials exactly the addresses the controller publishes, as an in-cluster app would.
import { fileURLToPath } from 'node:url';
import { createClient, type HaClient, kubernetes } from '@activemq-ha/client';
import { type HaCluster, podNetwork, startHaCluster } from '@activemq-ha/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { nextEvent, waitFor } from './traffic.js';

const AGENT = fileURLToPath(new URL('../../agent/dist/agent.js', import.meta.url));
const network = await podNetwork();
const skipReason = network.kind === 'mapped' ? ` (skipped: ${network.reason})` : '';

describe.skipIf(network.kind === 'mapped')(
  `kubernetes discovery on the real API, through the real EndpointSlice controller${skipReason}`,
  () => {
    let cluster: HaCluster;
    let client: HaClient | undefined;

    const leaderPod = () =>
      cluster.waitFor(
        () => {
          const leaders = cluster.leaders();
          const ready = cluster.readyEndpointPods();
          return leaders.length === 1 && ready.length === 1 && ready[0] === leaders[0]
            ? cluster.pod(leaders[0]!)
            : undefined;
        },
        { timeoutMs: 30_000, description: 'one leader, alone in the EndpointSlices' },
      );

    beforeAll(async () => {
      cluster = await startHaCluster({ agentEntrypoint: AGENT, size: 2, api: 'real' });
    }, 240_000);
    afterEach(async () => {
      await client?.close({ timeoutMs: 1000 });
      client = undefined;
    });
    afterAll(async () => {
      await cluster?.close();
    });

    it('connects to the pod IP the controller publishes, and follows a SIGKILL failover to the next one', async () => {
      onTestFailed(cluster.dumpLogs);
      const first = await leaderPod();
      expect(first.broker.host).toMatch(/^10\.244\./);
      client = createClient({
        discovery: kubernetes({
          namespace: cluster.namespace,
          service: cluster.serviceName,
          port: 'stomp',
          kubeConfig: cluster.kubeConfig(),
        }),
      });
      await client.whenConnected();
      expect(client.server).toMatchObject({
        host: first.broker.host,
        port: first.broker.ports.stomp,
      });
      const got: string[] = [];
      await client.subscribe('/queue/real-k8s', async (m) => void got.push(m.text()));
      await client.send('/queue/real-k8s', 'before');
      await waitFor(() => got.includes('before'), 10_000, 'first message');

      const reconnected = nextEvent(client, 'connected');
      const result = await cluster.brokers.failover('SIGKILL');
      const next = cluster.podOfBroker(result.to.id);
      expect(next.broker.host).not.toBe(first.broker.host);
      // The client only knows where to go once the agent labelled the pod and the controller
      // published it: the connection it makes is to the new pod's IP.
      const { server } = await reconnected;
      expect(server).toMatchObject({ host: next.broker.host, port: next.broker.ports.stomp });
      // A persistent message sent before the kill survives in the shared store; one sent now
      // arrives through the new broker.
      await client.send('/queue/real-k8s', 'after');
      await waitFor(() => got.includes('after'), 20_000, 'message via the new pod');
      await cluster.brokers.restart(result.from.id);
      await cluster.brokers.waitForSlave(result.from.id);
    });

    it('with useServiceAddress dials the ClusterIP, where the kube-proxy stand-in routes by the real slices', async () => {
      onTestFailed(cluster.dumpLogs);
      const leader = await leaderPod();
      const stomp = cluster.real.serviceRouting.get(61613);
      expect(stomp, 'a kube-proxy stand-in on the ClusterIP').toBeDefined();
      client = createClient({
        discovery: kubernetes({
          namespace: cluster.namespace,
          service: cluster.serviceName,
          port: 'stomp',
          kubeConfig: cluster.kubeConfig(),
          useServiceAddress: true,
        }),
      });
      await client.whenConnected();
      expect(client.server).toMatchObject({ host: cluster.real.clusterIP, port: 61613 });
      expect(cluster.real.clusterIP).toMatch(/^10\.(9[6-9]|1[01][0-9])\./);
      await cluster.waitFor(() => stomp!.connections().length > 0, {
        description: 'a connection through the kube-proxy stand-in',
      });
      expect(stomp!.connections().at(-1)).toMatchObject({
        pod: leader.name,
        address: leader.broker.host,
      });
      await client.send('/queue/real-k8s-svc', 'through the ClusterIP');
    });
  },
);
