import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readiness } from '@activemq-ha/core';
import type { Registry } from 'prom-client';

export interface HealthSource {
  /** Liveness: the agent's own loop runs. Never depends on the broker (a slave must live). */
  live(): boolean;
  /** Readiness: false exactly when this pod is labelled leader but its broker does not serve. */
  ready(): Readiness | Promise<Readiness>;
}

export interface AgentHttpServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Serves /healthz, /readyz and /metrics; everything else is 404. */
export async function startHttpServer(
  host: string | undefined,
  port: number,
  health: HealthSource,
  registry: Registry,
): Promise<AgentHttpServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'method not allowed\n');
    switch (path) {
      case '/healthz':
        return health.live() ? reply(200, 'ok\n') : reply(503, 'agent loop stalled\n');
      case '/readyz':
        Promise.resolve()
          .then(() => health.ready())
          .then(
            ({ ready, reason }) => reply(ready ? 200 : 503, `${reason}\n`),
            (error: unknown) => reply(503, `${String(error)}\n`),
          );
        return;
      case '/metrics':
        registry.metrics().then(
          (text) => reply(200, text, registry.contentType),
          (error: unknown) => reply(500, `${String(error)}\n`),
        );
        return;
      default:
        return reply(404, 'not found: try /healthz, /readyz or /metrics\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
