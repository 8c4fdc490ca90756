// Types only: the package is an optional peer dependency, loaded by start() alone.

import {
  decideWatchRestart,
  WATCH_RESTART_DEFAULTS,
  type WatchEnd,
  type WatchRestartPolicy,
} from '@activemq-ha/policy';
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

class KubernetesDiscovery implements Discovery {
  readonly description: string;
  readonly #o: KubernetesDiscoveryOptions;
  readonly #port: string | number;
  /** What every address this discovery names shares: TLS and protocol. */
  readonly #address: Pick<ServerAddress, 'tls' | 'protocol'>;
  readonly #restartPolicy: WatchRestartPolicy;
  /** Consecutive failed lists and watches (see `decideWatchRestart`). */
  #failures = 0;
  /** When the open watch started; a watchdog re-list of a watch this old counts it healthy. */
  #watchStartedAt: number | undefined;
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
    this.#restartPolicy = {
      ...WATCH_RESTART_DEFAULTS,
      retry: validateRetryDelay(
        options.retry ?? {},
        { initialDelayMs: 250, maxDelayMs: 2000, multiplier: 2, jitter: 0.5 },
        'kubernetes.retry.',
      ),
    };
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
    this.#abort?.abort();
    this.#abort = undefined;
  }

  /** Lists the slices, replaces what we knew, then watches from the list's resourceVersion. */
  async #resync(): Promise<void> {
    if (this.#stopped || !this.#k8s || !this.#kc) return;
    const generation = ++this.#generation;
    clearTimeout(this.#retryTimer);
    // The watchdog replaces a watch that was open long enough to prove list/watch work.
    const since = this.#watchStartedAt;
    if (since !== undefined && Date.now() - since >= this.#restartPolicy.healthyAfterMs) {
      this.#failures = 0;
    }
    this.#watchStartedAt = undefined;
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
      this.#listFailed(generation, error);
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
    const startedAt = Date.now();
    this.#watchStartedAt = startedAt;
    let sawEvents = false;
    let ended = false;
    /** This watch's controller (`#abort` may already hold the next one's). */
    let own: AbortController | undefined;
    const end = (how: WatchEnd, error: unknown) => {
      if (ended || generation !== this.#generation) return;
      ended = true;
      this.#watchStartedAt = undefined;
      const next = decideWatchRestart(
        {
          end: how,
          livedMs: Date.now() - startedAt,
          sawEvents,
          failures: this.#failures,
          canResume: rv !== undefined,
        },
        this.#restartPolicy,
      );
      this.#failures = next.failures;
      if (next.failures > 0)
        this.#report('watch', `${next.reason}: ${describe(error)}`, error, next.delayMs);
      this.#after(generation, next.delayMs, () =>
        next.action === 'resume' ? this.#startWatch(generation, rv) : void this.#resync(),
      );
    };
    const onEvent = (phase: string, obj: unknown) => {
      if (ended || generation !== this.#generation) return;
      const slice = obj as EndpointSliceLike & { code?: number };
      if (phase === 'ERROR') {
        // 410 Gone (resourceVersion too old) or anything else the server reports in a Status.
        const status = slice.code;
        end(
          status === 410 ? { type: 'gone' } : { type: 'error', ...(status ? { status } : {}) },
          new Error(`ERROR event (code ${String(status)})`),
        );
        own?.abort();
        if (this.#abort === own) this.#abort = undefined;
        return;
      }
      rv = slice.metadata?.resourceVersion ?? rv;
      if (phase === 'BOOKMARK') return;
      sawEvents = true;
      const name = slice.metadata?.name ?? '';
      if (phase === 'DELETED') this.#slices.delete(name);
      else this.#slices.set(name, slice);
      this.#update();
    };
    const onDone = (error: unknown) => {
      const status = (error as { statusCode?: number } | undefined)?.statusCode;
      // The server ended the watch (its timeout); client-node ends one that saw no data for
      // 30 s with a TimeoutError; an HTTP status comes from the watch request itself.
      if (!error) end({ type: 'closed' }, new Error('the server ended the watch'));
      else if ((error as Error).name === 'TimeoutError') end({ type: 'idle-timeout' }, error);
      else if (status === 410) end({ type: 'gone' }, error);
      else end({ type: 'error', ...(typeof status === 'number' ? { status } : {}) }, error);
    };
    this.#watch!.watch(path, { ...query, resourceVersion: rv }, onEvent, onDone).then(
      (controller) => {
        own = controller;
        if (ended || generation !== this.#generation) controller.abort();
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

  /** A failed list: keep the last known endpoint, report, list again after the backoff. */
  #listFailed(generation: number, error: unknown): void {
    if (this.#stopped || generation !== this.#generation) return;
    const delay = retryDelay(this.#failures++, this.#restartPolicy.retry);
    this.#report('list', describe(error), error, delay);
    this.#after(generation, delay, () => void this.#resync());
  }

  #report(what: string, problem: string, cause: unknown, delayMs: number): void {
    this.#listener?.error(
      new HaClientError(
        'DISCOVERY_FAILED',
        `${this.description}: ${what} failed (${problem}); keeping ${this.#current ? endpointKey(this.#current) : 'no endpoint'}, retrying in ${delayMs} ms`,
        { cause },
      ),
    );
  }

  /** Runs `next` after `delayMs` (at once for 0) unless a newer list/watch took over. */
  #after(generation: number, delayMs: number, next: () => void): void {
    if (this.#stopped || generation !== this.#generation) return;
    clearTimeout(this.#retryTimer);
    if (delayMs === 0) {
      next();
      return;
    }
    this.#retryTimer = setTimeout(() => {
      if (generation === this.#generation) next();
    }, delayMs);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
