import { constants } from 'node:fs';
import { access, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { AgentError } from './errors.js';

/** KahaDB's directory inside the shared store, as the manifests render activemq.xml. */
const KAHADB = 'kahadb';

export interface StoreCheckResult {
  readonly dir: string;
  /** What was proven, one line each. */
  readonly checks: readonly string[];
}

function who(): string {
  const groups = process.getgroups?.() ?? [];
  return `uid ${process.getuid?.()} gid ${process.getgid?.()}${groups.length ? ` (groups ${groups.join(',')})` : ''}`;
}

async function owner(path: string): Promise<string> {
  try {
    const s = await stat(path);
    return `owned by uid ${s.uid} gid ${s.gid}, mode ${(s.mode & 0o7777).toString(8).padStart(4, '0')}`;
  } catch (error) {
    return `(${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`;
  }
}

async function fail(path: string, what: string, error: unknown): Promise<never> {
  const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  throw new AgentError(
    'STORE_NOT_WRITABLE',
    `the broker store is not usable: cannot ${what} ${path} (${code}) as ${who()}; ${path} is ${await owner(path)}. ActiveMQ would log "locked by another server … slave mode" and wait forever. Let this uid write the store: chown it on the file server (or the PV), or set the pod's runAsUser/fsGroup to its owner.`,
    { cause: error },
  );
}

/**
 * Before the broker starts (an init container on the same mount and uid): can this uid create,
 * exclusively lock, write, sync, rename and delete a file in the store, and write every file
 * KahaDB already has there (its lock file first)? ActiveMQ reports an unwritable store as a lock
 * held by another server and waits forever; this fails at once and names the path and the uid.
 * The lock is an exclusive create (O_CREAT|O_EXCL, atomic on local file systems and NFSv3+): Node
 * has no fcntl(), so ActiveMQ's own POSIX lock is not exercised here.
 */
export async function checkStore(dir: string): Promise<StoreCheckResult> {
  const checks: string[] = [];
  const s = await stat(dir).catch((error: unknown) => fail(dir, 'stat', error));
  if (!s.isDirectory()) await fail(dir, 'use (not a directory)', new Error('ENOTDIR'));

  const probe = join(dir, `.activemq-ha-store-check.${hostname()}.${process.pid}`);
  const moved = `${probe}.renamed`;
  const payload = `activemq-ha store check ${new Date().toISOString()}\n`;
  const file = await open(probe, 'wx', 0o600).catch((error: unknown) =>
    fail(dir, 'create a file in', error),
  );
  try {
    await file.writeFile(payload);
    await file.sync();
  } catch (error) {
    await file.close();
    await rm(probe, { force: true });
    return fail(probe, 'write and sync', error);
  }
  await file.close();
  try {
    // The probe file is "locked": a second exclusive create must be refused.
    const again = await open(probe, 'wx').then(
      async (h) => {
        await h.close();
        return true;
      },
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'EEXIST') return false;
        throw error;
      },
    );
    if (again)
      await fail(probe, 'lock (a second exclusive create succeeded)', new Error('EEXIST missing'));
    checks.push(`created, exclusively locked, wrote and synced ${probe}`);
    await rename(probe, moved).catch((error: unknown) => fail(probe, 'rename', error));
    if ((await readFile(moved, 'utf8')) !== payload) {
      await fail(moved, 'read back', new Error('content differs'));
    }
    checks.push('renamed it and read it back');
  } finally {
    await rm(probe, { force: true });
    await rm(moved, { force: true }).catch((error: unknown) => fail(moved, 'delete', error));
  }
  checks.push('deleted it');

  const kahadb = join(dir, KAHADB);
  const entries = await readdir(kahadb).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    return fail(kahadb, 'list', error);
  });
  if (entries !== undefined) {
    await access(kahadb, constants.W_OK | constants.X_OK).catch((error: unknown) =>
      fail(kahadb, 'write in', error),
    );
    // The lock file first: ActiveMQ opens it read-write before anything else.
    const ordered = entries.includes('lock')
      ? ['lock', ...entries.filter((e) => e !== 'lock')]
      : entries;
    for (const entry of ordered) {
      const path = join(kahadb, entry);
      await access(path, constants.R_OK | constants.W_OK).catch((error: unknown) =>
        fail(path, 'open read-write', error),
      );
    }
    checks.push(`${kahadb}: every one of ${entries.length} existing files is writable`);
  }
  return { dir, checks };
}
