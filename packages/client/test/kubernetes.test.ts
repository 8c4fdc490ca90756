import { createServer } from 'node:net';
import { createClient, type HaClient, kubernetes } from '@activemq-ha/client';
import {
  acceptsConnections,
  type BrokerGroup,
  type KubeEmulator,
  type KubeEmulatorOptions,
  startBrokerGroup,
  startKubeEmulator,
  startServiceProxy,
} from '@activemq-ha/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { nextEvent, waitFor } from './traffic.js';

// Two independent single-broker groups: both serve at once, so a label flip can be shown to move
// the client while the old broker is alive and its connection healthy (with a shared store the
// new pod could not serve before the old broker died).
describe('kubernetes discovery follows the leader label', () => {
  const groups: BrokerGroup<'stomp'>[] = [];
  let emu: KubeEmulator | undefined;
  let client: HaClient | undefined;
  const port = (i: number) => groups[i]!.brokers[0]!.ports.stomp;

  beforeAll(async () => {
    groups.push(await startBrokerGroup({ size: 1, protocols: ['stomp'] }));
    groups.push(await startBrokerGroup({ size: 1, protocols: ['stomp'] }));
  });
  afterEach(async () => {
    await client?.close({ timeoutMs: 1000 });
    await emu?.close();
  });
  afterAll(async () => {
    await Promise.all(groups.map((g) => g.stop()));
  });

  async function cluster(
    service: { clusterIP?: string; port?: number } = {},
    options: KubeEmulatorOptions = {},
  ) {
    emu = await startKubeEmulator(options);
    for (const i of [0, 1]) {
      emu.createPod({
        name: `amq-${i}`,
        labels: i === 0 ? { app: 'amq', leader: 'yes' } : { app: 'amq' },
        containerPorts: [{ name: 'stomp', containerPort: port(i) }],
      });
    }
    emu.createService({
      name: 'amq',
      selector: { app: 'amq', leader: 'yes' },
      ports: [{ name: 'stomp', port: service.port ?? 61613, targetPort: 'stomp' }],
      ...(service.clusterIP ? { clusterIP: service.clusterIP } : {}),
    });
    return emu;
  }

  /** What the agent does on a takeover: old pod loses the label, new pod gets it. */
  function flip(e: KubeEmulator, from: number, to: number) {
    e.setPodLabels(`amq-${from}`, { leader: null });
    e.setPodLabels(`amq-${to}`, { leader: 'yes' });
  }

  it('moves to the newly labelled pod at once, while the old broker is alive and its socket open', async () => {
    const e = await cluster();
    client = createClient({
      discovery: kubernetes({ namespace: 'default', service: 'amq', kubeConfig: e.kubeConfig() }),
      // Heart-beats far longer than the test: only discovery can explain a quick move.
      heartBeatMs: 60_000,
    });
    await client.whenConnected();
    expect(client.server?.port).toBe(port(0));
    const got: string[] = [];
    await client.subscribe('/queue/k8s', async (m) => void got.push(m.text()));
    await client.send('/queue/k8s', 'before');
    await waitFor(() => got.includes('before'), 10_000, 'first message');

    const disconnected = nextEvent(client, 'disconnected');
    const flippedAt = Date.now();
    flip(e, 0, 1);
    const info = await disconnected;
    expect(info.reason).toBe('moved');
    await client.whenConnected();
    const movedMs = Date.now() - flippedAt;
    expect(client.server?.port).toBe(port(1));
    // The old broker never failed: alive, accepting, and the move took far less than a heart-beat.
    expect(groups[0]!.brokers[0]!.running).toBe(true);
    expect(await acceptsConnections(port(0))).toBe(true);
    expect(movedMs).toBeLessThan(10_000);
    console.log(`label flip → connected to the new pod in ${movedMs} ms`);

    // The subscription came along: a message sent now arrives through the new broker.
    await client.send('/queue/k8s', 'after');
    await waitFor(() => got.includes('after'), 10_000, 'message via the new pod');
  });

  it('keeps the last known endpoint through an API outage, then follows the next flip', async () => {
    const e = await cluster();
    const errors: string[] = [];
    client = createClient({
      discovery: kubernetes({
        namespace: 'default',
        service: 'amq',
        kubeConfig: e.kubeConfig(),
        retry: { initialDelayMs: 50, maxDelayMs: 200 },
      }),
    });
    client.on('error', (err) => errors.push(err.code));
    let disconnects = 0;
    client.on('disconnected', () => disconnects++);
    await client.whenConnected();
    await e.setDown(true);
    await waitFor(() => errors.includes('DISCOVERY_FAILED'), 10_000, 'a discovery error');
    await client.send('/queue/k8s-outage', 'during the outage');
    expect(disconnects).toBe(0);
    expect(client.server?.port).toBe(port(0));
    await e.setDown(false);
    // Once the watch is back, a flip moves the client again.
    await waitFor(() => e.openWatches > 0, 15_000, 'the watch to resume');
    flip(e, 0, 1);
    await waitFor(() => client?.server?.port === port(1), 15_000, 'the move after the outage');
    expect(disconnects).toBe(1);
  });

  it('keeps its connection while no endpoint is ready, and moves once another pod is labelled', async () => {
    const e = await cluster();
    const logged: string[] = [];
    const kept = () => logged.filter((m) => m.includes('keeping the live session')).length;
    client = createClient({
      discovery: kubernetes({ namespace: 'default', service: 'amq', kubeConfig: e.kubeConfig() }),
      logger: { debug: (_data, message) => logged.push(message), warn() {} },
    });
    let disconnects = 0;
    client.on('disconnected', () => disconnects++);
    await client.whenConnected();
    expect(client.server?.port).toBe(port(0));

    // The leader's agent died: its pod goes unready, nothing replaces it. The broker is fine.
    e.setPodReady('amq-0', false);
    await waitFor(() => kept() === 1, 10_000, 'discovery to report no ready endpoint');
    await client.send('/queue/k8s-gap', 'while the pod is unready');
    // Ready again: the endpoint the session was opened to, so the session stays too.
    e.setPodReady('amq-0', true);
    await waitFor(
      () => logged.some((m) => m.includes("the session's endpoint is back")),
      10_000,
      'discovery to report the endpoint back',
    );
    // The label goes (a fence before the claim) with no successor yet: still connected.
    e.setPodLabels('amq-0', { leader: null });
    await waitFor(() => kept() === 2, 10_000, 'discovery to report no ready endpoint again');
    await client.send('/queue/k8s-gap', 'while no pod is labelled');
    expect(disconnects).toBe(0);
    expect(client.state.type).toBe('connected');
    expect(client.server?.port).toBe(port(0));

    // Another pod labelled: the client moves there.
    const disconnected = nextEvent(client, 'disconnected');
    e.setPodLabels('amq-1', { leader: 'yes' });
    expect(await disconnected).toMatchObject({ reason: 'moved' });
    await client.whenConnected();
    expect(client.server?.port).toBe(port(1));
    await client.send('/queue/k8s-gap', 'after the move');
  });

  it('backs off restarting watches that end at once instead of looping list/watch', async () => {
    // Every watch ends 1 ms after it starts, like a proxy that closes streams at once.
    const e = await cluster({}, { watchTimeoutSeconds: 0.001 });
    const errors: string[] = [];
    client = createClient({
      discovery: kubernetes({
        namespace: 'default',
        service: 'amq',
        kubeConfig: e.kubeConfig(),
        retry: { initialDelayMs: 200, maxDelayMs: 400, jitter: 0 },
      }),
    });
    client.on('error', (err) => errors.push(err.code));
    let disconnects = 0;
    client.on('disconnected', () => disconnects++);
    await client.whenConnected();
    const watches = () => e.requests({ verb: 'watch', resource: 'endpointslices' });
    await waitFor(() => watches().length >= 6, 20_000, 'six watches');
    const times = watches()
      .slice(0, 6)
      .map((r) => r.time);
    let gaps = times.slice(1).map((t, i) => t - times[i]!);
    // The first watch may carry changes made while the cluster settled: a watch that delivered
    // changes proves watching works, so it is resumed at once (as client-go's reflector does).
    if (gaps[0]! < 195) gaps = gaps.slice(1);
    // Each restart waited its backoff delay (200, 400, 400, 400 ms); restarted at once, the
    // watches would be a few ms apart.
    for (const [i, delay] of [200, 400, 400, 400].entries()) {
      expect(gaps[i]).toBeGreaterThanOrEqual(delay - 5);
    }
    // Each restart re-listed: at most one list per watch.
    expect(e.countRequests({ verb: 'list', resource: 'endpointslices' })).toBeLessThanOrEqual(
      watches().length + 1,
    );
    expect(errors.every((c) => c === 'DISCOVERY_FAILED')).toBe(true);
    expect(disconnects).toBe(0);
    // The re-lists still see a flip.
    flip(e, 0, 1);
    await waitFor(() => client?.server?.port === port(1), 15_000, 'the move seen by a re-list');
  });

  it('re-lists periodically, so a watch that went silent cannot hide a flip', async () => {
    const e = await cluster();
    client = createClient({
      discovery: kubernetes({
        namespace: 'default',
        service: 'amq',
        kubeConfig: e.kubeConfig(),
        relistIntervalMs: 500,
        retry: { initialDelayMs: 50, maxDelayMs: 200 },
      }),
    });
    await client.whenConnected();
    // From now on every watch hangs before its first byte: only the periodic re-list sees changes.
    e.setLatency(600_000, { verb: 'watch' });
    const seq = e.requestSeq;
    e.cutWatches('reset');
    // The cut watch leads to one re-list and a new (hanging) watch; any list after that one
    // comes from the watchdog.
    await waitFor(
      () => e.countRequests({ verb: 'list', resource: 'endpointslices', afterSeq: seq }) > 0,
      15_000,
      'the re-list after the cut',
    );
    flip(e, 0, 1);
    await waitFor(() => client?.server?.port === port(1), 15_000, 'the move seen by a re-list');
    e.clearFaults();
  });

  it('with useServiceAddress dials the Service and still moves when the endpoint changes', async () => {
    // The Service proxy plays kube-proxy on 127.0.0.1:<port>: the Service's cluster IP and port.
    const servicePort = await freePort();
    const e = await cluster({ clusterIP: '127.0.0.1', port: servicePort });
    const proxy = await startServiceProxy(e, { service: 'amq', port: servicePort });
    try {
      client = createClient({
        discovery: kubernetes({
          namespace: 'default',
          service: 'amq',
          kubeConfig: e.kubeConfig(),
          useServiceAddress: true,
        }),
        heartBeatMs: 60_000,
      });
      await client.whenConnected();
      expect(client.server).toMatchObject({ host: '127.0.0.1', port: servicePort });
      expect(proxy.connections().map((c) => c.pod)).toEqual(['amq-0']);
      const disconnected = nextEvent(client, 'disconnected');
      flip(e, 0, 1);
      // kube-proxy leaves the established connection alone; the client leaves by itself.
      expect(await disconnected).toMatchObject({ reason: 'moved' });
      await client.whenConnected();
      expect(proxy.connections().at(-1)?.pod).toBe('amq-1');
      await client.send('/queue/k8s-svc', 'through the Service');
    } finally {
      await client?.close({ timeoutMs: 1000 });
      await proxy.close();
    }
  });

  it('takes a numeric port as the target port, and dials the Service port it belongs to', async () => {
    const servicePort = await freePort();
    const e = await cluster({ clusterIP: '127.0.0.1', port: servicePort });
    const proxy = await startServiceProxy(e, { service: 'amq', port: servicePort });
    try {
      // EndpointSlices carry the container port (the broker's), not the Service's port.
      client = createClient({
        discovery: kubernetes({
          namespace: 'default',
          service: 'amq',
          port: port(0),
          kubeConfig: e.kubeConfig(),
          useServiceAddress: true,
        }),
      });
      await client.whenConnected();
      expect(client.server).toMatchObject({ host: '127.0.0.1', port: servicePort });
      await client.send('/queue/k8s-svc', 'through the Service');
    } finally {
      await client?.close({ timeoutMs: 1000 });
      await proxy.close();
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
