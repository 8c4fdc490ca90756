import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ApiHandler } from './api-handler.js';
import { apiErrors } from './api-status.js';
import { EndpointSliceController, managedByLabel, managedByValue, serviceNameLabel } from './endpoint-slice-controller.js';
import { KubeEmulatorError, KubeStatusError, KubeWaitTimeoutError } from './errors.js';
import { type FailureSpec, FaultInjector } from './fault-injector.js';
import { parseFieldSelector } from './field-selector.js';
import { asArray, asObject, asString, clone } from './json.js';
import { kubeconfigYaml, writeFileAtomicSync } from './kubeconfig.js';
import { type LabelChange, LabelHistory } from './label-history.js';
import { parseLabelSelector } from './label-selector.js';
import { ObjectRegistry } from './object-registry.js';
import { ObjectStore } from './object-store.js';
import { type RequestFilter, RequestLog, type RequestMatch, type RequestRecord } from './request-log.js';
import { findResource, type ResourceDef, storageDef, toExternal } from './resources.js';
import {
  buildPod,
  buildService,
  type CreatePodOptions,
  type CreateServiceOptions,
  readinessConditions,
} from './test-objects.js';
import { type RbacRule, TokenRegistry } from './token-auth.js';
import { createSelfSignedCert } from './self-signed-cert.js';
import type { KubeObject, ResourceName, StoreEvent } from './types.js';
import type { CutMode } from './watch-stream.js';
import { nowTime } from './write-strategy.js';

export interface KubeEmulatorOptions {
  /** Bearer token the API accepts. @default a random token */
  readonly token?: string;
  /** User name of that token (appears in Forbidden messages). @default 'system:serviceaccount:default:activemq-ha' */
  readonly user?: string;
  /** RBAC rules of that token. @default undefined (everything allowed) */
  readonly rules?: readonly RbacRule[];
  /** Namespace of the kubeconfig context and default of the helpers. @default 'default' */
  readonly namespace?: string;
  /** Committed writes kept for watches; older resourceVersions get 410 Expired. @default 1000 */
  readonly historyLimit?: number;
  /** Lag of the EndpointSlice controller after a pod or service change. @default 0 */
  readonly endpointSliceDelayMs?: number;
  /** Interval of BOOKMARK events on watches with allowWatchBookmarks. @default 60000 */
  readonly bookmarkIntervalMs?: number;
  /** Server-side end of a watch that sends no timeoutSeconds. @default 1800 */
  readonly watchTimeoutSeconds?: number;
  /** Where the kubeconfig and token files go. @default a new temporary directory, removed by close() */
  readonly dir?: string;
  /** Requests kept in the request log. @default 10000 */
  readonly requestLogLimit?: number;
  /**
   * Serve HTTPS with a fresh self-signed certificate (its CA goes into the kubeconfig). kubectl
   * needs it: client-go drops the bearer token on plain-http servers. `false` serves plain HTTP,
   * which only client-node accepts with a token. @default true
   */
  readonly tls?: boolean;
}

/** How `setDown` makes the server unreachable. */
export type DownMode =
  /** The listening socket is closed: connects fail with ECONNREFUSED. Open connections are reset. */
  | 'refuse'
  /** Still listening, but every connection is reset at once (ECONNRESET). */
  | 'reset';

/**
 * A resource for the in-process helpers: a stored resource by plural name, or
 * `'events.events.k8s.io'` (kubectl's spelling) for events in their events.k8s.io/v1 shape.
 */
export type KubeResourceRef = ResourceName | 'events.events.k8s.io';

function defFor(ref: KubeResourceRef): ResourceDef {
  if (ref === 'events.events.k8s.io') return findResource('events.k8s.io', 'v1', 'events') as ResourceDef;
  return storageDef(ref);
}

export interface KubeListOptions {
  /** A namespace, or `null` for all. @default the emulator's namespace */
  readonly namespace?: string | null;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

export interface KubeWaitOptions {
  /** @default 10000 */
  readonly timeoutMs?: number;
  /** Named in the timeout error. */
  readonly description?: string;
}

export interface ReadyEndpointInfo {
  readonly pod: string | undefined;
  readonly address: string;
  readonly port: number;
  /** `true` when only serving-but-terminating endpoints exist and this is one of them. */
  readonly terminating: boolean;
}

/**
 * An in-process Kubernetes API server for tests: real REST semantics for pods, services,
 * endpoints, events, EndpointSlices and leases, an EndpointSlice controller, token auth and RBAC,
 * and fault injection. Start with `startKubeEmulator()`. It is an emulator: there is no kubelet,
 * scheduler or etcd; pods exist because a test (or client) created them.
 */
export class KubeEmulator implements AsyncDisposable {
  readonly namespace: string;
  readonly host = '127.0.0.1';
  readonly tokenFilePath: string;
  readonly kubeconfigPath: string;
  /** PEM file of the server certificate (= the CA to trust); undefined with `tls: false`. */
  readonly caFilePath: string | undefined;
  /** PEM of the server certificate; undefined with `tls: false`. */
  readonly caCert: string | undefined;
  private readonly store: ObjectStore;
  private readonly registry: ObjectRegistry;
  private readonly controller: EndpointSliceController;
  private readonly tokens = new TokenRegistry();
  private readonly faults = new FaultInjector();
  private readonly log: RequestLog;
  private readonly handler: ApiHandler;
  private readonly labels = new LabelHistory();
  private readonly writeLog: StoreEvent[] = [];
  private readonly server: Server;
  /** Raw TCP sockets by remote port: under TLS, the only handle that can send an RST. */
  private readonly sockets = new Map<number, Socket>();
  private readonly ownsDir: boolean;
  private readonly dir: string;
  private currentToken: string;
  private listenPort = 0;
  private downMode: DownMode | undefined;
  private closed = false;

  private constructor(opts: KubeEmulatorOptions) {
    this.namespace = opts.namespace ?? 'default';
    this.store = new ObjectStore(opts.historyLimit ?? 1000);
    this.registry = new ObjectRegistry(this.store);
    this.controller = new EndpointSliceController(this.store, opts.endpointSliceDelayMs ?? 0);
    this.log = new RequestLog(opts.requestLogLimit ?? 10_000);
    this.currentToken = opts.token ?? randomBytes(24).toString('base64url');
    this.tokens.set(this.currentToken, {
      user: opts.user ?? 'system:serviceaccount:default:activemq-ha',
      ...(opts.rules ? { rules: opts.rules } : {}),
    });
    this.ownsDir = opts.dir === undefined;
    this.dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'kube-emulator-'));
    this.tokenFilePath = join(this.dir, 'token');
    this.kubeconfigPath = join(this.dir, 'kubeconfig');
    const tls = opts.tls === false ? undefined : createSelfSignedCert();
    this.caCert = tls?.cert;
    this.caFilePath = tls ? join(this.dir, 'ca.crt') : undefined;
    if (tls && this.caFilePath) writeFileAtomicSync(this.caFilePath, tls.cert);
    this.handler = new ApiHandler(this.registry, this.store, this.tokens, this.faults, this.log, {
      bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 60_000,
      watchTimeoutSeconds: opts.watchTimeoutSeconds ?? 1800,
      serverAddress: () => `${this.host}:${this.listenPort}`,
      resetSocket: (sock) => this.resetSocket(sock),
    });
    this.store.subscribe((e) => {
      this.writeLog.push(e);
      this.labels.record(e);
    });
    this.controller.start();
    const serverOpts = { keepAliveTimeout: 5000, requestTimeout: 0 };
    const onRequest = (req: IncomingMessage, res: ServerResponse) => void this.handler.handle(req, res);
    this.server = tls
      ? createTlsServer({ ...serverOpts, key: tls.key, cert: tls.cert }, onRequest)
      : createServer(serverOpts, onRequest);
    this.server.on('connection', (s: Socket) => {
      if (this.downMode === 'reset') {
        s.resetAndDestroy();
        return;
      }
      const port = s.remotePort ?? 0;
      this.sockets.set(port, s);
      s.on('close', () => {
        if (this.sockets.get(port) === s) this.sockets.delete(port);
      });
    });
  }

  /** @internal use startKubeEmulator() */
  static async start(opts: KubeEmulatorOptions = {}): Promise<KubeEmulator> {
    const e = new KubeEmulator(opts);
    await e.listen(0);
    e.writeCredentialFiles();
    return e;
  }

  get port(): number {
    return this.listenPort;
  }

  /** `https://127.0.0.1:<port>` (`http://` with `tls: false`) */
  get url(): string {
    return `${this.caCert ? 'https' : 'http'}://${this.host}:${this.listenPort}`;
  }

  private resetSocket(sock: Socket): void {
    const raw = this.sockets.get(sock.remotePort ?? -1) ?? sock;
    try {
      raw.resetAndDestroy();
    } catch {
      raw.destroy();
    }
    sock.destroy();
  }

  /** The currently valid primary token. */
  get token(): string {
    return this.currentToken;
  }

  /** Latest resourceVersion handed out. */
  get resourceVersion(): number {
    return this.store.resourceVersion;
  }

  get openWatches(): number {
    return this.handler.watches.size;
  }

  get isDown(): boolean {
    return this.downMode !== undefined;
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen({ port, host: this.host }, () => {
        this.server.off('error', onError);
        const addr = this.server.address();
        if (addr && typeof addr === 'object') this.listenPort = addr.port;
        resolve();
      });
    });
  }

  private writeCredentialFiles(): void {
    // No trailing newline: like a projected service-account token.
    writeFileAtomicSync(this.tokenFilePath, this.currentToken);
    writeFileAtomicSync(
      this.kubeconfigPath,
      kubeconfigYaml({ server: this.url, token: this.currentToken, namespace: this.namespace, caCert: this.caCert }),
    );
  }

  // ---- credentials -------------------------------------------------------------------------

  /** A client-node KubeConfig for this emulator (primary token unless `token` is given). */
  kubeConfig(opts: { readonly token?: string; readonly namespace?: string } = {}): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [
        {
          name: 'emulator',
          server: this.url,
          skipTLSVerify: false,
          ...(this.caCert ? { caData: Buffer.from(this.caCert).toString('base64') } : {}),
        },
      ],
      users: [{ name: 'emulator', token: opts.token ?? this.currentToken }],
      contexts: [{ name: 'emulator', cluster: 'emulator', user: 'emulator', namespace: opts.namespace ?? this.namespace }],
      currentContext: 'emulator',
    });
    return kc;
  }

  /** Writes a kubeconfig for another token or namespace; returns its path. */
  writeKubeconfig(opts: { readonly path?: string; readonly token?: string; readonly namespace?: string } = {}): string {
    const path = opts.path ?? join(this.dir, `kubeconfig-${randomBytes(4).toString('hex')}`);
    writeFileAtomicSync(
      path,
      kubeconfigYaml({
        server: this.url,
        token: opts.token ?? this.currentToken,
        namespace: opts.namespace ?? this.namespace,
        caCert: this.caCert,
      }),
    );
    return path;
  }

  /**
   * Replaces the primary token: the old one gets 401 from now on. `tokenFilePath` and
   * `kubeconfigPath` are rewritten atomically. Returns the new token.
   */
  rotateToken(newToken: string = randomBytes(24).toString('base64url')): string {
    const identity = this.tokens.get(this.currentToken);
    this.tokens.delete(this.currentToken);
    this.currentToken = newToken;
    if (identity) this.tokens.set(newToken, identity);
    this.writeCredentialFiles();
    return newToken;
  }

  /** Accepts another token, e.g. one with restricted RBAC rules. */
  addToken(token: string, identity: { readonly user?: string; readonly rules?: readonly RbacRule[] } = {}): void {
    this.tokens.set(token, {
      user: identity.user ?? 'system:serviceaccount:default:restricted',
      ...(identity.rules ? { rules: identity.rules } : {}),
    });
  }

  removeToken(token: string): void {
    this.tokens.delete(token);
  }

  /** Sets the RBAC rules of a token (primary by default); `undefined` allows everything. */
  setRules(rules: readonly RbacRule[] | undefined, token: string = this.currentToken): void {
    const identity = this.tokens.get(token);
    if (!identity) throw new KubeEmulatorError('INVALID_ARGUMENT', 'unknown token');
    this.tokens.set(token, { user: identity.user, ...(rules ? { rules } : {}) });
  }

  // ---- faults -------------------------------------------------------------------------------

  /** Delays every matching API request by `ms` (0 removes). Discovery is not delayed. */
  setLatency(ms: number, match?: RequestMatch): void {
    this.faults.setLatency(ms, match);
  }

  /** The next `count` matching API requests fail with `spec.status` (after authentication). */
  failNext(count: number, spec: FailureSpec): void {
    this.faults.failNext(count, spec);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /**
   * Ends every open watch. `reset` (default) drops the TCP connection mid-stream, `close` closes
   * it without ending the chunked body, `graceful` ends the response like a server-side timeout.
   * Returns how many were cut.
   */
  cutWatches(mode: CutMode = 'reset'): number {
    return this.handler.cutWatches(mode);
  }

  /** Sends a BOOKMARK now on every watch that allows them. */
  sendBookmarks(): void {
    this.handler.sendBookmarks();
  }

  /** Forgets the watch history: watches from any older resourceVersion get 410 Expired. */
  compactHistory(): void {
    this.store.compact();
  }

  /** Changes the EndpointSlice controller's lag for later changes. */
  setEndpointSliceDelay(ms: number): void {
    this.controller.delayMs = ms;
  }

  /**
   * Makes the API unreachable (or reachable again, on the same port). Open connections, watches
   * included, are reset either way.
   */
  async setDown(down: boolean, mode: DownMode = 'refuse'): Promise<void> {
    if (this.closed) throw new KubeEmulatorError('CLOSED', 'emulator is closed');
    if (down) {
      if (this.downMode) return;
      this.downMode = mode;
      if (mode === 'refuse') this.server.close();
      for (const s of [...this.sockets.values()]) this.resetSocket(s);
      this.sockets.clear();
      return;
    }
    if (!this.downMode) return;
    const was = this.downMode;
    if (was === 'refuse') {
      let lastErr: unknown;
      for (let attempt = 0; attempt < 20; attempt++) {
        try {
          await this.listen(this.listenPort);
          lastErr = undefined;
          break;
        } catch (err) {
          lastErr = err;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      if (lastErr) {
        throw new KubeEmulatorError('LISTEN_FAILED', `could not listen again on port ${this.listenPort}`, { cause: lastErr });
      }
    }
    this.downMode = undefined;
  }

  /** Down for `ms`, then up again on the same port; resolves once it is up. */
  async down(ms: number, mode: DownMode = 'refuse'): Promise<void> {
    await this.setDown(true, mode);
    await new Promise((r) => setTimeout(r, ms));
    await this.setDown(false);
  }

  // ---- request log --------------------------------------------------------------------------

  /** Logged requests matching `filter` (oldest first), e.g. `{ verb: 'patch', resource: 'pods' }`. */
  requests(filter?: RequestFilter): RequestRecord[] {
    return this.log.list(filter);
  }

  countRequests(filter?: RequestFilter): number {
    return this.log.list(filter).length;
  }

  /** Sequence number of the latest request; pass as `afterSeq` to count only later ones. */
  get requestSeq(): number {
    return this.log.lastSeq;
  }

  clearRequests(): void {
    this.log.clear();
  }

  // ---- objects (synchronous, in-process, no auth or faults) ----------------------------------

  /** A copy of an object (`events` in core/v1 shape, `events.events.k8s.io` in events.k8s.io/v1 shape). */
  get(resource: KubeResourceRef, name: string, namespace: string = this.namespace): KubeObject | undefined {
    const def = defFor(resource);
    const o = this.store.get(def.storage, namespace, name);
    return o ? clone(toExternal(def, o)) : undefined;
  }

  list(resource: KubeResourceRef, opts: KubeListOptions = {}): KubeObject[] {
    const def = defFor(resource);
    const ns = opts.namespace === null ? undefined : (opts.namespace ?? this.namespace);
    const selectors = {
      labels: parseLabelSelector(opts.labelSelector ?? ''),
      fields: parseFieldSelector(opts.fieldSelector ?? ''),
    };
    return this.registry.select(def, ns, selectors).map((o) => clone(toExternal(def, o)));
  }

  /** Creates any object as a REST create would, but keeping `status`. Throws KubeStatusError. */
  create(resource: KubeResourceRef, obj: KubeObject): KubeObject {
    const ns = obj.metadata.namespace ?? this.namespace;
    return this.registry.create(defFor(resource), ns, obj, { keepStatus: true });
  }

  /** Applies a JSON merge patch (RFC 7386) to an object; `status` included. */
  mergePatch(
    resource: KubeResourceRef,
    name: string,
    patch: Readonly<Record<string, unknown>>,
    namespace: string = this.namespace,
  ): KubeObject {
    const def = defFor(resource);
    const { status, ...rest } = patch;
    let out = this.registry.patch(def, namespace, name, 'merge', rest, undefined);
    if (status !== undefined && def.subresources.includes('status')) {
      out = this.registry.patch(def, namespace, name, 'merge', { status }, 'status');
    }
    return out;
  }

  delete(resource: KubeResourceRef, name: string, namespace: string = this.namespace): void {
    this.registry.delete(defFor(resource), namespace, name, undefined);
  }

  /** A running pod with IP, container ports and Ready condition, as kubelet would report it. */
  createPod(opts: CreatePodOptions): KubeObject {
    return this.create('pods', buildPod(opts, this.namespace));
  }

  getPod(name: string, namespace: string = this.namespace): KubeObject | undefined {
    return this.get('pods', name, namespace);
  }

  /** Flips the Ready and ContainersReady conditions (what a readiness probe result does). */
  setPodReady(name: string, ready: boolean, namespace: string = this.namespace): KubeObject {
    const pod = this.store.get('pods', namespace, name);
    if (!pod) throw storageNotFound('pods', name);
    const status = pod.status ?? {};
    const containerName = asString(asObject(asArray(pod.spec?.containers)?.[0])?.name) ?? 'broker';
    const fresh = readinessConditions(ready, containerName, nowTime());
    const conditions = (asArray(status.conditions) ?? []).map((c) => {
      const o = asObject(c) ?? {};
      if (o.type !== 'Ready' && o.type !== 'ContainersReady') return o;
      if (o.status === (ready ? 'True' : 'False')) return o;
      return fresh.find((f) => f.type === o.type) ?? o;
    });
    const containerStatuses = (asArray(status.containerStatuses) ?? []).map((c) => ({ ...(asObject(c) ?? {}), ready }));
    return this.registry.patch(
      storageDef('pods'),
      namespace,
      name,
      'merge',
      { status: { conditions, containerStatuses } },
      'status',
    );
  }

  /** Merges labels into a pod's labels; `null` removes a label. */
  setPodLabels(name: string, labels: Readonly<Record<string, string | null>>, namespace: string = this.namespace): KubeObject {
    return this.registry.patch(storageDef('pods'), namespace, name, 'merge', { metadata: { labels } }, undefined);
  }

  /**
   * Marks a pod terminating (deletionTimestamp set, as after a graceful DELETE while kubelet
   * stops it). `deletePod` finishes it.
   */
  terminatePod(name: string, opts: { readonly gracePeriodSeconds?: number; readonly namespace?: string } = {}): KubeObject {
    const namespace = opts.namespace ?? this.namespace;
    const pod = this.store.get('pods', namespace, name);
    if (!pod) throw storageNotFound('pods', name);
    if (pod.metadata.deletionTimestamp) return clone(pod);
    const next: KubeObject = {
      ...pod,
      metadata: { ...pod.metadata, deletionTimestamp: nowTime(), deletionGracePeriodSeconds: opts.gracePeriodSeconds ?? 30 },
    };
    return clone(this.store.replace('pods', next, pod));
  }

  /** Removes a pod at once (grace period 0). */
  deletePod(name: string, namespace: string = this.namespace): void {
    this.delete('pods', name, namespace);
  }

  createService(opts: CreateServiceOptions): KubeObject {
    return this.create('services', buildService(opts, this.namespace));
  }

  deleteService(name: string, namespace: string = this.namespace): void {
    this.delete('services', name, namespace);
  }

  /** The controller-managed EndpointSlices of a Service. */
  endpointSlices(service: string, namespace: string = this.namespace): KubeObject[] {
    return this.list('endpointslices', {
      namespace,
      labelSelector: `${serviceNameLabel}=${service},${managedByLabel}=${managedByValue}`,
    });
  }

  /**
   * Where kube-proxy would send a new connection to the Service's port: ready endpoints of its
   * slices, or, when there are none, serving-and-terminating ones (kube-proxy's fallback).
   */
  readyEndpoints(service: string, opts: { readonly portName?: string; readonly namespace?: string } = {}): ReadyEndpointInfo[] {
    const ready: ReadyEndpointInfo[] = [];
    const fallback: ReadyEndpointInfo[] = [];
    for (const slice of this.endpointSlices(service, opts.namespace ?? this.namespace)) {
      const ports = (asArray(slice.ports) ?? []).map((p) => asObject(p) ?? {});
      const port =
        opts.portName === undefined ? (ports.length === 1 ? ports[0] : undefined) : ports.find((p) => (p.name ?? '') === opts.portName);
      if (!port || typeof port.port !== 'number') continue;
      for (const raw of asArray(slice.endpoints) ?? []) {
        const ep = asObject(raw) ?? {};
        const cond = asObject(ep.conditions) ?? {};
        const address = asString(asArray(ep.addresses)?.[0]);
        if (!address) continue;
        const info = { pod: asString(asObject(ep.targetRef)?.name), address, port: port.port };
        if (cond.ready !== false) ready.push({ ...info, terminating: false });
        else if (cond.serving === true && cond.terminating === true) fallback.push({ ...info, terminating: true });
      }
    }
    return ready.length > 0 ? ready : fallback;
  }

  // ---- history and waiting ------------------------------------------------------------------

  /** Every committed write since start, in resourceVersion order (copies). */
  writes(filter: { readonly resource?: ResourceName } = {}): StoreEvent[] {
    return this.writeLog.filter((e) => filter.resource === undefined || e.resource === filter.resource).map((e) => clone(e));
  }

  /** Every label change of every pod since start. */
  labelHistory(): LabelChange[] {
    return this.labels.list();
  }

  /** Pods carrying `key` (=`value` when given) now. */
  podsWithLabel(key: string, value?: string, namespace: string = this.namespace): string[] {
    return this.store
      .list('pods', namespace)
      .filter((p) => {
        const l = p.metadata.labels;
        return l !== undefined && Object.hasOwn(l, key) && (value === undefined || l[key] === value);
      })
      .map((p) => p.metadata.name ?? '');
  }

  /** Most pods that carried the label at the same time since start (see LabelHistory). */
  maxPodsWithLabel(key: string, value?: string, namespace?: string): number {
    return this.labels.maxConcurrent(key, value, namespace);
  }

  /** Calls `listener` after every committed write, in resourceVersion order. */
  onChange(listener: (e: StoreEvent) => void): () => void {
    return this.store.subscribe(listener);
  }

  /**
   * Resolves with the first truthy value of `check`, evaluated now and after every write and
   * every answered request (after the write's synchronous follow-ups, such as slice updates).
   */
  waitFor<T>(check: () => T | undefined | null | false, opts: KubeWaitOptions = {}): Promise<T> {
    const timeoutMs = opts.timeoutMs ?? 10_000;
    return new Promise<T>((resolve, reject) => {
      let done = false;
      let queued = false;
      const finish = () => {
        done = true;
        unStore();
        unLog();
        clearTimeout(timer);
      };
      const evaluate = () => {
        queued = false;
        if (done) return;
        try {
          const v = check();
          if (v !== undefined && v !== null && v !== false) {
            finish();
            resolve(v);
          }
        } catch (err) {
          finish();
          reject(err);
        }
      };
      const schedule = () => {
        if (queued) return;
        queued = true;
        queueMicrotask(evaluate);
      };
      const unStore = this.store.subscribe(schedule);
      const unLog = this.log.subscribe(schedule);
      const timer = setTimeout(() => {
        if (done) return;
        finish();
        reject(new KubeWaitTimeoutError(opts.description ?? 'condition', timeoutMs));
      }, timeoutMs);
      evaluate();
    });
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.controller.stop();
    this.handler.cutWatches('close');
    await new Promise<void>((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      for (const s of this.sockets.values()) s.destroy();
    });
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function storageNotFound(resource: ResourceName, name: string): KubeStatusError {
  const def = storageDef(resource);
  return apiErrors.notFound({ group: def.group, resource: def.name }, name);
}

/** Starts an emulator on 127.0.0.1:<free port>. Close it with `close()` or `await using`. */
export function startKubeEmulator(opts: KubeEmulatorOptions = {}): Promise<KubeEmulator> {
  return KubeEmulator.start(opts);
}
