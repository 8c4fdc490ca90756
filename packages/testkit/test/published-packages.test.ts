import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type BrokerGroup, startBrokerGroup } from '@activemq-ha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * What a user gets from `npm install`: the tarballs of the release dry run (`pnpm release:pack`),
 * installed with plain npm into a scratch project that knows nothing of the workspace — no
 * `workspace:*` left, LICENSE and NOTICE inside, the client usable from both module systems
 * against a real broker, both CLIs runnable from node_modules/.bin.
 */
const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const KUBECTL = '/usr/bin/kubectl';
const VERSION = (
  JSON.parse(await readFile(join(ROOT, 'packages/client/package.json'), 'utf8')) as {
    version: string;
  }
).version;

describe('the published tarballs, installed with plain npm', () => {
  let scratch = '';
  let tarballs: string[] = [];
  let group: BrokerGroup<'stomp'> | undefined;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'amqha-npm-'));
    const out = join(scratch, 'tarballs');
    // The workspace build already ran (scripts/test.sh builds first): pack what it produced.
    const packed = await run(process.execPath, [
      join(ROOT, 'scripts/release/pack.mjs'),
      '--no-build',
      '--out',
      out,
    ]);
    tarballs = packed.stdout.trim().split('\n');
    const app = join(scratch, 'app');
    await run('mkdir', ['-p', app]);
    await writeFile(
      join(app, 'package.json'),
      JSON.stringify({ name: 'scratch-app', version: '1.0.0', private: true }),
    );
    await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs], {
      cwd: app,
      timeout: 240_000,
    });
    group = await startBrokerGroup({ size: 1, protocols: ['stomp'] });
  }, 300_000);

  afterAll(async () => {
    await group?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  const app = () => join(scratch, 'app');
  const bin = (name: string) => join(app(), 'node_modules', '.bin', name);

  it('packs every public package with its LICENSE and NOTICE and real dependency versions', async () => {
    const names = tarballs.map((t) => t.split('/').pop());
    expect(names).toEqual(
      expect.arrayContaining([
        `activemq-ha-agent-${VERSION}.tgz`,
        `activemq-ha-client-${VERSION}.tgz`,
        `activemq-ha-core-${VERSION}.tgz`,
        `activemq-ha-manifests-${VERSION}.tgz`,
        `activemq-ha-openwire-${VERSION}.tgz`,
      ]),
    );
    for (const name of ['agent', 'client', 'core', 'manifests', 'openwire']) {
      const dir = join(app(), 'node_modules', '@activemq-ha', name);
      const pkg = await readFile(join(dir, 'package.json'), 'utf8');
      expect(pkg, name).not.toContain('workspace:');
      expect(await readFile(join(dir, 'LICENSE'), 'utf8')).toContain('Apache License');
      expect(await readFile(join(dir, 'NOTICE'), 'utf8')).toContain('activemq-ha');
    }
  });

  it('bundles the private policy package into core and client, code and types', async () => {
    expect(tarballs.some((t) => t.includes('policy'))).toBe(false);
    for (const name of ['core', 'client']) {
      const dir = join(app(), 'node_modules', '@activemq-ha', name);
      for (const file of ['package.json', 'dist/index.js', 'dist/index.d.ts']) {
        expect(await readFile(join(dir, file), 'utf8'), `${name}/${file}`).not.toContain(
          '@activemq-ha/policy',
        );
      }
    }
  });

  it('installs the agent as a plain bin without a bundled copy of its dependencies', async () => {
    const dir = join(app(), 'node_modules', '@activemq-ha', 'agent', 'dist');
    await expect(readFile(join(dir, 'agent.js'))).rejects.toMatchObject({ code: 'ENOENT' });
    const version = await run(bin('activemq-ha-agent'), ['--version']);
    expect(version.stdout.trim()).toBe(VERSION);
    const help = await run(bin('activemq-ha-agent'), ['--help']);
    expect(help.stdout).toMatch(/--pod-name\s+POD_NAME/);
  });

  // The same program twice: once as ESM (`import`), once as CommonJS (`require()` of the ESM-only
  // package, which Node ≥ 22.12 supports and our engines range guarantees).
  const program = (loader: 'import' | 'require', url: string) => `
    ${
      loader === 'import'
        ? "import { createClient, servers } from '@activemq-ha/client';"
        : "const { createClient, servers } = require('@activemq-ha/client');"
    }
    (async () => {
      const client = createClient({ discovery: servers(['${url}']) });
      const received = new Promise((resolve) => {
        client.subscribe('/queue/npm-${loader}', (m) => { resolve(m.text()); });
      });
      const { messageId } = await client.send('/queue/npm-${loader}', 'hello from ${loader}');
      const text = await received;
      await client.close();
      console.log(JSON.stringify({ messageId, text }));
    })().catch((e) => { console.error(e); process.exit(1); });
  `;

  it.each(['import', 'require'] as const)(
    'runs the client against a real broker from %s',
    async (loader) => {
      const broker = group!.brokers[0]!;
      const file = join(app(), loader === 'import' ? `${loader}.mjs` : `${loader}.cjs`);
      await writeFile(file, program(loader, `stomp://${broker.host}:${broker.ports.stomp}`));
      const r = await run(process.execPath, [file], { cwd: app(), timeout: 60_000 });
      const result = JSON.parse(r.stdout.trim()) as { messageId: string; text: string };
      expect(result.text).toBe(`hello from ${loader}`);
      expect(result.messageId).toBeTruthy();
    },
  );

  it('writes a tree with the manifests CLI that kubectl kustomize builds', async () => {
    const target = join(scratch, 'deploy');
    await run(bin('activemq-ha-manifests'), [
      'init',
      target,
      '--namespace',
      'mq',
      '--nfs-server',
      'nfs.example.com',
      '--nfs-path',
      '/mq',
    ]);
    const built = await run(KUBECTL, ['kustomize', join(target, 'overlays', 'example')], {
      maxBuffer: 16 * 1024 * 1024,
    });
    expect(built.stdout).toContain('kind: Deployment');
    expect(built.stdout).toContain(`ghcr.io/activemq-ha/agent:${VERSION}`);
  });
});
