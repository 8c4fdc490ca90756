// The kubelet stand-in on the emulator: the same NodeKubelet that runs against a real API server
// (real-target-standins.test.ts), here with liveness probes, container restarts and graceful
// deletion of containers that are real HTTP servers in this process.
import { createServer, type Server } from 'node:http';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type KubeEmulator,
  type LocalContainer,
  NodeKubelet,
  restartDelayMs,
  startKubeEmulator,
} from '../src/index.js';

const NS = 'default';
let emu: KubeEmulator;
let kubelet: NodeKubelet;
let core: CoreV1Api;

beforeEach(async () => {
  emu = await startKubeEmulator({ endpointSliceLag: 'none' });
  const token = 'kubelet-token';
  emu.addToken(token, { user: 'system:node:node-0' });
  kubelet = new NodeKubelet({
    kubeConfig: emu.kubeConfig({ token }),
    namespace: NS,
    podIPs: 'loopback',
    restartBackOff: { initialMs: 200, maxMs: 1000 },
    relistPeriodMs: 50,
  });
  await kubelet.start();
  core = emu.kubeConfig().makeApiClient(CoreV1Api);
});
afterEach(async () => {
  kubelet.stop();
  await emu.close();
});

/** An HTTP server as a container: answers 200 while healthy, 500 otherwise; restartable. */
function httpContainer(name: string) {
  let server: Server | undefined;
  let port = 0;
  const state = { healthy: true, starts: 0, signals: [] as NodeJS.Signals[] };
  const start = async () => {
    const s = createServer((_req, res) => {
      res.statusCode = state.healthy ? 200 : 500;
      res.end();
    });
    await new Promise<void>((resolve) => s.listen(port, '127.0.0.1', () => resolve()));
    const a = s.address();
    port = a && typeof a === 'object' ? a.port : 0;
    server = s;
    state.starts++;
  };
  const container: LocalContainer = {
    name,
    get running() {
      return server !== undefined;
    },
    stop: async (signal) => {
      state.signals.push(signal);
      const s = server;
      server = undefined;
      if (s) await new Promise((resolve) => s.close(resolve));
      s?.closeAllConnections();
    },
    start,
  };
  return { container, state, start, url: () => (server ? `http://127.0.0.1:${port}/` : undefined) };
}

/** Pod `web-0` on the kubelet's node, played by `containers`. */
function createWebPod(
  containers: readonly LocalContainer[],
  extra: { terminationGracePeriodSeconds?: number } = {},
): Promise<void> {
  return kubelet.createPod(
    {
      name: 'web-0',
      labels: { app: 'web' },
      podIP: '127.0.0.1',
      containerPorts: [],
      containers: containers.map((c) => c.name),
      ...extra,
    },
    containers,
  );
}

const readPod = (name: string): V1Pod | undefined => emu.getPod(name) as V1Pod | undefined;
const restartCountOf = (name: string, container: string) =>
  readPod(name)?.status?.containerStatuses?.find((c) => c.name === container)?.restartCount;

describe('NodeKubelet on the emulator', () => {
  it('registers its Node; the pod it creates is bound to it and its endpoint is listed', async () => {
    expect(emu.nodeNames()).toEqual(['node-0']);
    emu.createService({
      name: 'web',
      selector: { app: 'web' },
      ports: [{ name: 'http', port: 80, targetPort: 'http' }],
    });
    const web = httpContainer('web');
    await web.start();
    await kubelet.createPod(
      {
        name: 'web-0',
        labels: { app: 'web' },
        podIP: '127.0.0.1',
        containerPorts: [{ name: 'http', containerPort: 8080 }],
        containers: ['web'],
      },
      [web.container],
    );
    kubelet.setReadinessProbe('web-0', { url: web.url, periodMs: 50, failureThreshold: 1 });
    await emu.waitFor(() => emu.readyEndpoints('web').length === 1);
    expect(readPod('web-0')?.spec?.nodeName).toBe('node-0');
    expect(readPod('web-0')?.status?.podIP).toBe('127.0.0.1');
  });

  it('kills a container after failureThreshold failed liveness probes and restarts it with back-off', async () => {
    const web = httpContainer('web');
    await web.start();
    await createWebPod([web.container], { terminationGracePeriodSeconds: 5 });
    kubelet.setLivenessProbe('web-0', {
      container: 'web',
      url: web.url,
      periodMs: 50,
      failureThreshold: 3,
    });
    web.state.healthy = false;
    await emu.waitFor(() => restartCountOf('web-0', 'web') === 1, { timeoutMs: 10_000 });
    expect(web.state.signals).toEqual(['SIGTERM']);
    expect(web.state.starts).toBe(2);
    // Healthy again after the restart: no further kill.
    web.state.healthy = true;
    expect(kubelet.restartCount('web-0', 'web')).toBe(1);
  });

  it('restarts a container that exited, counting restarts in containerStatuses', async () => {
    const web = httpContainer('web');
    await web.start();
    await createWebPod([web.container]);
    await web.container.stop('SIGKILL'); // it crashed
    await emu.waitFor(() => restartCountOf('web-0', 'web') === 1, { timeoutMs: 10_000 });
    expect(web.container.running).toBe(true);
    await web.container.stop('SIGKILL');
    await emu.waitFor(() => restartCountOf('web-0', 'web') === 2, { timeoutMs: 10_000 });
    expect(web.state.starts).toBe(3);
  });

  it('graceful deletion: the pod turns terminating, containers get SIGTERM, SIGKILL at the end of the grace period, then it is removed', async () => {
    const polite = httpContainer('polite');
    await polite.start();
    // A container that ignores SIGTERM: only SIGKILL ends it.
    let stubbornRunning = true;
    const stubbornSignals: NodeJS.Signals[] = [];
    let exited: () => void = () => undefined;
    const stubbornExit = new Promise<void>((resolve) => {
      exited = resolve;
    });
    const stubborn: LocalContainer = {
      name: 'stubborn',
      get running() {
        return stubbornRunning;
      },
      stop: async (signal) => {
        stubbornSignals.push(signal);
        if (signal === 'SIGKILL') {
          stubbornRunning = false;
          exited();
        }
        await stubbornExit;
      },
    };
    await createWebPod([polite.container, stubborn], { terminationGracePeriodSeconds: 1 });
    const removed = new Promise<string>((resolve) => kubelet.onPodRemoved(resolve));
    const answer = await core.deleteNamespacedPod({ name: 'web-0', namespace: NS });
    expect(answer.metadata?.deletionGracePeriodSeconds).toBe(1);
    expect(readPod('web-0')?.metadata?.deletionTimestamp).toBeDefined();
    expect(await removed).toBe('web-0');
    expect(polite.state.signals).toEqual(['SIGTERM']);
    expect(stubbornSignals).toEqual(['SIGTERM', 'SIGKILL']);
    expect(readPod('web-0')).toBeUndefined();
  });
});

describe('restartDelayMs (crash-loop back-off)', () => {
  it('restarts at once first, then 10 s doubling up to 5 min', () => {
    expect([0, 1, 2, 3, 6, 10].map((n) => restartDelayMs(n))).toEqual([
      0, 10_000, 20_000, 40_000, 300_000, 300_000,
    ]);
  });
});
