// The kubelet stand-in on the emulator: the same NodeKubelet that runs against a real API server
// (real-target-standins.test.ts), here with liveness probes, container restarts and graceful
// deletion of containers that are real HTTP servers in this process.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, type V1Container, type V1Pod } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type KubeEmulator,
  type LocalContainer,
  type LocalImageContext,
  NodeKubelet,
  restartDelayMs,
  startKubeEmulator,
} from '../src/index.js';

const NS = 'default';
let emu: KubeEmulator;
let kubelet: NodeKubelet;
let core: CoreV1Api;
/** The runtime's images for the pods the kubelet runs from the API (reset per test). */
let images: Record<string, (ctx: LocalImageContext) => Promise<LocalContainer>>;
/** The containers' directory (where their exec probes run). */
let dir: string;

beforeEach(async () => {
  images = {};
  dir = mkdtempSync(join(tmpdir(), 'kubelet-test-'));
  emu = await startKubeEmulator({ endpointSliceLag: 'none' });
  const token = 'kubelet-token';
  emu.addToken(token, { user: 'system:node:node-0' });
  kubelet = new NodeKubelet({
    kubeConfig: emu.kubeConfig({ token }),
    namespace: NS,
    podIPs: 'loopback',
    restartBackOff: { initialMs: 200, maxMs: 1000 },
    relistPeriodMs: 50,
    // The same object the tests add their images to: looked up at each start.
    images,
  });
  await kubelet.start();
  core = emu.kubeConfig().makeApiClient(CoreV1Api);
});
afterEach(async () => {
  kubelet.stop();
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
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
  return {
    container,
    state,
    start,
    url: () => (server ? `http://127.0.0.1:${port}/` : undefined),
    port: () => port,
  };
}

/** An image whose container is an HTTP server; spec port 8080 maps to where it listens. */
function webImage() {
  const started: { ctx: LocalImageContext; web: ReturnType<typeof httpContainer> }[] = [];
  const image = async (ctx: LocalImageContext): Promise<LocalContainer> => {
    const web = httpContainer(ctx.container.name);
    await web.start();
    started.push({ ctx, web });
    return {
      ...web.container,
      get running() {
        return web.container.running;
      },
      address: (p) =>
        p === 8080 && web.container.running ? { host: '127.0.0.1', port: web.port() } : undefined,
      exec: { cwd: dir, env: { PATH: process.env.PATH ?? '' } },
    };
  };
  return { image, started, last: () => started.at(-1)?.web };
}

/** An image whose process exits at once with `code` (a broken image, an init container). */
function exitingImage(code: number) {
  let starts = 0;
  const image = async (ctx: LocalImageContext): Promise<LocalContainer> => {
    starts++;
    return {
      name: ctx.container.name,
      running: false,
      exitCode: code,
      stop: async () => undefined,
    };
  };
  return { image, starts: () => starts };
}

const WEB = 'test/web:1';
/** Succeeds once the container's directory holds `started`; 3 tries a second apart. */
const STARTED_FILE = {
  exec: { command: ['test', '-e', 'started'] },
  periodSeconds: 1,
  failureThreshold: 3,
};

/** Pod `name` from the API, one `web` container of the web image with `extra` (its probes). */
async function webPod(name: string, extra: Omit<V1Container, 'name' | 'image'> = {}) {
  const web = webImage();
  images[WEB] = web.image;
  await podFromApi(name, [{ name: 'web', image: WEB, ...extra }]);
  return web;
}

/** A pod as a controller creates it: no nodeName, the kubelet binds it. */
function podFromApi(
  name: string,
  containers: V1Container[],
  initContainers: V1Container[] = [],
): Promise<V1Pod> {
  return core.createNamespacedPod({
    namespace: NS,
    body: {
      metadata: { name, labels: { app: 'web' } },
      spec: {
        containers,
        ...(initContainers.length ? { initContainers } : {}),
        terminationGracePeriodSeconds: 2,
      },
    },
  });
}

const statusOf = (pod: string, container: string, init = false) =>
  (init
    ? readPod(pod)?.status?.initContainerStatuses
    : readPod(pod)?.status?.containerStatuses
  )?.find((c) => c.name === container);
const isReady = (pod: string) =>
  readPod(pod)?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

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

describe('NodeKubelet runs pods from the API with the images of its runtime', () => {
  it('binds an unscheduled pod (pods/binding), starts it from its image and runs its httpGet readiness probe', async () => {
    const web = await webPod('web-1', {
      ports: [{ name: 'http', containerPort: 8080 }],
      env: [
        { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'GREETING', value: 'hello $(POD_NAME)' },
      ],
      readinessProbe: {
        httpGet: { path: '/', port: 'http' },
        periodSeconds: 1,
        failureThreshold: 1,
      },
    });
    await emu.waitFor(() => isReady('web-1'), { timeoutMs: 10_000, description: 'web-1 Ready' });
    const pod = readPod('web-1');
    expect(pod?.spec?.nodeName).toBe('node-0');
    expect(pod?.status?.phase).toBe('Running');
    expect(pod?.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status).toBe('True');
    expect(statusOf('web-1', 'web')).toMatchObject({ ready: true, started: true, restartCount: 0 });
    expect(statusOf('web-1', 'web')?.state?.running).toBeDefined();
    expect(web.started[0]?.ctx.env).toEqual({ POD_NAME: 'web-1', GREETING: 'hello web-1' });
    // Failing answers: NotReady after failureThreshold (1), without a restart.
    const server = web.last();
    if (server) server.state.healthy = false;
    await emu.waitFor(() => !isReady('web-1'), {
      timeoutMs: 10_000,
      description: 'web-1 NotReady',
    });
    expect(statusOf('web-1', 'web')?.restartCount).toBe(0);
  });

  it('tcpSocket readiness and an exec liveness probe that kills and restarts the container', async () => {
    writeFileSync(join(dir, 'healthy'), '');
    const web = await webPod('web-2', {
      readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1, failureThreshold: 1 },
      // Run in the container's directory: relative paths are the container's files.
      livenessProbe: {
        exec: { command: ['test', '-e', 'healthy'] },
        periodSeconds: 1,
        failureThreshold: 2,
      },
    });
    await emu.waitFor(() => isReady('web-2'), { timeoutMs: 10_000, description: 'web-2 Ready' });
    rmSync(join(dir, 'healthy'));
    await emu.waitFor(() => statusOf('web-2', 'web')?.restartCount === 1, {
      timeoutMs: 15_000,
      description: 'web-2 restarted by its liveness probe',
    });
    writeFileSync(join(dir, 'healthy'), '');
    expect(web.started[0]?.web.state.signals).toEqual(['SIGTERM']);
    expect(statusOf('web-2', 'web')?.lastState?.terminated).toBeDefined();
    await emu.waitFor(() => isReady('web-2'), { timeoutMs: 10_000, description: 'Ready again' });
    expect(web.started).toHaveLength(2);
  });

  it('a startup probe holds liveness and readiness back, and kills after failureThreshold × period', async () => {
    await webPod('web-3', {
      startupProbe: STARTED_FILE,
      // Would kill at once if it ran before the container started.
      livenessProbe: { exec: { command: ['false'] }, periodSeconds: 1, failureThreshold: 1 },
      readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
    });
    await emu.waitFor(() => statusOf('web-3', 'web')?.state?.running !== undefined, {
      timeoutMs: 10_000,
    });
    expect(statusOf('web-3', 'web')).toMatchObject({ started: false, ready: false });
    // Never started: killed after 3 failures, 1 s apart.
    await emu.waitFor(() => statusOf('web-3', 'web')?.restartCount === 1, {
      timeoutMs: 15_000,
      description: 'killed by the startup probe',
    });
    expect(isReady('web-3')).toBe(false);
  });

  it('a startup probe that succeeds lets readiness run; liveness then starts probing', async () => {
    writeFileSync(join(dir, 'started'), '');
    await webPod('web-4', {
      startupProbe: STARTED_FILE,
      livenessProbe: { exec: { command: ['test', '-e', 'started'] }, periodSeconds: 1 },
      readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
    });
    await emu.waitFor(() => isReady('web-4'), { timeoutMs: 10_000, description: 'web-4 Ready' });
    expect(statusOf('web-4', 'web')).toMatchObject({
      started: true,
      ready: true,
      restartCount: 0,
    });
  });

  it('an image the runtime does not have: ErrImagePull, then ImagePullBackOff; never Ready', async () => {
    await podFromApi('web-5', [{ name: 'web', image: 'test/missing:1' }]);
    const reasons = new Set<string>();
    await emu.waitFor(
      () => {
        const reason = statusOf('web-5', 'web')?.state?.waiting?.reason;
        if (reason) reasons.add(reason);
        return reasons.has('ImagePullBackOff');
      },
      { timeoutMs: 10_000, description: 'ImagePullBackOff' },
    );
    expect([...reasons]).toContain('ErrImagePull');
    expect(readPod('web-5')?.status?.phase).toBe('Pending');
    expect(isReady('web-5')).toBe(false);
  });

  it('init containers run first: one that fails keeps the pod Pending and its containers unstarted', async () => {
    const failing = exitingImage(1);
    const web = webImage();
    images['test/check:bad'] = failing.image;
    images[WEB] = web.image;
    await podFromApi(
      'web-6',
      [{ name: 'web', image: WEB }],
      [{ name: 'check', image: 'test/check:bad' }],
    );
    await emu.waitFor(() => (statusOf('web-6', 'check', true)?.restartCount ?? 0) >= 1, {
      timeoutMs: 10_000,
      description: 'the init container restarted',
    });
    const pod = readPod('web-6');
    expect(pod?.status?.phase).toBe('Pending');
    expect(pod?.status?.conditions?.find((c) => c.type === 'Initialized')).toMatchObject({
      status: 'False',
      reason: 'ContainersNotInitialized',
    });
    const check = statusOf('web-6', 'check', true);
    expect(check?.state?.terminated?.exitCode ?? check?.lastState?.terminated?.exitCode).toBe(1);
    expect(statusOf('web-6', 'web')?.state?.waiting?.reason).toBe('PodInitializing');
    expect(web.started).toHaveLength(0);
  });

  it('init containers that exit 0 complete, then the containers start', async () => {
    images['test/check:ok'] = exitingImage(0).image;
    images[WEB] = webImage().image;
    await podFromApi(
      'web-7',
      [{ name: 'web', image: WEB }],
      [{ name: 'check', image: 'test/check:ok' }],
    );
    await emu.waitFor(() => isReady('web-7'), { timeoutMs: 10_000, description: 'web-7 Ready' });
    expect(statusOf('web-7', 'check', true)?.state?.terminated).toMatchObject({
      exitCode: 0,
      reason: 'Completed',
    });
    expect(
      readPod('web-7')?.status?.conditions?.find((c) => c.type === 'Initialized')?.status,
    ).toBe('True');
  });

  it('a pod it ran from an image is deleted gracefully: SIGTERM, then removed', async () => {
    const web = webImage();
    images[WEB] = web.image;
    await podFromApi('web-8', [{ name: 'web', image: WEB }]);
    await emu.waitFor(() => isReady('web-8'), { timeoutMs: 10_000 });
    const removed = kubelet.removal('web-8');
    await core.deleteNamespacedPod({ name: 'web-8', namespace: NS });
    await removed;
    expect(web.started[0]?.web.state.signals).toEqual(['SIGTERM']);
    expect(readPod('web-8')).toBeUndefined();
  });
});

describe('restartDelayMs (crash-loop back-off)', () => {
  it('restarts at once first, then 10 s doubling up to 5 min', () => {
    expect([0, 1, 2, 3, 6, 10].map((n) => restartDelayMs(n))).toEqual([
      0, 10_000, 20_000, 40_000, 300_000, 300_000,
    ]);
  });
});
