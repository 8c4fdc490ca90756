import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  brokerRelease,
  locateActivemq,
  locateJava,
  webConsoleUnavailable,
} from './locate-activemq.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'locate-activemq-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fakeHome(withConf: boolean): Promise<string> {
  await mkdir(join(dir, 'bin'), { recursive: true });
  await mkdir(join(dir, 'lib'));
  if (withConf) await mkdir(join(dir, 'conf'));
  await writeFile(join(dir, 'bin', 'activemq.jar'), '');
  if (withConf) await writeFile(join(dir, 'lib', 'activemq-broker-6.1.8.jar'), '');
  return dir;
}

describe('locateActivemq', () => {
  it('accepts an Apache tarball layout', async () => {
    const home = await fakeHome(true);
    expect(locateActivemq(home)).toEqual({
      home,
      jar: join(home, 'bin', 'activemq.jar'),
      layout: 'apache',
      version: 'ACTIVEMQ_HOME',
      release: '6.1.8',
      webConsole: false,
      notServed: [],
    });
  });

  it('reports what a home assembled from served modules lacks, and why the console cannot run', async () => {
    const home = await fakeHome(true);
    await mkdir(join(home, '.activemq-ha', 'jetty-etc'), { recursive: true });
    await writeFile(
      join(home, '.activemq-ha', 'not-served.txt'),
      'org.apache.activemq:activemq-web:jar:6.3.1 lib/: JettyServerBean\n' +
        'org.apache.activemq:activemq-web-console:war:6.3.1 webapps/admin\n' +
        'org.apache.activemq:activemq-http:jar:6.3.1 lib/optional\n',
    );
    const found = locateActivemq(home);
    expect(found.notServed).toHaveLength(3);
    expect(found.jettyEtcDir).toBe(join(home, '.activemq-ha', 'jetty-etc'));
    expect(webConsoleUnavailable(found)).toBe(
      'not served by Maven Central: org.apache.activemq:activemq-web:jar:6.3.1, org.apache.activemq:activemq-web-console:war:6.3.1',
    );
    expect(webConsoleUnavailable({ ...found, layout: 'debian' })).toMatch(/Debian/);
    expect(webConsoleUnavailable({ ...found, webConsole: true })).toBeUndefined();
  });

  it("reads the release from lib/activemq-broker-<release>.jar, else Debian's 5.17.2", async () => {
    expect(brokerRelease(['slf4j-api-2.0.17.jar', 'activemq-broker-5.18.3.jar'])).toBe('5.18.3');
    expect(brokerRelease(['activemq-broker.jar'])).toBeUndefined();
    expect(locateActivemq(await fakeHome(false)).release).toBe('5.17.2');
  });

  it('tells a Debian-style home (no conf/) apart', async () => {
    expect(locateActivemq(await fakeHome(false)).layout).toBe('debian');
  });

  it('rejects a home without bin/activemq.jar, saying how to install ActiveMQ', () => {
    expect(() => locateActivemq(dir)).toThrow(
      expect.objectContaining({
        code: 'ACTIVEMQ_NOT_FOUND',
        message: expect.stringMatching(/bin\/activemq\.jar.*apt-get install activemq/s),
      }),
    );
  });
});

describe('locateJava', () => {
  it('uses JAVA_HOME/bin/java when it is executable', async () => {
    await mkdir(join(dir, 'bin'));
    await writeFile(join(dir, 'bin', 'java'), '#!/bin/sh\n');
    await chmod(join(dir, 'bin', 'java'), 0o755);
    expect(locateJava(dir)).toBe(join(dir, 'bin', 'java'));
  });

  it('rejects a JAVA_HOME without java, saying how to install one', () => {
    expect(() => locateJava(dir)).toThrow(
      expect.objectContaining({
        code: 'JAVA_NOT_FOUND',
        message: expect.stringContaining('default-jre-headless'),
      }),
    );
  });
});
