// A stand-in for a Service's ClusterIP as kube-proxy implements it: every new TCP connection goes
// to one ready endpoint of the Service's EndpointSlices (round robin); connections already
// established stay where they are when endpoints change. Changes reach the rules as kube-proxy's
// do: through its informer, then a throttled sync (BoundedFrequencyRunner, minSyncPeriod 1 s,
// burst 2); between syncs new connections still go where the last sync said. With no endpoint, kube-proxy's REJECT
// rule refuses connections; here the listener closes (ECONNREFUSED) and reopens on the same port.
import { createServer, type Server, type Socket } from 'node:net';
import { splice } from '../net/splice.js';
import { BoundedFrequencyRunner } from './bounded-frequency-runner.js';
import { type ProxySyncLag, resolveProxySyncLag } from './controller-lag.js';
import type { EmulatorObjects } from './emulator-objects.js';
import { KubeWaitTimeoutError } from './errors.js';
import { deepEqual } from './json.js';
import type { ReadyEndpointInfo } from './ready-endpoints.js';
import { rebind } from './rebind.js';

export interface ServiceProxyOptions {
  readonly service: string;
  /** @default the emulator's namespace */
  readonly namespace?: string;
  /** Service port name; may be omitted when the Service has one port. */
  readonly portName?: string;
  /** Where to connect for an endpoint address (e.g. map 127.0.0.x to 127.0.0.1). @default identity */
  readonly hostForPodIP?: (podIP: string) => string;
  /**
   * Without endpoints: `'refuse'` closes the listener (ECONNREFUSED, like kube-proxy's REJECT);
   * `'reset'` keeps listening and resets each connection. @default 'refuse'
   */
  readonly noEndpoints?: 'refuse' | 'reset';
  /** Port to listen on. @default 0 (a free port, kept for the proxy's lifetime) */
  readonly port?: number;
  /**
   * kube-proxy's lag: informer delay and minimum sync period (burst of 2 syncs). `'none'` applies
   * every slice change in the same tick. @default { informerMs: 20, minSyncPeriodMs: 1000 }
   */
  readonly syncLag?: Partial<ProxySyncLag> | 'none';
}

/**
 * What kube-proxy reads: the Service's ready endpoints and a signal when objects change. A
 * KubeEmulator (or its objects part) is one.
 */
export type EndpointSource = Pick<EmulatorObjects, 'readyEndpoints' | 'onChange'>;

/** One accepted client connection and where it went. */
export interface ProxiedConnection {
  readonly time: number;
  /** Pod behind the endpoint; undefined when the connection was reset for lack of endpoints. */
  readonly pod: string | undefined;
  readonly address: string;
  readonly port: number;
}

export class ServiceProxy implements AsyncDisposable {
  readonly host = '127.0.0.1';
  private server: Server | undefined;
  private listenPort: number;
  private roundRobin = 0;
  private readonly pairs = new Set<Socket>();
  private readonly log: ProxiedConnection[] = [];
  private transition: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;
  private closed = false;
  /** The endpoints as of the last sync: what the rules say now. */
  private applied: ReadyEndpointInfo[] = [];
  private readonly lag: ProxySyncLag;
  private readonly runner: BoundedFrequencyRunner;
  private readonly informerTimers = new Set<NodeJS.Timeout>();
  private readonly idleWaiters = new Set<() => void>();
  /** Syncs done (each one an iptables-restore in the real proxy). */
  syncs = 0;
  /** Why the listener could not be reopened, if that ever happened. */
  lastError: unknown;

  constructor(
    private readonly emulator: EndpointSource,
    private readonly opts: ServiceProxyOptions,
  ) {
    this.listenPort = opts.port ?? 0;
    this.lag = resolveProxySyncLag(opts.syncLag);
    this.runner = new BoundedFrequencyRunner(() => this.syncRules(), this.lag.minSyncPeriodMs);
  }

  get port(): number {
    return this.listenPort;
  }

  /** `127.0.0.1:<port>` */
  get address(): string {
    return `${this.host}:${this.listenPort}`;
  }

  get listening(): boolean {
    return this.server?.listening === true;
  }

  /** Client connections currently open through the proxy. */
  get openConnections(): number {
    return this.pairs.size;
  }

  /** Every accepted connection and its endpoint, oldest first. */
  connections(): ProxiedConnection[] {
    return this.log.map((c) => ({ ...c }));
  }

  /** The endpoints the proxy routes to now (as of its last sync). */
  endpoints(): ReadyEndpointInfo[] {
    return this.applied.map((e) => ({ ...e }));
  }

  private currentEndpoints(): ReadyEndpointInfo[] {
    return this.emulator.readyEndpoints(this.opts.service, {
      ...(this.opts.portName !== undefined ? { portName: this.opts.portName } : {}),
      ...(this.opts.namespace !== undefined ? { namespace: this.opts.namespace } : {}),
    });
  }

  async start(): Promise<void> {
    await this.open();
    this.unsubscribe = this.emulator.onChange((e) => {
      if (e.resource !== 'endpointslices') return;
      if (this.lag.informerMs <= 0) {
        this.runner.run();
        return;
      }
      const t = setTimeout(() => {
        this.informerTimers.delete(t);
        this.runner.run();
      }, this.lag.informerMs);
      this.informerTimers.add(t);
    });
    // The first sync after the informers' initial list, at once.
    this.syncRules();
    await this.transition;
  }

  /**
   * Resolves once the proxy's rules (and listener) match the emulator's slices now: waits out the
   * informer and sync lag, without sleeping.
   */
  async settled(): Promise<void> {
    while (!this.closed && !deepEqual(this.applied, this.currentEndpoints())) {
      await new Promise<void>((resolve) => this.idleWaiters.add(resolve));
    }
    await this.transition;
  }

  /**
   * Resolves once a sync has given the proxy endpoints that satisfy `check` (and the listener
   * follows them). Rejects with KubeWaitTimeoutError after `timeoutMs` (default 10 s).
   */
  async waitForEndpoints(
    check: (endpoints: readonly ReadyEndpointInfo[]) => boolean,
    opts: { readonly timeoutMs?: number; readonly description?: string } = {},
  ): Promise<void> {
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const deadline = performance.now() + timeoutMs;
    while (!check(this.applied)) {
      if (this.closed || performance.now() >= deadline)
        throw new KubeWaitTimeoutError(opts.description ?? 'proxy endpoints', timeoutMs);
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, Math.max(0, deadline - performance.now()));
        function done() {
          clearTimeout(t);
          resolve();
        }
        this.idleWaiters.add(done);
      });
    }
    await this.transition;
  }

  private syncRules(): void {
    this.syncs++;
    this.applied = this.currentEndpoints();
    this.sync();
    const waiters = [...this.idleWaiters];
    this.idleWaiters.clear();
    for (const w of waiters) w();
  }

  private sync(): void {
    if ((this.opts.noEndpoints ?? 'refuse') !== 'refuse') return;
    this.transition = this.transition
      .then(async () => {
        if (this.closed) return;
        const want = this.applied.length > 0;
        if (want && !this.listening) await this.open();
        else if (!want && this.listening) this.shut();
      })
      .catch((err: unknown) => {
        this.lastError = err;
      });
  }

  private open(): Promise<void> {
    return rebind(
      async () => {
        const server = createServer((client) => this.accept(client));
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen({ port: this.listenPort, host: this.host }, () => {
            server.off('error', reject);
            resolve();
          });
        });
        const addr = server.address();
        if (addr && typeof addr === 'object') this.listenPort = addr.port;
        this.server = server;
      },
      'service proxy',
      () => this.listenPort,
    );
  }

  /** Stops accepting; established connections are left alone, as with kube-proxy. */
  private shut(): void {
    this.server?.close();
    this.server = undefined;
  }

  private accept(client: Socket): void {
    const targets = this.applied;
    const target = targets[this.roundRobin++ % Math.max(targets.length, 1)];
    if (!target || this.closed) {
      this.log.push({ time: Date.now(), pod: undefined, address: '', port: 0 });
      client.resetAndDestroy();
      return;
    }
    this.log.push({
      time: Date.now(),
      pod: target.pod,
      address: target.address,
      port: target.port,
    });
    const host = this.opts.hostForPodIP ? this.opts.hostForPodIP(target.address) : target.address;
    splice(client, host, target.port, this.pairs);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    this.runner.stop();
    for (const t of this.informerTimers) clearTimeout(t);
    this.informerTimers.clear();
    for (const w of this.idleWaiters) w();
    this.idleWaiters.clear();
    await this.transition.catch(() => undefined);
    this.shut();
    for (const c of this.pairs) c.destroy();
    this.pairs.clear();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Starts a proxy for `options.service` on 127.0.0.1:<free port>. */
export async function startServiceProxy(
  emulator: EndpointSource,
  options: ServiceProxyOptions,
): Promise<ServiceProxy> {
  const proxy = new ServiceProxy(emulator, options);
  await proxy.start();
  return proxy;
}
