// The emulator as tests use it: a facade that builds its parts, wires them, and offers their methods
// in one place. Each part is a class of its own with a small interface, built with what it needs:
//   objects     — the store (resourceVersions, watch cache, compaction), the registry (REST
//                 semantics), in-process reads and writes (emulator-objects.ts);
//   history     — committed writes, label changes, the request log, waiting on them;
//   tokens      — bearer tokens, RBAC rules, the token file and kubeconfigs;
//   faults      — request faults, watch cuts, GOAWAY, outages;
//   controllers — the EndpointSlice controller and its lag.
// The HTTP side is the ApiHandler (stateless over the parts) behind the ApiServer (listener and
// connections). The parts are public for tests that want one of them; the methods below delegate.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { ApiHandler } from './api-handler.js';
import { ApiServer } from './api-server.js';
import type { EndpointSliceLag } from './controller-lag.js';
import { EmulatorControllers } from './emulator-controllers.js';
import { type DownMode, EmulatorFaults } from './emulator-faults.js';
import { EmulatorHistory, type KubeWaitOptions } from './emulator-history.js';
import {
  EmulatorObjects,
  type KubeListOptions,
  type KubeResourceRef,
  type ReadyEndpointInfo,
} from './emulator-objects.js';
import { EmulatorTokens } from './emulator-tokens.js';
import { type FailureSpec, FaultInjector } from './fault-injector.js';
import { writeFileAtomicSync } from './kubeconfig.js';
import type { LabelChange } from './label-history.js';
import { OpenWatches } from './open-watches.js';
import {
  type RequestFilter,
  RequestLog,
  type RequestMatch,
  type RequestRecord,
} from './request-log.js';
import { createSelfSignedCert } from './self-signed-cert.js';
import type { CreatePodOptions, CreateServiceOptions } from './test-objects.js';
import type { RbacRule } from './token-auth.js';
import type { KubeObject, ResourceName, StoreEvent } from './types.js';
import type { CutMode } from './watch-stream.js';

export type { DownMode };

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
  /**
   * How far the EndpointSlice controller runs behind the API (informer lag, write round trip,
   * stale-cache retries), see EndpointSliceLag. `'none'` writes slices in the same tick as the
   * change, for tests that ask for it. @default kube-controller-manager's (defaultEndpointSliceLag)
   */
  readonly endpointSliceLag?: Partial<EndpointSliceLag> | 'none';
  /** Interval of BOOKMARK events on watches with allowWatchBookmarks. @default 60000 */
  readonly bookmarkIntervalMs?: number;
  /**
   * How long a list or watch for a resourceVersion newer than the server's waits for it before
   * failing with 504 "Too large resource version" (the watch cache's block). @default 3000
   */
  readonly tooLargeResourceVersionWaitMs?: number;
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
  /**
   * ALPN protocols offered over TLS, in the server's order of preference. The default is a Go
   * server's (`h2` first), so clients that offer h2 use it, as against a real apiserver;
   * `['http/1.1']` turns HTTP/2 off. @default ['h2', 'http/1.1']
   */
  readonly alpnProtocols?: readonly ('h2' | 'http/1.1')[];
}

/**
 * An in-process Kubernetes API server for tests: real REST semantics for pods, services,
 * endpoints, events, EndpointSlices, leases and nodes, an EndpointSlice controller, token auth and
 * RBAC, and fault injection. Start with `startKubeEmulator()`. It is an emulator: there is no
 * kubelet, scheduler or etcd; pods exist because a test (or client) created them.
 */
export class KubeEmulator implements AsyncDisposable {
  readonly objects: EmulatorObjects;
  readonly history: EmulatorHistory;
  readonly tokens: EmulatorTokens;
  readonly faults: EmulatorFaults;
  readonly controllers: EmulatorControllers;
  /** PEM file of the server certificate (= the CA to trust); undefined with `tls: false`. */
  readonly caFilePath: string | undefined;
  /** PEM of the server certificate; undefined with `tls: false`. */
  readonly caCert: string | undefined;
  private readonly watches = new OpenWatches();
  private readonly server: ApiServer;
  private readonly ownsDir: boolean;
  private readonly dir: string;
  private closed = false;

  private constructor(opts: KubeEmulatorOptions) {
    const namespace = opts.namespace ?? 'default';
    this.ownsDir = opts.dir === undefined;
    this.dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'kube-emulator-'));
    const tls = opts.tls === false ? undefined : createSelfSignedCert();
    this.caCert = tls?.cert;
    this.caFilePath = tls ? join(this.dir, 'ca.crt') : undefined;
    if (tls && this.caFilePath) writeFileAtomicSync(this.caFilePath, tls.cert);

    this.objects = new EmulatorObjects({ namespace, historyLimit: opts.historyLimit ?? 1000 });
    const log = new RequestLog(opts.requestLogLimit ?? 10_000);
    // Subscribed before the controllers start, so history records a write before they react.
    this.history = new EmulatorHistory(this.objects.store, log);
    this.tokens = new EmulatorTokens(
      {
        dir: this.dir,
        ...(opts.token !== undefined ? { token: opts.token } : {}),
        ...(opts.user !== undefined ? { user: opts.user } : {}),
        ...(opts.rules !== undefined ? { rules: opts.rules } : {}),
      },
      { url: () => this.url, caCert: this.caCert, namespace },
    );
    const requestFaults = new FaultInjector();
    const handler = new ApiHandler(
      {
        registry: this.objects.registry,
        store: this.objects.store,
        authenticator: this.tokens.registry,
        faults: requestFaults,
        log,
        watches: this.watches,
      },
      {
        bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 60_000,
        watchTimeoutSeconds: opts.watchTimeoutSeconds ?? 1800,
        tooLargeResourceVersionWaitMs: opts.tooLargeResourceVersionWaitMs ?? 3000,
        serverAddress: () => `${this.server.host}:${this.server.port}`,
        resetSocket: (sock) => this.server.resetSocket(sock),
      },
    );
    this.server = new ApiServer({
      tls,
      alpnProtocols: opts.alpnProtocols ?? ['h2', 'http/1.1'],
      onRequest: (req, res) => void handler.handle(req, res),
    });
    this.faults = new EmulatorFaults({
      requests: requestFaults,
      server: this.server,
      watches: this.watches,
      onRestart: () => this.objects.compactHistory(),
    });
    this.controllers = new EmulatorControllers(this.objects.store, opts.endpointSliceLag);
    this.controllers.start();
  }

  /** @internal use startKubeEmulator() */
  static async start(opts: KubeEmulatorOptions = {}): Promise<KubeEmulator> {
    const e = new KubeEmulator(opts);
    await e.server.listen(0);
    e.tokens.writeCredentialFiles();
    return e;
  }

  // ---- where it is --------------------------------------------------------------------------

  get host(): string {
    return this.server.host;
  }

  get port(): number {
    return this.server.port;
  }

  /** `https://127.0.0.1:<port>` (`http://` with `tls: false`) */
  get url(): string {
    return this.server.url;
  }

  get namespace(): string {
    return this.objects.namespace;
  }

  get openWatches(): number {
    return this.watches.size;
  }

  /** Sends a BOOKMARK now on every watch that allows them. */
  sendBookmarks(): void {
    this.watches.sendBookmarks();
  }

  // ---- tokens -------------------------------------------------------------------------------

  get tokenFilePath(): string {
    return this.tokens.tokenFilePath;
  }

  get kubeconfigPath(): string {
    return this.tokens.kubeconfigPath;
  }

  /** The currently valid primary token. */
  get token(): string {
    return this.tokens.token;
  }

  /** A client-node KubeConfig for this emulator (primary token unless `token` is given). */
  kubeConfig(opts?: { readonly token?: string; readonly namespace?: string }): KubeConfig {
    return this.tokens.kubeConfig(opts);
  }

  /** Writes a kubeconfig for another token or namespace; returns its path. */
  writeKubeconfig(opts?: {
    readonly path?: string;
    readonly token?: string;
    readonly namespace?: string;
  }): string {
    return this.tokens.writeKubeconfig(opts);
  }

  /** Replaces the primary token (the old one gets 401); rewrites the files. Returns the new one. */
  rotateToken(newToken?: string): string {
    return this.tokens.rotateToken(newToken);
  }

  /** Accepts another token, e.g. one with restricted RBAC rules. */
  addToken(
    token: string,
    identity?: { readonly user?: string; readonly rules?: readonly RbacRule[] },
  ): void {
    this.tokens.addToken(token, identity);
  }

  removeToken(token: string): void {
    this.tokens.removeToken(token);
  }

  /** Sets the RBAC rules of a token (primary by default); `undefined` allows everything. */
  setRules(rules: readonly RbacRule[] | undefined, token?: string): void {
    this.tokens.setRules(rules, token);
  }

  // ---- objects ------------------------------------------------------------------------------

  /** Latest resourceVersion handed out. */
  get resourceVersion(): number {
    return this.objects.resourceVersion;
  }

  /** Forgets the watch history: watches from any older resourceVersion get 410 Expired. */
  compactHistory(): void {
    this.objects.compactHistory();
  }

  /** Calls `listener` after every committed write, in resourceVersion order. */
  onChange(listener: (e: StoreEvent) => void): () => void {
    return this.objects.onChange(listener);
  }

  /** A copy of an object (`events` in core/v1 shape, `events.events.k8s.io` in events.k8s.io/v1 shape). */
  get(resource: KubeResourceRef, name: string, namespace?: string): KubeObject | undefined {
    return this.objects.get(resource, name, namespace);
  }

  list(resource: KubeResourceRef, opts?: KubeListOptions): KubeObject[] {
    return this.objects.list(resource, opts);
  }

  /** Creates any object as a REST create would, but keeping `status`. Throws KubeStatusError. */
  create(resource: KubeResourceRef, obj: KubeObject): KubeObject {
    return this.objects.create(resource, obj);
  }

  /** Applies a JSON merge patch (RFC 7386) to an object; `status` included. */
  mergePatch(
    resource: KubeResourceRef,
    name: string,
    patch: Readonly<Record<string, unknown>>,
    namespace?: string,
  ): KubeObject {
    return this.objects.mergePatch(resource, name, patch, namespace);
  }

  /** Deletes as a REST DELETE would (a scheduled pod is only marked terminating). */
  delete(
    resource: KubeResourceRef,
    name: string,
    namespace?: string,
    opts?: { readonly gracePeriodSeconds?: number },
  ): void {
    this.objects.delete(resource, name, namespace, opts);
  }

  /** Registers a Node (Ready, InternalIP 127.0.0.1), as a kubelet does when it starts. */
  createNode(name: string): KubeObject {
    return this.objects.createNode(name);
  }

  /** Node names registered now. */
  nodeNames(): string[] {
    return this.objects.nodeNames();
  }

  /** A running pod with IP, container ports and Ready condition, as kubelet would report it. */
  createPod(opts: CreatePodOptions): KubeObject {
    return this.objects.createPod(opts);
  }

  getPod(name: string, namespace?: string): KubeObject | undefined {
    return this.objects.getPod(name, namespace);
  }

  /** Flips the Ready and ContainersReady conditions (what a readiness probe result does). */
  setPodReady(name: string, ready: boolean, namespace?: string): KubeObject {
    return this.objects.setPodReady(name, ready, namespace);
  }

  /** Merges labels into a pod's labels; `null` removes a label. */
  setPodLabels(
    name: string,
    labels: Readonly<Record<string, string | null>>,
    namespace?: string,
  ): KubeObject {
    return this.objects.setPodLabels(name, labels, namespace);
  }

  /** Deletes a pod gracefully: deletionTimestamp = now + grace, the pod stays Terminating. */
  terminatePod(
    name: string,
    opts?: { readonly gracePeriodSeconds?: number; readonly namespace?: string },
  ): KubeObject {
    return this.objects.terminatePod(name, opts);
  }

  /** Removes a pod at once (a delete with grace period 0: MODIFIED, then DELETED). */
  deletePod(name: string, namespace?: string): void {
    this.objects.deletePod(name, namespace);
  }

  createService(opts: CreateServiceOptions): KubeObject {
    return this.objects.createService(opts);
  }

  deleteService(name: string, namespace?: string): void {
    this.objects.deleteService(name, namespace);
  }

  /** The controller-managed EndpointSlices of a Service. */
  endpointSlices(service: string, namespace?: string): KubeObject[] {
    return this.objects.endpointSlices(service, namespace);
  }

  /** Where kube-proxy would send a new connection to the Service's port (see EmulatorObjects). */
  readyEndpoints(
    service: string,
    opts?: { readonly portName?: string; readonly namespace?: string },
  ): ReadyEndpointInfo[] {
    return this.objects.readyEndpoints(service, opts);
  }

  /** Pods carrying `key` (=`value` when given) now. */
  podsWithLabel(key: string, value?: string, namespace?: string): string[] {
    return this.objects.podsWithLabel(key, value, namespace);
  }

  // ---- history ------------------------------------------------------------------------------

  /** Logged requests matching `filter` (oldest first), e.g. `{ verb: 'patch', resource: 'pods' }`. */
  requests(filter?: RequestFilter): RequestRecord[] {
    return this.history.requests(filter);
  }

  countRequests(filter?: RequestFilter): number {
    return this.history.countRequests(filter);
  }

  /** Sequence number of the latest request; pass as `afterSeq` to count only later ones. */
  get requestSeq(): number {
    return this.history.requestSeq;
  }

  clearRequests(): void {
    this.history.clearRequests();
  }

  /** Every committed write since start, in resourceVersion order (copies). */
  writes(filter?: { readonly resource?: ResourceName }): StoreEvent[] {
    return this.history.writes(filter);
  }

  /** Every label change of every pod since start. */
  labelHistory(): LabelChange[] {
    return this.history.labelHistory();
  }

  /** Most pods that carried the label at the same time since start (see LabelHistory). */
  maxPodsWithLabel(key: string, value?: string, namespace?: string): number {
    return this.history.maxPodsWithLabel(key, value, namespace);
  }

  /** See EmulatorHistory.waitFor: re-checked after every write and answered request. */
  waitFor<T>(check: () => T | undefined | null | false, opts?: KubeWaitOptions): Promise<T> {
    return this.history.waitFor(check, opts);
  }

  // ---- controllers --------------------------------------------------------------------------

  /** See EmulatorControllers.setEndpointSliceLag. */
  setEndpointSliceLag(lag: Partial<EndpointSliceLag> | 'none'): void {
    this.controllers.setEndpointSliceLag(lag);
  }

  /** The EndpointSlice controller's lag model now. */
  get endpointSliceLag(): EndpointSliceLag {
    return this.controllers.endpointSliceLag;
  }

  /** Syncs the EndpointSlice controller refused on a stale informer cache (each costs a retry). */
  get staleEndpointSliceSyncs(): number {
    return this.controllers.staleEndpointSliceSyncs;
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

  /** Ends every open watch (see EmulatorFaults.cutWatches); returns how many were cut. */
  cutWatches(mode?: CutMode): number {
    return this.faults.cutWatches(mode);
  }

  /** GOAWAY (NO_ERROR) on every open HTTP/2 connection; returns how many were told. */
  goAway(): number {
    return this.faults.goAway();
  }

  get isDown(): boolean {
    return this.faults.isDown;
  }

  /** See EmulatorFaults.setDown: `'refuse'` comes back as a restarted apiserver. */
  setDown(down: boolean, mode?: DownMode): Promise<void> {
    return this.faults.setDown(down, mode);
  }

  /** Down for `ms`, then up again on the same port; resolves once it is up. */
  down(ms: number, mode?: DownMode): Promise<void> {
    return this.faults.down(ms, mode);
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.faults.stop();
    this.controllers.stop();
    this.watches.cutAll('close');
    await this.server.close();
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Starts an emulator on 127.0.0.1:<free port>. Close it with `close()` or `await using`. */
export function startKubeEmulator(opts: KubeEmulatorOptions = {}): Promise<KubeEmulator> {
  return KubeEmulator.start(opts);
}
