// The real control plane the second test tier runs against: etcd, kube-apiserver and
// kube-controller-manager built from Go modules (scripts/setup-kube.sh). kubectl, an independent
// client, proves the API server is what it says; an EndpointSlice proves the controllers run.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acceptsConnections,
  type ControlPlane,
  ControlPlaneError,
  pollUntil,
  startControlPlane,
} from '../src/index.js';

const run = promisify(execFile);
const KUBECTL = '/usr/bin/kubectl';

/** pids of our direct children whose command line runs `binary`. */
function childrenRunning(binary: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return (
          ppid === process.pid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(binary)
        );
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('startControlPlane', () => {
  let cp: ControlPlane;
  const kubectl = async (...args: string[]) =>
    (await run(KUBECTL, [`--kubeconfig=${cp.kubeconfigPath}`, ...args], { timeout: 60_000 }))
      .stdout;

  beforeAll(async () => {
    cp = await startControlPlane();
  }, 180_000);
  afterAll(async () => {
    await cp?.stop();
  });

  it('serves /version with the version it was built at and is ready', async () => {
    const version = JSON.parse(await kubectl('get', '--raw', '/version')) as {
      gitVersion: string;
      major: string;
      minor: string;
    };
    expect(version.gitVersion).toBe(cp.binaries.kubeVersion);
    expect(`v${version.major}.${version.minor}`).toBe(
      cp.binaries.kubeVersion.replace(/\.\d+$/, ''),
    );
    expect(await kubectl('get', '--raw', '/readyz')).toBe('ok');
  });

  it('authorizes with RBAC: an unbound service account may not list pods', async () => {
    await kubectl('create', 'namespace', 'rbac-check');
    await kubectl('-n', 'rbac-check', 'create', 'serviceaccount', 'nobody');
    const answer = await kubectl(
      'auth',
      'can-i',
      'list',
      'pods',
      '-n',
      'rbac-check',
      '--as=system:serviceaccount:rbac-check:nobody',
    ).catch((e: { stdout: string }) => e.stdout);
    expect(answer.trim()).toBe('no');
  });

  it('runs the EndpointSlice controller: a Service gets a slice for its ready pod', async () => {
    await kubectl('create', 'namespace', 'slices');
    // The service-account controller creates `default`; until then admission rejects pods.
    await pollKubectl(kubectl, ['-n', 'slices', 'get', 'serviceaccount', 'default', '-o', 'name']);
    await kubectl('-n', 'slices', 'create', 'service', 'clusterip', 'web', '--tcp=80:8080');
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-0', labels: { app: 'web' } },
      spec: { containers: [{ name: 'c', image: 'none' }] },
    };
    await runWithInput(
      cp.kubeconfigPath,
      ['-n', 'slices', 'create', '-f', '-'],
      JSON.stringify(pod),
    );
    const slices = await pollKubectl(kubectl, [
      '-n',
      'slices',
      'get',
      'endpointslices',
      '-l',
      'kubernetes.io/service-name=web',
      '-o',
      'name',
    ]);
    expect(slices).toMatch(/^endpointslice\.discovery\.k8s\.io\/web-/);
  });
});

describe('startControlPlane cleanup', () => {
  it('stop() leaves no process, no port and no directory behind', async () => {
    const cp = await startControlPlane();
    const pids = cp.pids();
    expect(pids).toHaveLength(3);
    await cp.stop();
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    for (const port of Object.values(cp.ports)) expect(await acceptsConnections(port)).toBe(false);
    expect(existsSync(cp.dir)).toBe(false);
  }, 180_000);

  it('a component that fails to start takes everything started before it down', async () => {
    const before = new Set(
      readdirSync(tmpdir()).filter((d) => d.startsWith('activemq-ha-control-plane-')),
    );
    const error = await startControlPlane({ apiserverArgs: ['--no-such-flag'] }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ControlPlaneError);
    expect((error as ControlPlaneError).code).toBe('COMPONENT_FAILED');
    expect((error as ControlPlaneError).component).toBe('kube-apiserver');
    expect((error as Error).message).toMatch(/no-such-flag/);
    const { etcd } = (await import('../src/index.js')).locateControlPlaneBinaries();
    expect(childrenRunning(etcd)).toEqual([]);
    const after = readdirSync(tmpdir()).filter(
      (d) => d.startsWith('activemq-ha-control-plane-') && !before.has(d),
    );
    expect(after).toEqual([]);
  }, 180_000);
});

async function pollKubectl(
  kubectl: (...args: string[]) => Promise<string>,
  args: string[],
  timeoutMs = 60_000,
): Promise<string> {
  return pollUntil(
    async () => (await kubectl(...args).catch(() => '')).trim() || undefined,
    { timeoutMs, intervalMs: 200 },
    () => new Error(`kubectl ${args.join(' ')} printed nothing for ${timeoutMs} ms`),
  );
}

function runWithInput(kubeconfig: string, args: string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      KUBECTL,
      [`--kubeconfig=${kubeconfig}`, ...args],
      { timeout: 60_000 },
      (err, stdout) => (err ? reject(err) : resolve(stdout)),
    );
    child.stdin?.end(input);
  });
}
