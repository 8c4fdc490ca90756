import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { brokerCommand } from './broker-command.js';
import { brokerPaths, writeBrokerFiles } from './broker-files.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'broker-files-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeBrokerFiles', () => {
  it('renders the shared template with loopback ports and the shared store', async () => {
    const paths = brokerPaths(dir, 'broker-1');
    await writeBrokerFiles(
      paths,
      { lockAcquireSleepIntervalMs: 1000, lockKeepAlivePeriodMs: 500 },
      '127.0.0.1',
      { openwire: 20001, stomp: 20002 },
    );
    const xml = await readFile(paths.configFile, 'utf8');
    expect(xml).toContain('uri="tcp://127.0.0.1:20001?');
    expect(xml).toContain('uri="stomp://127.0.0.1:20002?');
    expect(xml).toContain(
      `<kahaDB directory="${join(dir, 'shared')}/kahadb" lockKeepAlivePeriod="500"`,
    );
    expect(xml).toContain('lockAcquireSleepInterval="1000"');
    expect(paths.sharedDataDir).toBe(brokerPaths(dir, 'broker-0').sharedDataDir);
  });

  it('writes log4j 1.2 and log4j2 configs that log to the broker own file', async () => {
    const paths = brokerPaths(dir, 'broker-0');
    await writeBrokerFiles(paths, {}, '127.0.0.1', { stomp: 20003 });
    const v1 = await readFile(join(paths.confDir, 'log4j.properties'), 'utf8');
    const v2 = await readFile(join(paths.confDir, 'log4j2.properties'), 'utf8');
    expect(v1).toContain(`log4j.appender.logfile.File=${paths.logFile}`);
    expect(v2).toContain(`appender.logfile.fileName=${paths.logFile}`);
  });

  it('rejects a keep-alive that is not below the acquire interval (checked by the template)', async () => {
    await expect(
      writeBrokerFiles(
        brokerPaths(dir, 'broker-0'),
        { lockAcquireSleepIntervalMs: 500, lockKeepAlivePeriodMs: 500 },
        '127.0.0.1',
        { stomp: 20004 },
      ),
    ).rejects.toMatchObject({ code: 'INVALID_OPTION', field: 'lockKeepAlivePeriodMs' });
  });
});

describe('brokerCommand', () => {
  const activemq = {
    home: '/opt/activemq',
    jar: '/opt/activemq/bin/activemq.jar',
    layout: 'apache' as const,
    version: '6.1.8',
    release: '6.1.8',
    webConsole: true,
    notServed: [],
  };

  it('runs activemq.jar with per-broker ActiveMQ properties and small-machine JVM flags', () => {
    const paths = brokerPaths(dir, 'broker-0');
    const { args } = brokerCommand('/usr/bin/java', activemq, paths, {
      heapMb: 128,
      extraJvmArgs: ['-Dextra=1'],
    });
    expect(args).toEqual(
      expect.arrayContaining([
        '-Xmx128m',
        '-XX:+UseSerialGC',
        '-XX:TieredStopAtLevel=1',
        '-Djava.security.egd=file:/dev/./urandom',
        '-Dactivemq.home=/opt/activemq',
        `-Dactivemq.base=${paths.dir}`,
        `-Dactivemq.conf=${paths.confDir}`,
        `-Dactivemq.data=${paths.dataDir}`,
        '-Dextra=1',
      ]),
    );
    expect(args.slice(-4)).toEqual([
      '-jar',
      '/opt/activemq/bin/activemq.jar',
      'start',
      `xbean:file:${paths.configFile}`,
    ]);
  });

  it('maps a class archive only when given one', () => {
    const paths = brokerPaths(dir, 'broker-0');
    const without = brokerCommand('/usr/bin/java', activemq, paths).args;
    expect(without.some((a) => a.startsWith('-XX:SharedArchiveFile'))).toBe(false);
    const withArchive = brokerCommand('/usr/bin/java', activemq, paths, {
      classArchive: '/cache/cds/a.jsa',
    }).args;
    expect(withArchive).toContain('-XX:SharedArchiveFile=/cache/cds/a.jsa');
  });

  it('loads the takeover warm-up agent only when asked, before the user flags and -jar', () => {
    const paths = brokerPaths('/tmp/g', 'broker-0');
    const without = brokerCommand('/usr/bin/java', activemq, paths).args;
    expect(without.some((a) => a.startsWith('-javaagent:'))).toBe(false);
    const args = brokerCommand('/usr/bin/java', activemq, paths, {
      takeoverWarmupFlag: '-javaagent:/c/warmup/takeover-warmup.jar',
      extraJvmArgs: ['-Dx=1'],
    }).args;
    const agent = args.indexOf('-javaagent:/c/warmup/takeover-warmup.jar');
    expect(agent).toBeGreaterThan(-1);
    expect(agent).toBeLessThan(args.indexOf('-Dx=1'));
    expect(agent).toBeLessThan(args.indexOf('-jar'));
  });
});
