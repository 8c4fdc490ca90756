// The stand-ins for what a real control plane lacks on this machine — the kubelet and kube-proxy —
// and the agent's in-pod identity, against a real kube-apiserver and kube-controller-manager.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api, DiscoveryV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allocatePodIPs } from '../src/cluster/pod-network.js';
import {
  applyAgentRbac,
  type ControlPlane,
  EndpointSliceRouting,
  isReady,
  type LocalContainer,
  NodeKubelet,
  podNetwork,
  poll,
  ServiceAccountTokenFile,
  startControlPlane,
} from '../src/index.js';

const run = promisify(execFile);
const NS = 'standins';

let cp: ControlPlane;
let kc: KubeConfig;
let core: CoreV1Api;
let kubelet: NodeKubelet;

beforeAll(async () => {
  cp = await startControlPlane();
  kc = new KubeConfig();
  kc.loadFromString(cp.kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: NS } } });
  await poll(
    async () =>
      (await core.readNamespacedServiceAccount({ name: 'default', namespace: NS })) !== undefined,
    {
      timeoutMs: 60_000,
      intervalMs: 100,
      description: 'the default ServiceAccount',
    },
  );
  kubelet = new NodeKubelet({ kubeConfig: kc, namespace: NS });
  await kubelet.start();
}, 180_000);

afterAll(async () => {
  kubelet?.stop();
  await cp?.stop();
});

const readPod = (name: string): Promise<V1Pod> => core.readNamespacedPod({ name, namespace: NS });

/** A container whose process is this test: records signals, "exits" on SIGTERM. */
function fakeContainer(name: string): LocalContainer & { signals: NodeJS.Signals[] } {
  const signals: NodeJS.Signals[] = [];
  let running = true;
  return {
    name,
    signals,
    get running() {
      return running;
    },
    stop: async (signal) => {
      signals.push(signal);
      running = false;
    },
  };
}

async function listen(server: Server, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, host, () => resolve()));
  const a = server.address();
  return a && typeof a === 'object' ? a.port : 0;
}

describe('NodeKubelet against a real API server', () => {
  it('registers a Ready Node', async () => {
    const node = await core.readNode({ name: kubelet.nodeName });
    expect(node.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
  });

  it('runs the readiness probe with its failure threshold and the EndpointSlice follows', async () => {
    let healthy = true;
    const http = createHttpServer((_req, res) => {
      res.statusCode = healthy ? 200 : 503;
      res.end();
    });
    const port = await listen(http as unknown as Server);
    try {
      await core.createNamespacedService({
        namespace: NS,
        body: {
          metadata: { name: 'probe' },
          spec: {
            selector: { app: 'probe' },
            ports: [{ name: 'http', port: 80, targetPort: 'http' as never }],
          },
        },
      });
      await kubelet.createPod({
        name: 'probe-0',
        labels: { app: 'probe' },
        podIP: '127.0.0.1',
        containerPorts: [{ name: 'http', containerPort: port }],
      });
      expect(isReady(await readPod('probe-0'))).toBe(false);
      kubelet.setReadinessProbe('probe-0', {
        url: () => `http://127.0.0.1:${port}/`,
        periodMs: 100,
        failureThreshold: 3,
      });
      await poll(async () => isReady(await readPod('probe-0')), {
        timeoutMs: 20_000,
        intervalMs: 50,
        description: 'probe-0 Ready',
      });
      const discovery = kc.makeApiClient(DiscoveryV1Api);
      const readyInSlice = async () => {
        const slices = await discovery.listNamespacedEndpointSlice({
          namespace: NS,
          labelSelector: 'kubernetes.io/service-name=probe',
        });
        return slices.items
          .flatMap((s) => s.endpoints ?? [])
          .find((e) => e.targetRef?.name === 'probe-0')?.conditions?.ready;
      };
      await poll(async () => (await readyInSlice()) === true, {
        timeoutMs: 20_000,
        intervalMs: 50,
        description: 'endpoint ready',
      });
      healthy = false;
      await poll(async () => !isReady(await readPod('probe-0')), {
        timeoutMs: 20_000,
        intervalMs: 50,
        description: 'probe-0 NotReady',
      });
      await poll(async () => (await readyInSlice()) === false, {
        timeoutMs: 20_000,
        intervalMs: 50,
        description: 'endpoint not ready',
      });
      kubelet.stopProbe('probe-0');
    } finally {
      http.close();
    }
  });

  it('deletes gracefully: deletionTimestamp, SIGTERM to every container, then the pod is gone', async () => {
    const broker = fakeContainer('broker');
    const agent = fakeContainer('agent');
    await kubelet.createPod(
      {
        name: 'graceful-0',
        labels: { app: 'graceful' },
        podIP: '127.0.0.1',
        containerPorts: [],
        terminationGracePeriodSeconds: 30,
      },
      [broker, agent],
    );
    const removed = new Promise<string>((resolve) => kubelet.onPodRemoved(resolve));
    await core.deleteNamespacedPod({ name: 'graceful-0', namespace: NS });
    // The API server keeps the pod, terminating, until the kubelet removes it.
    expect(await removed).toBe('graceful-0');
    expect(broker.signals).toEqual(['SIGTERM']);
    expect(agent.signals).toEqual(['SIGTERM']);
    const gone = await readPod('graceful-0').then(
      () => false,
      (e: { code?: number }) => e.code === 404,
    );
    expect(gone).toBe(true);
  });
});

describe('EndpointSliceRouting against real EndpointSlices', () => {
  it('routes new connections to the ready endpoint and keeps established ones when it leaves', async () => {
    // Inside the routable pod network the pod listens on its own pod IP, as in a cluster; outside
    // it on loopback, which the kubelet publishes through the mapped stand-in network.
    const podIP = (await podNetwork()).kind === 'routable' ? allocatePodIPs(1)[0]! : '127.0.0.1';
    const echo = createServer((s) => s.pipe(s));
    const port = await listen(echo, podIP);
    let healthy = true;
    const http = createHttpServer((_req, res) => {
      res.statusCode = healthy ? 200 : 503;
      res.end();
    });
    const probePort = await listen(http as unknown as Server);
    const routing = await (async () => {
      await core.createNamespacedService({
        namespace: NS,
        body: {
          metadata: { name: 'echo' },
          spec: {
            selector: { app: 'echo' },
            ports: [{ name: 'tcp', port: 7, targetPort: 'tcp' as never }],
          },
        },
      });
      await kubelet.createPod({
        name: 'echo-0',
        labels: { app: 'echo' },
        podIP,
        containerPorts: [{ name: 'tcp', containerPort: port }],
      });
      kubelet.setReadinessProbe('echo-0', {
        url: () => `http://127.0.0.1:${probePort}/`,
        periodMs: 100,
        failureThreshold: 1,
      });
      return EndpointSliceRouting.start({
        kubeConfig: kc,
        namespace: NS,
        service: 'echo',
        minSyncPeriodMs: 1000,
      });
    })();
    try {
      await poll(async () => routing.endpoints().length === 1, {
        timeoutMs: 20_000,
        intervalMs: 50,
        description: 'echo-0 programmed',
      });
      const socket = connect(routing.port, '127.0.0.1');
      const echoed = new Promise<string>((resolve) =>
        socket.once('data', (d) => resolve(d.toString())),
      );
      socket.write('before');
      expect(await echoed).toBe('before');
      const syncsBefore = routing.syncs;
      healthy = false;
      await poll(async () => routing.endpoints().length === 0, {
        timeoutMs: 20_000,
        intervalMs: 50,
        description: 'echo-0 unprogrammed',
      });
      expect(routing.syncs).toBeGreaterThan(syncsBefore);
      // The established connection still reaches the pod that left.
      const again = new Promise<string>((resolve) =>
        socket.once('data', (d) => resolve(d.toString())),
      );
      socket.write('after');
      expect(await again).toBe('after');
      socket.destroy();
      // A new connection finds no endpoint.
      const refused = await new Promise<boolean>((resolve) => {
        const s = connect(routing.port, '127.0.0.1');
        s.once('error', () => resolve(true));
        s.once('close', () => resolve(true));
      });
      expect(refused).toBe(true);
    } finally {
      kubelet.stopProbe('echo-0');
      await routing.close();
      echo.close();
      http.close();
    }
  });
});

describe('the agent identity', () => {
  it('is the generated ServiceAccount with a bound, rotated token and only the generated Role', async () => {
    const account = await applyAgentRbac(kc, NS);
    const file = join(cp.dir, 'agent.token');
    const token = await ServiceAccountTokenFile.start(kc, NS, account, file, {
      expirationSeconds: 600,
    });
    try {
      const first = readFileSync(file, 'utf8');
      await token.rotate();
      expect(token.rotations).toBe(2);
      expect(readFileSync(file, 'utf8')).not.toBe(first);
      const claims = JSON.parse(Buffer.from(first.split('.')[1] ?? '', 'base64url').toString()) as {
        sub: string;
        iss: string;
      };
      expect(claims.sub).toBe(`system:serviceaccount:${NS}:${account}`);
      expect(claims.iss).toBe(cp.serviceAccountIssuer);
      const can = async (verb: string, resource: string) =>
        (
          await run('/usr/bin/kubectl', [
            `--server=${cp.server}`,
            `--certificate-authority=${cp.pki.caCertFile}`,
            `--token=${readFileSync(file, 'utf8')}`,
            '-n',
            NS,
            'auth',
            'can-i',
            verb,
            resource,
          ]).catch((e: { stdout: string }) => ({ stdout: e.stdout }))
        ).stdout.trim();
      expect(await can('patch', 'pods')).toBe('yes');
      expect(await can('watch', 'pods')).toBe('yes');
      expect(await can('delete', 'pods')).toBe('no');
      expect(await can('get', 'secrets')).toBe('no');
    } finally {
      token.stop();
    }
  });
});
