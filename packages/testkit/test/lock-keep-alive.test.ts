import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type BrokerGroup, pollUntil, startBrokerGroup } from '@activemq-ha/testkit';
import { afterEach, beforeEach, describe, expect, it, onTestFailed } from 'vitest';

// The shortened keep-alive of the default takeover profile must still stop a master that lost
// its lock. What the keep-alive checks (LockFile.keepAlive in activemq-broker): the JVM's lock
// object is valid and the lock file is still there with the modification time it had when the
// lock was taken. A broker that takes the lock writes its timestamp into the file (LockFile.lock),
// so another node winning the lock — e.g. after an NFS server forgot the old lease — changes the
// file's modification time; a deleted or replaced file is what an operator's or a bad volume's
// mistake looks like. Either way the master must log that it gives up and stop serving.

const GIVE_UP = /no longer able to keep the exclusive lock so giving up being a master/;
const BOUND_MS = 30_000;

const until = <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> =>
  pollUntil(
    probe,
    { timeoutMs: BOUND_MS, intervalMs: 20 },
    () => new Error(`${what} within ${BOUND_MS} ms`),
  );

describe('lock keep-alive of the default takeover profile', () => {
  let group: BrokerGroup;
  beforeEach(async () => {
    group = await startBrokerGroup({ size: 2 });
  });
  afterEach(async () => {
    await group.stop();
  });

  const lockFile = () => join(group.sharedDataDir, 'kahadb', 'lock');
  const log = (id: string) => readFileSync(group.broker(id).logFile, 'utf8');

  /** Waits until the master gave up and the other broker alone serves; never two at once. */
  async function expectHandOver(): Promise<void> {
    await until('broker-0 to give up its lock', async () =>
      GIVE_UP.test(log('broker-0')) ? true : undefined,
    );
    // active() throws SPLIT_BRAIN whenever both accept connections.
    const next = await until('broker-1 to serve alone', async () => {
      const active = await group.active();
      return active?.id === 'broker-1' ? active : undefined;
    });
    expect(next.id).toBe('broker-1');
  }

  it('stops the master when another node rewrites the lock file (a lock taken behind its back)', async () => {
    onTestFailed(group.dumpLogs);
    expect((await group.active())?.id).toBe('broker-0');
    // What LockFile.lock() does on winning: write the time into the file, so its mtime moves on.
    await writeFile(lockFile(), Buffer.alloc(8, 1));
    await expectHandOver();
  });

  it('stops the master when its lock file is deleted', async () => {
    onTestFailed(group.dumpLogs);
    expect((await group.active())?.id).toBe('broker-0');
    await rm(lockFile());
    await expectHandOver();
  });
});
