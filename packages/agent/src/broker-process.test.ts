import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findBrokerJvm } from './broker-process.js';

let proc: string;
beforeEach(async () => {
  proc = await mkdtemp(join(tmpdir(), 'fake-proc-'));
  await writeFile(join(proc, 'stat'), 'cpu  1 2 3\nbtime 1796160000\nprocesses 9\n');
});
afterEach(async () => {
  await rm(proc, { recursive: true, force: true });
});

async function process_(pid: number, args: string[], startTicks: number): Promise<void> {
  await mkdir(join(proc, String(pid)));
  await writeFile(join(proc, String(pid), 'cmdline'), `${args.join('\0')}\0`);
  // The command name may contain spaces and parentheses; fields count after the last ")".
  const rest = ['S', ...Array.from({ length: 18 }, () => '0'), String(startTicks), '0'];
  await writeFile(join(proc, String(pid), 'stat'), `${pid} (java (x) y) ${rest.join(' ')}\n`);
}

describe('findBrokerJvm', () => {
  it('finds the process with a matching argument and its start time from btime + ticks', async () => {
    await process_(7, ['/pause'], 10);
    await process_(
      42,
      ['java', '-Xmx1g', '-jar', '/opt/apache-activemq/bin/activemq.jar', 'start'],
      250,
    );
    await mkdir(join(proc, 'self'));
    expect(await findBrokerJvm('activemq.jar', proc)).toEqual({
      pid: 42,
      startedAtMs: 1796160000 * 1000 + 2500,
    });
  });

  it('is undefined when no process matches (the JVM is gone)', async () => {
    await process_(7, ['/pause'], 10);
    expect(await findBrokerJvm('activemq.jar', proc)).toBeUndefined();
  });
});
