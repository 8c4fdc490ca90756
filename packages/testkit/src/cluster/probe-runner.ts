// One probe of a container, as pkg/probe does it: httpGet (a status in [200, 400) succeeds; HTTPS
// without verifying the certificate), tcpSocket (a connection succeeds), exec (exit 0 succeeds,
// a timeout fails). The probe reaches a local process, so the container's runtime says where a
// container port really listens (LocalContainer.address, the stand-in's port mapping) and in
// which directory and environment an exec command runs.
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { V1Container, V1Probe } from '@kubernetes/client-node';
import type { LocalContainer } from './local-container.js';
import type { ProbeResult } from './probe-worker.js';

/** What a probe runs against: the running container, its spec (named ports) and the pod's host. */
export interface ProbeTarget {
  readonly container: LocalContainer;
  readonly spec: V1Container | undefined;
  /** The local address the pod's processes bind (what the probe's default host, the pod IP, is). */
  readonly podHost: string;
}

/** A probe the test gives by URL (the imperative setters: sub-second periods the API cannot say). */
export interface UrlProbeHandler {
  readonly url: () => string | undefined;
}

export type ProbeHandler =
  | Pick<V1Probe, 'httpGet' | 'tcpSocket' | 'exec' | 'grpc'>
  | UrlProbeHandler;

export async function runProbe(
  handler: ProbeHandler,
  target: ProbeTarget,
  timeoutMs: number,
): Promise<ProbeResult> {
  if ('url' in handler) {
    const url = handler.url();
    return url === undefined ? 'failure' : httpGet(new URL(url), {}, timeoutMs);
  }
  if (handler.httpGet) {
    const g = handler.httpGet;
    const address = resolveAddress(target, g.port, g.host);
    if (!address) return 'failure';
    const scheme = (g.scheme ?? 'HTTP').toLowerCase();
    const path = g.path?.startsWith('/') ? g.path : `/${g.path ?? ''}`;
    const url = new URL(`${scheme}://${hostPart(address.host)}:${address.port}${path}`);
    const headers: Record<string, string> = {};
    for (const h of g.httpHeaders ?? []) headers[h.name] = h.value;
    return httpGet(url, headers, timeoutMs);
  }
  if (handler.tcpSocket) {
    const address = resolveAddress(target, handler.tcpSocket.port, handler.tcpSocket.host);
    return address ? tcpConnect(address.host, address.port, timeoutMs) : 'failure';
  }
  if (handler.exec) return exec(handler.exec.command ?? [], target.container, timeoutMs);
  // grpc needs a gRPC health client; the stand-in has none and says so rather than guessing.
  throw new Error('the kubelet stand-in runs httpGet, tcpSocket and exec probes, not grpc');
}

/**
 * The probe's port (a number, or a name looked up in the container's ports as
 * findPortByName does), then where it listens on this machine.
 */
function resolveAddress(
  target: ProbeTarget,
  port: number | string,
  host: string | undefined,
): { host: string; port: number } | undefined {
  let number: number | undefined;
  if (typeof port === 'number') number = port;
  else if (/^\d+$/.test(port)) number = Number(port);
  else number = target.spec?.ports?.find((p) => p.name === port)?.containerPort;
  if (number === undefined) return undefined;
  if (target.container.address) return target.container.address(number);
  return { host: host ?? target.podHost, port: number };
}

const hostPart = (host: string) => (host.includes(':') ? `[${host}]` : host);

function httpGet(
  url: URL,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(
      url,
      {
        method: 'GET',
        headers: { 'User-Agent': 'kube-probe/1.37', Accept: '*/*', ...headers },
        timeout: timeoutMs,
        // The kubelet does not verify a probe's serving certificate (InsecureSkipVerify).
        rejectUnauthorized: false,
      },
      (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        resolve(code >= 200 && code < 400 ? 'success' : 'failure');
      },
    );
    req.on('timeout', () => req.destroy(new Error('probe timed out')));
    req.on('error', () => resolve('failure'));
    req.end();
  });
}

function tcpConnect(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('failure');
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve('success');
    });
    socket.once('error', () => {
      clearTimeout(timer);
      resolve('failure');
    });
  });
}

/** The command as a local process in the container's directory and environment; exit 0 succeeds. */
function exec(
  command: readonly string[],
  container: LocalContainer,
  timeoutMs: number,
): Promise<ProbeResult> {
  const argv = container.exec?.command ? container.exec.command(command) : command;
  const [file, ...args] = argv;
  if (!file) return Promise.resolve('failure');
  return new Promise((resolve) => {
    const child = spawn(file, args, {
      cwd: container.exec?.cwd,
      env: container.exec?.env ?? { PATH: process.env.PATH },
      stdio: 'ignore',
    });
    // A probe that outlives its timeout fails (ExecProbeTimeout), and is killed.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve('failure');
    }, timeoutMs);
    child.once('error', () => {
      clearTimeout(timer);
      resolve('failure');
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0 ? 'success' : 'failure');
    });
  });
}
