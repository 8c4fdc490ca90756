// Cleanup on failure, with stand-in binaries (the real ones are exercised by
// test/control-plane.test.ts): whatever started before the failing component must be gone.
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlPlaneBinaries } from './binaries.js';
import { ControlPlaneError } from './errors.js';
import { startControlPlane } from './start-control-plane.js';

// An "etcd" that only answers /health on its client URL and writes its pid next to itself.
const FAKE_ETCD = `#!/usr/bin/env node
const url = process.argv.find((a) => a.startsWith('--listen-client-urls=')).split('=')[1];
require('node:fs').writeFileSync(__filename + '.pid', String(process.pid));
require('node:http').createServer((q, s) => s.end('{"health":"true"}')).listen(Number(new URL(url).port), '127.0.0.1');
`;

describe('startControlPlane on failure', () => {
  let dir: string;
  let binaries: ControlPlaneBinaries;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fake-control-plane-'));
    const etcd = join(dir, 'etcd');
    writeFileSync(etcd, FAKE_ETCD);
    chmodSync(etcd, 0o755);
    binaries = {
      etcd,
      kubeApiserver: '/bin/false',
      kubeControllerManager: '/bin/false',
      kubeVersion: 'v0.0.0',
      etcdVersion: 'v0.0.0',
    };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stops etcd and removes its directory when kube-apiserver exits at start', async () => {
    const before = new Set(readdirSync(tmpdir()));
    const error = await startControlPlane({ binaries, startTimeoutMs: 20_000 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ControlPlaneError);
    expect((error as ControlPlaneError).code).toBe('COMPONENT_FAILED');
    expect((error as ControlPlaneError).component).toBe('kube-apiserver');
    const created = readdirSync(tmpdir()).filter(
      (d) => !before.has(d) && d.startsWith('activemq-ha-control-plane-'),
    );
    expect(created).toEqual([]);
    const pid = Number(readFileSync(`${binaries.etcd}.pid`, 'utf8'));
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('reports a binary that cannot run as a failed component', async () => {
    const error = await startControlPlane({
      binaries: { ...binaries, etcd: join(dir, 'no-such-etcd') },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ControlPlaneError);
    expect((error as ControlPlaneError).component).toBe('etcd');
    expect(existsSync(join(dir, 'no-such-etcd'))).toBe(false);
  });
});
