// Types only: the package is an optional peer dependency, loaded by start() alone.
import type { KubeConfig, Watch } from '@kubernetes/client-node';
import type { Discovery, DiscoveryListener } from './discovery.js';
import {
  chooseEndpoint,
  type EndpointSliceLike,
  endpointKey,
  type ReadyEndpoint,
  readyEndpoints,
} from './endpoint-slices.js';
import { HaClientError, invalidOption } from './errors.js';
import { type RetryDelayOptions, retryDelay, validateRetryDelay } from './retry-delay.js';
import {
  OPENWIRE_PORT,
  OPENWIRE_TLS_PORT,
  type Protocol,
  type ServerAddress,
} from './server-address.js';

export interface KubernetesDiscoveryOptions {
  readonly namespace: string;
  /** The Service that selects the active broker's pod (`leader=yes`). */
  readonly service: string;
  /**
   * The port to dial: the Service port's name (as the EndpointSlices carry it), or a number,
   * which is the target (container) port the broker listens on, not the Service's `port`:
   * EndpointSlices list target ports. With `useServiceAddress` the client dials the Service
   * port of that name or target port.
   * @default 'stomp'
   */
  readonly port?: string | number;
  /**
   * The application's own `KubeConfig` (any `@kubernetes/client-node` 2.x copy: it is used
   * structurally, so it need not be the instance this package would load).
   * @default a KubeConfig loaded with `loadFromDefault()` (in-cluster or ~/.kube/config)
   */
  readonly kubeConfig?: KubeConfigLike;
  /**
   * Dial the Service's cluster IP and port instead of the pod endpoint. Endpoint changes still
   * force a reconnect (routing changes never close established connections).
   * @default false
   */
  readonly useServiceAddress?: boolean;
  /** Dial with TLS. @default false */
  readonly tls?: boolean;
  /**
   * The protocol spoken on that port.
   * @default 'openwire' when `port` is `'openwire'` (the manifests' name for 61616) or 61616/61617, else 'stomp'
   */
  readonly protocol?: Protocol;
  /**
   * Re-list period: a watchdog against watches that stay open but deliver nothing.
   * @default 30000
   */
  readonly relistIntervalMs?: number;
  /** Backoff between failed list/watch attempts. @default { initialDelayMs: 250, maxDelayMs: 2000 }: after an API outage the endpoint must be found again within about a takeover, not tens of seconds later */
  readonly retry?: RetryDelayOptions;
}

/**
 * Follows the Service's EndpointSlices (discovery.k8s.io/v1, label
 * `kubernetes.io/service-name=<service>`) and names the ready endpoint as the server. On an API
 * outage the last known endpoint stays; a 410 Gone or a dead watch leads to a fresh list.
 */
export function kubernetes(options: KubernetesDiscoveryOptions): Discovery {
  return new KubernetesDiscovery(options);
}

type K8s = typeof import('@kubernetes/client-node');

/**
 * What discovery uses of a `KubeConfig`, structurally (so that neither the package's types nor
 * the same copy of it are needed by callers who pass their own).
 */
export interface KubeConfigLike {
  getCurrentCluster(): { readonly server: string } | null;
  makeApiClient(apiClientType: never): unknown;
  applySecurityAuthentication(context: never): Promise<void>;
}

/** The range this package is tested with; the peer dependency says the same. */
const CLIENT_NODE_RANGE = '>=2.0.1 <3';

async function loadClientNode(): Promise<K8s> {
  try {
    return await import('@kubernetes/client-node');
  } catch (cause) {
    throw new HaClientError(
      'DISCOVERY_FAILED',
      `kubernetes() discovery needs @kubernetes/client-node ${CLIENT_NODE_RANGE} (an optional peer dependency): npm install @kubernetes/client-node@2`,
      { cause },
    );
  }
}
type ServicePort = { readonly name?: string; readonly port: number };

/** A watch that lasted this long proves list/watch work again: the retry backoff restarts. */
const HEALTHY_WATCH_MS = 1000;

class KubernetesDiscovery implements Discovery {
  readonly description: string;
  readonly #o: KubernetesDiscoveryOptions;
  readonly #port: string | number;
  /** What every address this discovery names shares: TLS and protocol. */
  readonly #address: Pick<ServerAddress, 'tls' | 'protocol'>;
  readonly #retry: Required<RetryDelayOptions>;
  #retryAttempt = 0;
  readonly #slices = new Map<string, EndpointSliceLike>();
  #current: ReadyEndpoint | undefined;
  /** The Service's cluster IP and ports, read for `useServiceAddress`. */
  #service: { readonly ip: string; readonly ports: readonly ServicePort[] } | undefined;
  #listener: DiscoveryListener | undefined;
  #k8s: K8s | undefined;
  #kc: KubeConfig | undefined;
  #watch: Watch | undefined;
  #abort: AbortController | undefined;
  #generation = 0;
  #stopped = false;
  #watchdog: NodeJS.Timeout | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #healthyTimer: NodeJS.Timeout | undefined;

  constructor(options: KubernetesDiscoveryOptions) {
    for (const key of ['namespace', 'service'] as const) {
      if (typeof options[key] !== 'string' || options[key].length === 0) {
        throw invalidOption(`kubernetes.${key}`, 'must be a non-empty string');
      }
    }
    const known = new Set([
      'namespace',
      'service',
      'port',
      'kubeConfig',
      'useServiceAddress',
      'tls',
      'protocol',
      'relistIntervalMs',
      'retry',
    ]);
    for (const key of Object.keys(options)) {
      if (!known.has(key))
        throw invalidOption(`kubernetes.${key}`, `unknown option; known: ${[...known].join(', ')}`);
    }
    const relist = options.relistIntervalMs ?? 30_000;
    if (!Number.isInteger(relist) || relist < 100) {
      throw invalidOption(
        'kubernetes.relistIntervalMs',
        `must be an integer >= 100, got ${String(relist)}`,
      );
    }
    this.#o = options;
    this.#port = options.port ?? 'stomp';
    const port = this.#port;
    const protocol =
      options.protocol ??
      (port === 'openwire' || port === OPENWIRE_PORT || port === OPENWIRE_TLS_PORT
        ? 'openwire'
        : 'stomp');
    if (protocol !== 'stomp' && protocol !== 'openwire') {
      throw invalidOption('kubernetes.protocol', `must be 'stomp' or 'openwire', got ${protocol}`);
    }
    this.#address =
      protocol === 'openwire'
        ? { tls: options.tls === true, protocol }
        : { tls: options.tls === true };
    this.#retry = validateRetryDelay(
      options.retry ?? {},
      { initialDelayMs: 250, maxDelayMs: 2000, multiplier: 2, jitter: 0.5 },
      'kubernetes.retry.',
    );
    this.description = `kubernetes(${options.namespace}/${options.service}:${this.#port})`;
  }

  async start(listener: DiscoveryListener): Promise<void> {
    this.#listener = listener;
    // Loaded on demand: ESM-only and heavy, and static server lists never need it.
    this.#k8s = await loadClientNode();
    if (this.#o.kubeConfig) this.#kc = this.#o.kubeConfig as unknown as KubeConfig;
    else {
      this.#kc = new this.#k8s.KubeConfig();
      this.#kc.loadFromDefault();
    }
    this.#watch = new this.#k8s.Watch(this.#kc);
    if (this.#stopped) return;
    void this.#resync();
    this.#watchdog = setInterval(() => void this.#resync(), this.#o.relistIntervalMs ?? 30_000);
    this.#watchdog.unref();
  }

  round(): readonly ServerAddress[] {
    if (!this.#current) return [];
    if (this.#o.useServiceAddress) {
      // A slice port is named after its Service port: that name finds the port to dial.
      const name = this.#current.portName;
      const port = this.#service?.ports.find((p) => (p.name ?? '') === name);
      return this.#service && port
        ? [{ host: this.#service.ip, port: port.port, ...this.#address }]
        : [];
    }
    return [{ host: this.#current.address, port: this.#current.port, ...this.#address }];
  }

  stop(): void {
    this.#stopped = true;
    this.#generation++;
    clearInterval(this.#watchdog);
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#healthyTimer);
    this.#abort?.abort();
    this.#abort = undefined;
  }

  /** Lists the slices, replaces what we knew, then watches from the list's resourceVersion. */
  async #resync(): Promise<void> {
    if (this.#stopped || !this.#k8s || !this.#kc) return;
    const generation = ++this.#generation;
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#healthyTimer);
    this.#abort?.abort();
    this.#abort = undefined;
    const { namespace, service } = this.#o;
    const labelSelector = `kubernetes.io/service-name=${service}`;
    try {
      const api = this.#kc.makeApiClient(this.#k8s.DiscoveryV1Api);
      const list = await api.listNamespacedEndpointSlice({ namespace, labelSelector });
      if (this.#o.useServiceAddress) await this.#readService();
      if (generation !== this.#generation) return;
      this.#slices.clear();
      for (const slice of list.items) this.#slices.set(slice.metadata?.name ?? '', slice);
      this.#update();
      // No backoff reset here: a list that works says nothing about the watch after it.
      this.#startWatch(generation, list.metadata?.resourceVersion);
    } catch (error) {
      if (generation !== this.#generation) return;
      this.#failed(generation, 'list', error);
    }
  }

  #startWatch(generation: number, resourceVersion: string | undefined): void {
    const { namespace, service } = this.#o;
    const path = `/apis/discovery.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/endpointslices`;
    let rv = resourceVersion;
    const query = {
      labelSelector: `kubernetes.io/service-name=${service}`,
      allowWatchBookmarks: true,
      resourceVersion: rv,
    };
    // A watch that lasts counts as recovery; one that ends young (a proxy closing streams at
    // once, an ERROR on every new watch) is a failure, so that restarts back off instead of
    // looping list/watch as fast as the API answers.
    const startedAt = Date.now();
    let healthy = false;
    clearTimeout(this.#healthyTimer);
    this.#healthyTimer = setTimeout(() => {
      if (generation !== this.#generation) return;
      healthy = true;
      this.#retryAttempt = 0;
    }, HEALTHY_WATCH_MS);
    this.#healthyTimer.unref();
    let ended = false;
    /** `next`: what a healthy watch does now; a young one (or `'fail'`) retries with backoff. */
    const end = (error: unknown, next: 'watch' | 'list' | 'fail') => {
      if (ended || generation !== this.#generation) return;
      ended = true;
      clearTimeout(this.#healthyTimer);
      if (!healthy || next === 'fail') this.#failed(generation, 'watch', error);
      else if (next === 'watch') this.#startWatch(generation, rv);
      else void this.#resync();
    };
    const onEvent = (phase: string, obj: unknown) => {
      if (ended || generation !== this.#generation) return;
      const slice = obj as EndpointSliceLike & { code?: number };
      if (phase === 'ERROR') {
        // 410 Gone (resourceVersion too old) or anything else the server reports: start over.
        end(new Error(`ERROR event (code ${String(slice.code)})`), 'list');
        this.#abort?.abort();
        return;
      }
      rv = slice.metadata?.resourceVersion ?? rv;
      if (phase === 'BOOKMARK') return;
      const name = slice.metadata?.name ?? '';
      if (phase === 'DELETED') this.#slices.delete(name);
      else this.#slices.set(name, slice);
      this.#update();
    };
    const onDone = (error: unknown) => {
      // The server ended the watch (its timeout): resume from where we were.
      if (!error) end(new Error(`the server ended it after ${Date.now() - startedAt} ms`), 'watch');
      // client-node ends a watch that saw no data for 30 s with a TimeoutError: routine.
      else if ((error as Error).name === 'TimeoutError') end(error, 'watch');
      else if ((error as { statusCode?: number }).statusCode === 410) end(error, 'list');
      else end(error, 'fail');
    };
    this.#watch!.watch(path, { ...query, resourceVersion: rv }, onEvent, onDone).then(
      (controller) => {
        if (generation !== this.#generation) controller.abort();
        else this.#abort = controller;
      },
      onDone,
    );
  }

  async #readService(): Promise<void> {
    const core = this.#kc!.makeApiClient(this.#k8s!.CoreV1Api);
    const svc = await core.readNamespacedService({
      name: this.#o.service,
      namespace: this.#o.namespace,
    });
    const ip = svc.spec?.clusterIP;
    this.#service = ip && ip !== 'None' ? { ip, ports: svc.spec?.ports ?? [] } : undefined;
  }

  #update(): void {
    const next = chooseEndpoint(readyEndpoints(this.#slices.values(), this.#port), this.#current);
    const from = this.#current ? endpointKey(this.#current) : undefined;
    const to = next ? endpointKey(next) : undefined;
    this.#current = next;
    if (from !== to) {
      this.#listener?.moved({
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
      });
    }
  }

  /** API trouble: keep the last known endpoint, report, retry with backoff. */
  #failed(generation: number, what: string, error: unknown): void {
    if (this.#stopped || generation !== this.#generation) return;
    const delay = retryDelay(this.#retryAttempt++, this.#retry);
    this.#listener?.error(
      new HaClientError(
        'DISCOVERY_FAILED',
        `${this.description}: ${what} failed (${error instanceof Error ? error.message : String(error)}); keeping ${this.#current ? endpointKey(this.#current) : 'no endpoint'}, retrying in ${delay} ms`,
        { cause: error },
      ),
    );
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => void this.#resync(), delay);
  }
}
