// kubectl is an independent client of the emulator: if it can discover, print tables, label and
// watch, the emulator speaks the real API rather than what our own code expects of it.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type KubeEmulator, startKubeEmulator } from '../src/index.js';

const KUBECTL = '/usr/bin/kubectl';

describe('Kubernetes API emulator with kubectl v1.32', () => {
  let emu: KubeEmulator;
  let cacheDir: string;
  const children: ChildProcess[] = [];

  beforeAll(() => {
    cacheDir = mkdtempSync(join(tmpdir(), 'kubectl-cache-'));
  });
  afterAll(() => {
    rmSync(cacheDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    emu = await startKubeEmulator();
    emu.createService({
      name: 'amq',
      selector: { app: 'amq', leader: 'yes' },
      ports: [{ name: 'stomp', port: 61613, targetPort: 'stomp' }],
    });
    emu.createPod({
      name: 'amq-0',
      labels: { app: 'amq', leader: 'yes' },
      containerPorts: [{ name: 'stomp', containerPort: 42000 }],
    });
    emu.createPod({
      name: 'amq-1',
      labels: { app: 'amq' },
      ready: false,
      containerPorts: [{ name: 'stomp', containerPort: 42001 }],
    });
    // The EndpointSlice controller runs behind the API: wait for its first slice and Endpoints.
    await emu.waitFor(() => emu.get('endpoints', 'amq')?.subsets && emu.readyEndpoints('amq')[0]);
  });
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
    await emu.close();
  });

  function kubectl(
    args: string[],
    kubeconfig = emu.kubeconfigPath,
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        KUBECTL,
        ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args],
        { timeout: 20_000 },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  it('get pods prints the server-side table (READY from the Ready condition)', async () => {
    const r = await kubectl(['get', 'pods']);
    expect(r.stderr).toBe('');
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(/\s{2,}/));
    expect(lines[0]).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    expect(lines.slice(1).map((l) => l.slice(0, 4))).toEqual([
      ['amq-0', '1/1', 'Running', '0'],
      ['amq-1', '0/1', 'Running', '0'],
    ]);
    const wide = await kubectl(['get', 'pods', '-o', 'wide', '--show-labels']);
    expect(wide.stdout).toMatch(
      /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES\s+LABELS/,
    );
    expect(wide.stdout).toMatch(/amq-0 .*127\.0\.0\.1\s+emulated-node .*app=amq,leader=yes/);
    // kubectl asked for a Table
    expect(emu.requests({ verb: 'list', resource: 'pods' }).length).toBeGreaterThan(0);
    // client-go offers h2 in ALPN and the server prefers it, as against a real apiserver.
    expect(new Set(emu.requests().map((r) => r.protocol))).toEqual(new Set(['h2']));
  });

  it('speaks HTTP/1.1 to a server that offers only http/1.1', async () => {
    await using h1 = await startKubeEmulator({ alpnProtocols: ['http/1.1'] });
    h1.createPod({ name: 'amq-0', labels: { app: 'amq' } });
    const r = await kubectl(['get', 'pods', '-o', 'name'], h1.kubeconfigPath);
    expect(r.stdout.trim()).toBe('pod/amq-0');
    expect(new Set(h1.requests().map((x) => x.protocol))).toEqual(new Set(['http/1.1']));
  });

  it('get pods -l leader=yes -o name, then label --overwrite moves the label', async () => {
    expect((await kubectl(['get', 'pods', '-l', 'leader=yes', '-o', 'name'])).stdout).toBe(
      'pod/amq-0\n',
    );
    const before = emu.requestSeq;
    const a = await kubectl(['label', 'pod', 'amq-0', 'leader=no', '--overwrite']);
    expect(a.stdout).toBe('pod/amq-0 labeled\n');
    const b = await kubectl(['label', 'pod', 'amq-1', 'leader=yes', '--overwrite']);
    expect(b.stdout).toBe('pod/amq-1 labeled\n');
    expect((await kubectl(['get', 'pods', '-l', 'leader=yes', '-o', 'name'])).stdout).toBe(
      'pod/amq-1\n',
    );
    expect(emu.podsWithLabel('leader', 'yes')).toEqual(['amq-1']);
    expect(emu.maxPodsWithLabel('leader', 'yes')).toBe(1);
    const patches = emu.requests({ verb: 'patch', resource: 'pods', afterSeq: before });
    expect(patches.map((p) => [p.name, p.contentType, p.status])).toEqual([
      ['amq-0', 'application/merge-patch+json', 200],
      ['amq-1', 'application/merge-patch+json', 200],
    ]);
    // kubectl label checks values itself; a raw patch reaches the server's validation.
    const invalid = await kubectl([
      'patch',
      'pod',
      'amq-1',
      '--type=merge',
      '-p',
      '{"metadata":{"labels":{"leader":"not ok!"}}}',
    ]);
    expect(invalid.code).not.toBe(0);
    expect(invalid.stderr).toContain(
      'Pod "amq-1" is invalid: metadata.labels: Invalid value: "not ok!"',
    );
  });

  it('get endpointslices -w picks up the slice change when the label moves', async () => {
    const child = spawn(
      KUBECTL,
      ['--kubeconfig', emu.kubeconfigPath, '--cache-dir', cacheDir, 'get', 'endpointslices', '-w'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.push(child);
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    await emu.waitFor(() => emu.openWatches > 0 && out.includes('42000'), {
      timeoutMs: 20_000,
      description: 'kubectl watching',
    });
    expect(out).toMatch(/^NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE\n/);
    emu.setPodReady('amq-1', true);
    emu.setPodLabels('amq-0', { leader: null });
    emu.setPodLabels('amq-1', { leader: 'yes' });
    const slice = emu.endpointSlices('amq')[0]?.metadata.name as string;
    await emu
      .waitFor(() => new RegExp(`${slice}\\s+IPv4\\s+42001\\s+127\\.0\\.0\\.1`).test(out), {
        timeoutMs: 20_000,
      })
      .catch((err: unknown) => {
        throw new Error(`kubectl did not print the moved slice; got:\n${out}`, { cause: err });
      });
    expect(out).toMatch(new RegExp(`${slice}\\s+IPv4\\s+<unset>\\s+<unset>`));
  });

  it('get lease, get events and get svc,endpoints', async () => {
    emu.create('leases', {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'activemq' },
      spec: { holderIdentity: 'amq-0', leaseDurationSeconds: 15 },
    });
    emu.create('events.events.k8s.io', {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'amq-0.leader' },
      eventTime: '2026-01-01T00:00:00.000000Z',
      reportingController: 'activemq-ha.io/agent',
      reportingInstance: 'amq-0',
      action: 'Label',
      reason: 'BecameLeader',
      note: 'broker holds the lock',
      type: 'Normal',
      regarding: { kind: 'Pod', name: 'amq-0', namespace: 'default' },
    });
    const lease = await kubectl(['get', 'lease']);
    expect(lease.stdout).toMatch(/^NAME\s+HOLDER\s+AGE\nactivemq\s+amq-0\s+\S+\n$/);
    const events = await kubectl(['get', 'events']);
    expect(events.stdout).toMatch(
      /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\n\S+\s+Normal\s+BecameLeader\s+pod\/amq-0\s+broker holds the lock\n$/,
    );
    const svc = await kubectl(['get', 'svc,endpoints']);
    expect(svc.stdout).toMatch(/service\/amq\s+ClusterIP\s+10\.96\.\d+\.\d+\s+<none>\s+61613\/TCP/);
    expect(svc.stdout).toMatch(/endpoints\/amq\s+127\.0\.0\.1:42000/);
  });

  it('a token without RBAC rights gets the real Forbidden message; a rotated token is rejected', async () => {
    emu.addToken('viewer', {
      user: 'system:serviceaccount:default:viewer',
      rules: [{ verbs: ['get', 'list'], resources: ['pods'] }],
    });
    const viewer = emu.writeKubeconfig({ token: 'viewer' });
    expect((await kubectl(['get', 'pods', '-o', 'name'], viewer)).stdout).toBe(
      'pod/amq-0\npod/amq-1\n',
    );
    const denied = await kubectl(['label', 'pod', 'amq-1', 'leader=yes', '--overwrite'], viewer);
    expect(denied.stderr).toContain(
      'pods "amq-1" is forbidden: User "system:serviceaccount:default:viewer" cannot patch resource "pods" in API group "" in the namespace "default"',
    );
    const old = emu.writeKubeconfig();
    emu.rotateToken();
    const rejected = await kubectl(['get', 'pods'], old);
    expect(rejected.code).not.toBe(0);
    expect(rejected.stderr).toMatch(/Unauthorized|provide credentials/);
    expect((await kubectl(['get', 'pods', '-o', 'name'])).stdout).toBe('pod/amq-0\npod/amq-1\n');
  });
});
