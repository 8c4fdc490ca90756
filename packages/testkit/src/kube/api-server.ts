// The emulator's listening socket and its connections: HTTP/1.1, or HTTP/2 and HTTP/1.1 on one
// TLS port as a Go server offers them, with the handles faults need that a request handler does
// not have: every raw TCP socket (the only thing that can send an RST under TLS), every HTTP/2
// session (for GOAWAY), and the listener itself (for an outage on the same port).
import { createServer } from 'node:http';
import { createSecureServer, type ServerHttp2Session } from 'node:http2';
import { createServer as createHttpsServer } from 'node:https';
import type { Server, Socket } from 'node:net';
import type { ApiRequest, ApiResponse } from './http-exchange.js';
import { rebind } from './rebind.js';

export interface ApiServerOptions {
  /** Key and certificate to serve TLS with; `undefined` serves plain HTTP. */
  readonly tls: { readonly key: string; readonly cert: string } | undefined;
  /** ALPN protocols over TLS, in the server's order of preference. */
  readonly alpnProtocols: readonly ('h2' | 'http/1.1')[];
  readonly onRequest: (req: ApiRequest, res: ApiResponse) => void;
}

export class ApiServer {
  readonly host = '127.0.0.1';
  private readonly server: Server;
  /** Open HTTP/2 sessions, for goAway(). */
  private readonly sessions = new Set<ServerHttp2Session>();
  /** Raw TCP sockets by remote port: under TLS, the only handle that can send an RST. */
  private readonly sockets = new Map<number, Socket>();
  private listenPort = 0;
  private resetIncoming = false;

  constructor(private readonly opts: ApiServerOptions) {
    const { tls, alpnProtocols: alpn, onRequest } = opts;
    if (tls && !alpn.includes('h2')) {
      // node:http2 overrides ALPNProtocols, so an HTTP/1.1-only TLS server is an https one.
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
      if (this.resetIncoming) {
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

  get port(): number {
    return this.listenPort;
  }

  get tls(): boolean {
    return this.opts.tls !== undefined;
  }

  /** `https://127.0.0.1:<port>` (`http://` without TLS) */
  get url(): string {
    return `${this.tls ? 'https' : 'http'}://${this.host}:${this.listenPort}`;
  }

  get listening(): boolean {
    return this.server.listening;
  }

  /** Listens on `port` (0: a free one, kept for later listens). */
  listen(port: number = this.listenPort): Promise<void> {
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

  /** Listens again on the same port after `stopListening` (see rebind). */
  listenAgain(): Promise<void> {
    return rebind(
      () => this.listen(this.listenPort),
      'the API',
      () => this.listenPort,
    );
  }

  /** Closes the listening socket (connects get ECONNREFUSED); open connections stay. */
  stopListening(): void {
    this.server.close();
  }

  /** While on, every new connection is reset as soon as it is accepted. */
  setResetIncoming(on: boolean): void {
    this.resetIncoming = on;
  }

  /** Resets every open connection (TCP RST). */
  resetAll(): void {
    for (const s of [...this.sockets.values()]) this.resetSocket(s);
    this.sockets.clear();
  }

  /** Sends a TCP RST on the connection under `sock` (an HTTP/2 session's proxy included). */
  resetSocket(sock: Socket): void {
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

  /**
   * GOAWAY (NO_ERROR) on every open HTTP/2 connection; returns how many connections were told.
   * close() sends it and lets open streams finish.
   */
  goAway(): number {
    let n = 0;
    for (const session of [...this.sessions]) {
      if (session.closed || session.destroyed) continue;
      session.close();
      n++;
    }
    return n;
  }

  /** Stops listening and destroys every connection; resolves once the listener is closed. */
  close(): Promise<void> {
    return new Promise<void>((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      for (const s of this.sockets.values()) s.destroy();
    });
  }
}
