import * as http from 'node:http';
import * as https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/**
 * The few REST calls core makes, sent with node:http(s) over what client-node's
 * `KubeConfig.applyToHTTPSOptions` gives (CA, client certificates, bearer token, auth plugins,
 * proxy agents). Why not client-node's generated API classes: importing them loads every API
 * group and its model serializer (about 60 MiB of the agent's ~110 MiB idle RSS), for the five
 * endpoints core calls. The wire format is plain JSON either way.
 */

/** A non-2xx answer: its status and body (usually a Kubernetes `Status`). */
export class HttpStatusError extends Error {
  override readonly name = 'HttpStatusError';
  constructor(
    readonly statusCode: number,
    readonly body: string,
  ) {
    super(http.STATUS_CODES[statusCode] ?? `HTTP ${statusCode}`);
  }
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH';

export interface KubeHttpRequest {
  readonly method: HttpMethod;
  /** Path and query, e.g. `/api/v1/namespaces/mq/pods?labelSelector=app%3Dmq`. */
  readonly path: string;
  readonly body?: unknown;
  /** @default 'application/json' */
  readonly contentType?: string;
  readonly signal?: AbortSignal;
}

export interface KubeWatchHandlers {
  /** One watch event line, parsed (`{ type, object }`). Lines that are not JSON are skipped. */
  onEvent(type: string, object: unknown): void;
  /**
   * The stream ended: `undefined` when it ended cleanly or stayed silent for `idleMs` (client-go
   * and client-node restart such a watch as routine), else the error.
   */
  onEnd(error: Error | undefined): void;
}

export interface KubeWatchStream {
  close(): void;
}

/** Watches end after this long without a byte, as client-node's `Watch` does (30 s). */
export const WATCH_IDLE_MS = 30_000;

type Options = Omit<https.RequestOptions, 'headers'> & { headers: Record<string, string> };

export class KubeHttp {
  /**
   * Keep-alive agents per cluster server: client-node's own agents are built without keep-alive,
   * which would cost a TLS handshake per label write. A proxy's agent is used as client-node
   * makes it.
   */
  readonly #agents = new Map<string, http.Agent>();

  /** JSON in, JSON out; rejects with `HttpStatusError` on non-2xx, else with the socket error. */
  async json<T>(kubeConfig: KubeConfig, req: KubeHttpRequest): Promise<T> {
    const { url, options } = await this.#prepare(kubeConfig, req.path);
    const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
    options.method = req.method;
    if (payload !== undefined) {
      options.headers['Content-Type'] = req.contentType ?? 'application/json';
      options.headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    for (let attempt = 0; ; attempt++) {
      try {
        const { status, body } = await send(url, options, payload, req.signal);
        if (status < 200 || status > 299) throw new HttpStatusError(status, body);
        return (body ? JSON.parse(body) : {}) as T;
      } catch (err) {
        // A kept-alive socket the server closed while idle: the request never reached it
        // (Node's documented `reusedSocket` retry).
        if (attempt === 0 && (err as { reusedSocketReset?: boolean }).reusedSocketReset) continue;
        throw err;
      }
    }
  }

  /**
   * Starts a watch (`?watch=true` is added). Resolves once the API answered 200; rejects with
   * `HttpStatusError` (non-200) or the connection's error when it does not start.
   */
  async watch(
    kubeConfig: KubeConfig,
    path: string,
    handlers: KubeWatchHandlers,
    idleMs = WATCH_IDLE_MS,
  ): Promise<KubeWatchStream> {
    const { url, options } = await this.#prepare(
      kubeConfig,
      `${path}${path.includes('?') ? '&' : '?'}watch=true`,
    );
    options.method = 'GET';
    const controller = new AbortController();
    options.signal = controller.signal;
    let timer: NodeJS.Timeout | undefined;
    let idle = false;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        idle = true;
        controller.abort();
      }, idleMs);
      timer.unref();
    };
    let ended = false;
    const end = (error: Error | undefined) => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      controller.abort();
      handlers.onEnd(idle ? undefined : error);
    };
    arm();
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const request = (url.protocol === 'https:' ? https : http).request(url, options, resolve);
      // `on`, not `once`: an abort after the answer emits a second error.
      request.on('error', (err) => {
        clearTimeout(timer);
        reject(idle ? new Error(`no answer within ${idleMs} ms`, { cause: err }) : err);
      });
      request.end();
    });
    if (res.statusCode !== 200) {
      const body = await readBody(res).catch(() => '');
      clearTimeout(timer);
      controller.abort();
      throw new HttpStatusError(res.statusCode ?? 0, body);
    }
    arm();
    let rest = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      arm();
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        if (ended) return;
        let event: { type?: unknown; object?: unknown };
        try {
          event = JSON.parse(line) as typeof event;
        } catch {
          continue;
        }
        if (typeof event.type === 'string') handlers.onEvent(event.type, event.object);
      }
    });
    res.once('end', () => end(undefined));
    res.on('error', (err) => end(err));
    res.once('close', () => end(res.complete ? undefined : new Error('watch stream cut')));
    return {
      close: () => {
        if (ended) return;
        ended = true;
        clearTimeout(timer);
        controller.abort();
      },
    };
  }

  /** Releases the kept-alive connections. */
  close(): void {
    for (const agent of this.#agents.values()) agent.destroy();
    this.#agents.clear();
  }

  async #prepare(kubeConfig: KubeConfig, path: string): Promise<{ url: URL; options: Options }> {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('no current cluster in the kubeconfig');
    const applied: https.RequestOptions = { headers: {} };
    // Also throws for plain http without skipTLSVerify, as client-node's API classes do.
    await kubeConfig.applyToHTTPSOptions(applied);
    const options: Options = {
      ...applied,
      headers: { ...(applied.headers as Record<string, string>), Accept: 'application/json' },
    };
    const url = new URL(cluster.server.replace(/\/+$/, '') + path);
    if (!cluster.proxyUrl) options.agent = this.#agent(url, options);
    return { url, options };
  }

  #agent(url: URL, o: Options): http.Agent {
    const key = `${url.protocol}//${url.host}`;
    let agent = this.#agents.get(key);
    if (!agent) {
      agent =
        url.protocol === 'https:'
          ? new https.Agent({
              keepAlive: true,
              ca: o.ca,
              cert: o.cert,
              key: o.key,
              pfx: o.pfx,
              passphrase: o.passphrase,
              servername: o.servername,
              ...(o.rejectUnauthorized === undefined
                ? {}
                : { rejectUnauthorized: o.rejectUnauthorized }),
            })
          : new http.Agent({ keepAlive: true });
      this.#agents.set(key, agent);
    }
    return agent;
  }
}

function send(
  url: URL,
  options: Options,
  payload: string | undefined,
  signal: AbortSignal | undefined,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const request = (url.protocol === 'https:' ? https : http).request(url, options, (res) => {
      readBody(res).then((body) => resolve({ status: res.statusCode ?? 0, body }), reject);
    });
    const onAbort = () => request.destroy(signal?.reason as Error);
    signal?.addEventListener('abort', onAbort, { once: true });
    request.once('close', () => signal?.removeEventListener('abort', onAbort));
    request.on('error', (err: NodeJS.ErrnoException) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      if (request.reusedSocket && err.code === 'ECONNRESET') {
        Object.assign(err, { reusedSocketReset: true });
      }
      reject(err);
    });
    request.end(payload);
  });
}

function readBody(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
    res.once('aborted', () => reject(new Error('response cut')));
  });
}
