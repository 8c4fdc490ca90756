import { spawn } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requireAgentBundle } from './agent-entrypoint.js';

// The check runs as the broker's uid in an init container. Here: the bundle the image runs, as
// uid/gid 65534 (nobody), against directories root prepared. Root itself bypasses permissions,
// so these need root to set up another uid (CI runs as root; elsewhere they skip).
const UID = 65534;
const asRoot = process.getuid?.() === 0;

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'check-store-'));
  await chmod(root, 0o755);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function checkStore(dir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [requireAgentBundle(), 'check-store', dir], {
      uid: UID,
      gid: UID,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.skipIf(!asRoot)('activemq-ha-agent check-store <dir>', () => {
  it('passes on a store the uid owns, existing KahaDB files included, and leaves nothing behind', async () => {
    const store = join(root, 'shared');
    await mkdir(join(store, 'kahadb'), { recursive: true });
    await writeFile(join(store, 'kahadb', 'lock'), '');
    await writeFile(join(store, 'kahadb', 'db.data'), '');
    for (const p of [
      store,
      join(store, 'kahadb'),
      join(store, 'kahadb', 'lock'),
      join(store, 'kahadb', 'db.data'),
    ]) {
      await chown(p, UID, UID);
    }
    const r = await checkStore(store);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${store} is usable`);
    expect(r.stdout).toContain('exclusively locked');
    expect(r.stdout).toContain('every one of 2 existing files is writable');
    expect(await readdir(store)).toEqual(['kahadb']);
  });

  it('fails on a root-owned directory, naming the path, the uid and the owner', async () => {
    const store = join(root, 'shared');
    await mkdir(store, { mode: 0o755 });
    const r = await checkStore(store);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `cannot create a file in ${store} (EACCES) as uid ${UID} gid ${UID}`,
    );
    expect(r.stderr).toContain('owned by uid 0 gid 0, mode 0755');
  });

  it('fails on a root-owned KahaDB lock file in a writable store (a uid change)', async () => {
    const store = join(root, 'shared');
    await mkdir(join(store, 'kahadb'), { recursive: true });
    await writeFile(join(store, 'kahadb', 'lock'), '', { mode: 0o644 });
    await chown(store, UID, UID);
    await chown(join(store, 'kahadb'), UID, UID);
    const r = await checkStore(store);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot open read-write ${join(store, 'kahadb', 'lock')} (EACCES)`);
    expect(r.stderr).toContain('owned by uid 0 gid 0, mode 0644');
    expect(await readdir(store)).toEqual(['kahadb']);
  });

  it('fails on a path that does not exist, and exits 2 without a directory', async () => {
    const missing = join(root, 'nope');
    const r = await checkStore(missing);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot stat ${missing} (ENOENT)`);
    const usage = await new Promise<number | null>((resolve) => {
      spawn(process.execPath, [requireAgentBundle(), 'check-store'], { stdio: 'ignore' }).on(
        'close',
        resolve,
      );
    });
    expect(usage).toBe(2);
  });
});
