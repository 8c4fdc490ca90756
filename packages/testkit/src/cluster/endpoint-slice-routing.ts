// A Service's ClusterIP as kube-proxy programs it, fed by a real EndpointSlice watch (through
// @kubernetes/client-node, so against any API server): new TCP connections go round robin to the
// ready endpoints of the last *sync*; connections already established stay where they are when an
// endpoint leaves (kube-proxy only rewrites the rules new connections hit; conntrack keeps the
// old). Syncs are rate-limited as kube-proxy's BoundedFrequencyRunner does
// (pkg/proxy/iptables/proxier.go, --iptables-min-sync-period, default 1 s): a change is applied at
// once if the last sync is older than the minimum period, else when the period has passed.
import { createServer, type Server, type Socket } from 'node:net';
import {
  DiscoveryV1Api,
  type KubeConfig,
  type V1EndpointSlice,
  Watch,
} from '@kubernetes/client-node';
import { splice } from '../net/splice.js';
import { hostForPodIPIn, podNetwork } from './pod-network.js';

export interface EndpointSliceRoutingOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly service: string;
  /** Service port name; may be omitted when the Service has one port. */
  readonly portName?: string;
  /** kube-proxy's minimum sync period. `0` only when a test asks for instant routing. @default 1000 */
  readonly minSyncPeriodMs?: number;
  /**
   * Where to connect for an endpoint address. @default the address itself inside the routable
   * stand-in pod network (scripts/pod-network.sh), else its loopback mapping (pod-network.ts)
   */
  readonly hostForPodIP?: (podIP: string) => string;
  /**
   * Where to listen: the Service's ClusterIP and port inside the routable pod network, as
   * kube-proxy's rules catch them. @default 127.0.0.1 on a free port
   */
  readonly listen?: { readonly host: string; readonly port: number };
}

export interface RoutedEndpoint {
  readonly pod: string | undefined;
  readonly address: string;
  readonly port: number;
}

export interface RoutedConnection extends RoutedEndpoint {
  readonly time: number;
}

/** The endpoints kube-proxy would program: ready ones (an unset `ready` means ready). */
export function routableEndpoints(
  slices: Iterable<V1EndpointSlice>,
  portName: string | undefined,
): RoutedEndpoint[] {
  const out: RoutedEndpoint[] = [];
  for (const slice of slices) {
    const port = (slice.ports ?? []).find((p) =>
      portName === undefined ? true : p.name === portName,
    )?.port;
    if (port === undefined) continue;
    for (const e of slice.endpoints ?? []) {
      if (e.conditions?.ready === false) continue;
      const address = e.addresses[0];
      if (address) out.push({ pod: e.targetRef?.name, address, port });
    }
  }
  return out.sort((a, b) => `${a.address}:${a.port}`.localeCompare(`${b.address}:${b.port}`));
}

export class EndpointSliceRouting implements AsyncDisposable {
  readonly host: string;
  readonly #o: EndpointSliceRoutingOptions;
  #hostForPodIP: (podIP: string) => string = (ip) => ip;
  readonly #slices = new Map<string, V1EndpointSlice>();
  readonly #pairs = new Set<Socket>();
  readonly #log: RoutedConnection[] = [];
  #programmed: RoutedEndpoint[] = [];
  #server: Server | undefined;
  #abort: AbortController | undefined;
  #timer: NodeJS.Timeout | undefined;
  #lastSync = 0;
  #roundRobin = 0;
  #closed = false;
  readonly #listeners = new Set<() => void>();
  /** Number of syncs applied (each one a kube-proxy rule rewrite). */
  syncs = 0;
  lastError: unknown;

  private constructor(options: EndpointSliceRoutingOptions) {
    this.#o = options;
    this.host = options.listen?.host ?? '127.0.0.1';
  }

  static async start(options: EndpointSliceRoutingOptions): Promise<EndpointSliceRouting> {
    const r = new EndpointSliceRouting(options);
    r.#hostForPodIP = options.hostForPodIP ?? hostForPodIPIn(await podNetwork());
    await r.#listen();
    await r.#list();
    return r;
  }

  get port(): number {
    const a = this.#server?.address();
    return a && typeof a === 'object' ? a.port : 0;
  }

  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** The endpoints of the last sync: where new connections go now. */
  endpoints(): RoutedEndpoint[] {
    return [...this.#programmed];
  }

  /** Calls `listener` after every sync (a rule rewrite); returns its removal. */
  onSync(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  connections(): RoutedConnection[] {
    return [...this.#log];
  }

  get openConnections(): number {
    return this.#pairs.size;
  }

  async #listen(): Promise<void> {
    const server = createServer((client) => this.#accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: this.#o.listen?.port ?? 0, host: this.host }, () => resolve());
    });
    this.#server = server;
  }

  async #list(): Promise<void> {
    const api = this.#o.kubeConfig.makeApiClient(DiscoveryV1Api);
    const labelSelector = `kubernetes.io/service-name=${this.#o.service}`;
    const list = await api.listNamespacedEndpointSlice({
      namespace: this.#o.namespace,
      labelSelector,
    });
    this.#slices.clear();
    for (const s of list.items) this.#slices.set(s.metadata?.name ?? '', s);
    this.#schedule();
    const watch = new Watch(this.#o.kubeConfig);
    this.#abort = await watch.watch(
      `/apis/discovery.k8s.io/v1/namespaces/${encodeURIComponent(this.#o.namespace)}/endpointslices`,
      { labelSelector, resourceVersion: list.metadata?.resourceVersion },
      (type: string, slice: V1EndpointSlice) => {
        const name = slice.metadata?.name ?? '';
        if (type === 'DELETED') this.#slices.delete(name);
        else if (type === 'ADDED' || type === 'MODIFIED') this.#slices.set(name, slice);
        else return;
        this.#schedule();
      },
      (error: unknown) => {
        if (this.#closed) return;
        if (error && (error as Error).name !== 'TimeoutError') this.lastError = error;
        // Relist on any end: simpler than resuming, and a relist is what an informer does on 410.
        setTimeout(
          () => void this.#list().catch((e: unknown) => (this.lastError = e)),
          error ? 500 : 0,
        );
      },
    );
    if (this.#closed) this.#abort.abort();
  }

  #schedule(): void {
    if (this.#closed || this.#timer) return;
    const min = this.#o.minSyncPeriodMs ?? 1000;
    const wait = Math.max(0, this.#lastSync + min - Date.now());
    if (wait === 0) this.#sync();
    else this.#timer = setTimeout(() => this.#sync(), wait);
  }

  #sync(): void {
    this.#timer = undefined;
    this.#lastSync = Date.now();
    this.#programmed = routableEndpoints(this.#slices.values(), this.#o.portName);
    this.syncs++;
    for (const listener of [...this.#listeners]) listener();
  }

  #accept(client: Socket): void {
    const targets = this.#programmed;
    const target = targets[this.#roundRobin++ % Math.max(targets.length, 1)];
    if (!target || this.#closed) {
      // kube-proxy REJECTs a Service without endpoints; a reset is the closest a listener can do.
      this.#log.push({ time: Date.now(), pod: undefined, address: '', port: 0 });
      client.resetAndDestroy();
      return;
    }
    this.#log.push({ time: Date.now(), ...target });
    const host = this.#hostForPodIP(target.address);
    splice(client, host, target.port, this.#pairs);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#abort?.abort();
    // server.close() waits for open connections: end them first.
    for (const c of this.#pairs) c.destroy();
    await new Promise<void>((resolve) =>
      this.#server ? this.#server.close(() => resolve()) : resolve(),
    );
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
