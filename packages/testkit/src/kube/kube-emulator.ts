import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createSecureServer, type ServerHttp2Session } from 'node:http2';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ApiHandler } from './api-handler.js';
import type { EndpointSliceLag } from './controller-lag.js';
import { EmulatorObjects } from './emulator-objects.js';
import { KubeEmulatorError } from './errors.js';
import { type FailureSpec, FaultInjector } from './fault-injector.js';
import type { ApiRequest, ApiResponse } from './http-exchange.js';
import { kubeconfigYaml, writeFileAtomicSync } from './kubeconfig.js';
import type { RequestMatch } from './request-log.js';
import { createSelfSignedCert } from './self-signed-cert.js';
import { type RbacRule, TokenRegistry } from './token-auth.js';
import type { CutMode } from './watch-stream.js';

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

/** How `setDown` makes the server unreachable. */
export type DownMode =
  /** The listening socket is closed: connects fail with ECONNREFUSED. Open connections are reset. */
  | 'refuse'
  /** Still listening, but every connection is reset at once (ECONNRESET). */
  | 'reset';

/**
 * An in-process Kubernetes API server for tests: real REST semantics for pods, services,
 * endpoints, events, EndpointSlices and leases, an EndpointSlice controller, token auth and RBAC,
 * and fault injection. Start with `startKubeEmulator()`. It is an emulator: there is no kubelet,
 * scheduler or etcd; pods exist because a test (or client) created them.
 */
export class KubeEmulator extends EmulatorObjects implements AsyncDisposable {
  readonly host = '127.0.0.1';
  readonly tokenFilePath: string;
  readonly kubeconfigPath: string;
  /** PEM file of the server certificate (= the CA to trust); undefined with `tls: false`. */
  readonly caFilePath: string | undefined;
  /** PEM of the server certificate; undefined with `tls: false`. */
  readonly caCert: string | undefined;
  private readonly tokens = new TokenRegistry();
  private readonly faults = new FaultInjector();
  private readonly handler: ApiHandler;
  private readonly server: import('node:net').Server;
  /** Open HTTP/2 sessions, for goAway(). */
  private readonly sessions = new Set<ServerHttp2Session>();
  /** Raw TCP sockets by remote port: under TLS, the only handle that can send an RST. */
  private readonly sockets = new Map<number, Socket>();
  private readonly ownsDir: boolean;
  private readonly dir: string;
  private currentToken: string;
  private listenPort = 0;
  private downMode: DownMode | undefined;
  private closed = false;

  private constructor(opts: KubeEmulatorOptions) {
    super(opts);
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
      tooLargeResourceVersionWaitMs: opts.tooLargeResourceVersionWaitMs ?? 3000,
      serverAddress: () => `${this.host}:${this.listenPort}`,
      resetSocket: (sock) => this.resetSocket(sock),
    });
    const onRequest = (req: ApiRequest, res: ApiResponse) => void this.handler.handle(req, res);
    const alpn = opts.alpnProtocols ?? ['h2', 'http/1.1'];
    if (tls && !alpn.includes('h2')) {
      this.server = createHttpsServer(
        { key: tls.key, cert: tls.cert, keepAliveTimeout: 5000, requestTimeout: 0 },
        onRequest,
      );
    } else if (tls) {
      // One port for both protocols, as a Go server: ALPN picks h2 when the client offers it
      // (node:http2 advertises h2 first, then http/1.1 with allowHTTP1).
      const server = createSecureServer(
        {
          key: tls.key,
          cert: tls.cert,
          allowHTTP1: alpn.includes('http/1.1'),
          // No cap on concurrent watches per connection below what client-go expects (Go: 250).
          settings: { maxConcurrentStreams: 250 },
        },
        onRequest,
      );
      server.on('session', (session: ServerHttp2Session) => {
        this.sessions.add(session);
        session.on('close', () => this.sessions.delete(session));
        // A session error (e.g. the injected reset) must not become an uncaught exception.
        session.on('error', () => undefined);
      });
      this.server = server;
    } else {
      this.server = createServer({ keepAliveTimeout: 5000, requestTimeout: 0 }, onRequest);
    }
    this.server.on('connection', (s: Socket) => {
      if (this.downMode === 'reset') {
        s.resetAndDestroy();
        return;
      }
      // Watch events go out as soon as they are written (no Nagle), on both protocols.
      s.setNoDelay(true);
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
    try {
      sock.destroy();
    } catch {
      // An HTTP/2 session's socket proxy refuses destroy(); the raw socket is gone already.
    }
  }

  /** The currently valid primary token. */
  get token(): string {
    return this.currentToken;
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
      kubeconfigYaml({
        server: this.url,
        token: this.currentToken,
        namespace: this.namespace,
        caCert: this.caCert,
      }),
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
      contexts: [
        {
          name: 'emulator',
          cluster: 'emulator',
          user: 'emulator',
          namespace: opts.namespace ?? this.namespace,
        },
      ],
      currentContext: 'emulator',
    });
    return kc;
  }

  /** Writes a kubeconfig for another token or namespace; returns its path. */
  writeKubeconfig(
    opts: { readonly path?: string; readonly token?: string; readonly namespace?: string } = {},
  ): string {
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
  addToken(
    token: string,
    identity: { readonly user?: string; readonly rules?: readonly RbacRule[] } = {},
  ): void {
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

  /**
   * Sends GOAWAY (NO_ERROR) on every open HTTP/2 connection, as a server does when it shuts down
   * gracefully: streams already open (watches included) go on, new requests need a new
   * connection. HTTP/1.1 connections are not touched. Returns how many connections were told.
   */
  goAway(): number {
    let n = 0;
    for (const session of [...this.sessions]) {
      if (session.closed || session.destroyed) continue;
      // close() sends GOAWAY (NO_ERROR) and lets open streams finish.
      session.close();
      n++;
    }
    return n;
  }

  /** Sends a BOOKMARK now on every watch that allows them. */
  sendBookmarks(): void {
    this.handler.sendBookmarks();
  }

  /**
   * Makes the API unreachable (or reachable again, on the same port). Open connections, watches
   * included, are reset either way. Coming back from `'refuse'` is a restarted apiserver: its
   * watch caches start at the current resourceVersion, so a watch resumed from an older one gets
   * an ERROR event with 410 Expired (and relists). `'reset'` is a network fault: caches stay.
   */
  async setDown(down: boolean, mode: DownMode = 'refuse'): Promise<void> {
    // A pending down(ms) may end after close(): nothing left to bring up.
    if (this.closed) return;
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
      this.store.compact();
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
        throw new KubeEmulatorError(
          'LISTEN_FAILED',
          `could not listen again on port ${this.listenPort}`,
          { cause: lastErr },
        );
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

/** Starts an emulator on 127.0.0.1:<free port>. Close it with `close()` or `await using`. */
export function startKubeEmulator(opts: KubeEmulatorOptions = {}): Promise<KubeEmulator> {
  return KubeEmulator.start(opts);
}
