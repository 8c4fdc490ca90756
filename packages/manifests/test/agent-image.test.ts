import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { imageNodeFlags } from '@activemq-ha/testkit';
import { describe, expect, it } from 'vitest';

/**
 * The agent image, built here the way packages/agent/Dockerfile's final stage is: FROM scratch
 * (this machine cannot run containers, so no RUN step), the exact bundle `pnpm build` makes, and a
 * base assembled from the host's Node binary plus the shared libraries `ldd` names (what the
 * distroless nodejs base provides). Daemonless with Debian's buildah, in a private vfs store.
 */
const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const BUNDLE = join(ROOT, 'packages/agent/dist/agent.js');
const BUILDAH = ['/usr/bin/buildah', '/usr/local/bin/buildah'].find((p) => existsSync(p));
/** The Dockerfile's ENTRYPOINT: node, its flags (--lite-mode, heap sizes), the bundle. */
const ENTRYPOINT = ['/nodejs/bin/node', ...imageNodeFlags(BUNDLE), '/app/agent.js'];

describe('agent image', () => {
  it.skipIf(!BUILDAH)(
    'builds FROM scratch with buildah: non-root user, exec entrypoint, no shell, and the entrypoint runs (skipped without buildah: apt-get install buildah)',
    async () => {
      await run(
        'pnpm',
        ['--filter', '@activemq-ha/core', '--filter', '@activemq-ha/agent', 'build'],
        {
          cwd: ROOT,
          timeout: 300_000,
        },
      );
      const dir = await mkdtemp(join(tmpdir(), 'activemq-ha-image-'));
      const buildah = (...args: string[]) =>
        run(
          BUILDAH as string,
          [
            '--root',
            join(dir, 'storage'),
            '--runroot',
            join(dir, 'run'),
            '--storage-driver',
            'vfs',
            ...args,
          ],
          { maxBuffer: 16 * 1024 * 1024, timeout: 300_000 },
        );
      try {
        const rootfs = join(dir, 'rootfs');
        const node = process.execPath;
        const libraries = [
          ...(await run('ldd', [node])).stdout.matchAll(/(\/\S+\.so[.\d]*) \(/g),
        ].map((m) => m[1] as string);
        expect(libraries.length).toBeGreaterThan(0);
        const place = async (from: string, to: string) => {
          await mkdir(dirname(join(rootfs, to)), { recursive: true });
          await copyFile(from, join(rootfs, to));
        };
        await place(node, '/nodejs/bin/node');
        for (const lib of libraries) await place(lib, lib);
        await place(BUNDLE, '/app/agent.js');

        const container = (await buildah('from', 'scratch')).stdout.trim();
        await buildah('copy', container, rootfs, '/');
        await buildah(
          'config',
          '--user',
          '65532:65532',
          '--entrypoint',
          JSON.stringify(ENTRYPOINT),
          '--port',
          '8080',
          container,
        );
        await buildah('commit', '-q', container, 'localhost/activemq-ha/agent:test');
        const image = JSON.parse(
          (await buildah('inspect', '--type', 'image', 'localhost/activemq-ha/agent:test')).stdout,
        ) as {
          OCIv1: { config: { User?: string; Entrypoint?: string[]; Cmd?: string[] } };
        };
        expect(image.OCIv1.config.User).toBe('65532:65532');
        expect(image.OCIv1.config.Entrypoint).toEqual(ENTRYPOINT);
        // Nothing but Node, its libraries and the bundle went in: no shell, no package manager.
        for (const shell of ['bin/sh', 'bin/bash', 'usr/bin/sh'])
          expect(existsSync(join(rootfs, shell))).toBe(false);

        // The entrypoint, with the image's own loader and libraries rather than the host's.
        const loader = libraries.find((l) => l.includes('ld-linux')) as string;
        const libDirs = [...new Set(libraries.map((l) => join(rootfs, dirname(l))))].join(':');
        const help = await run(join(rootfs, loader), [
          '--library-path',
          libDirs,
          join(rootfs, 'nodejs/bin/node'),
          ...ENTRYPOINT.slice(1, -1), // the image's node flags must be ones this node takes
          join(rootfs, 'app/agent.js'),
          '--help',
        ]);
        expect(help.stdout).toContain('Usage: activemq-ha-agent');
      } finally {
        await buildah('rm', '--all').catch(() => undefined);
        await rm(dir, { recursive: true, force: true });
      }
    },
    // A workspace build plus copying ~120 MB into a vfs store, on a loaded 2-core machine.
    600_000,
  );
});
