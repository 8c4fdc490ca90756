// The release dry run: builds every package and writes the tarballs `pnpm publish` would upload
// into one folder (default .release/), with `workspace:*` rewritten to real versions by pnpm.
// Usage: node scripts/release/pack.mjs [--out DIR] [--no-build]; prints one tarball path a line.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { values } = parseArgs({
  options: {
    out: { type: 'string', default: join(root, '.release') },
    'no-build': { type: 'boolean' },
  },
});
const out = resolve(values.out);

/** Every workspace package that is not private: what a release publishes. */
function publishedPackages() {
  return readdirSync(join(root, 'packages'))
    .map((dir) => ({
      dir: join(root, 'packages', dir),
      pkg: readPackage(join(root, 'packages', dir)),
    }))
    .filter(({ pkg }) => pkg !== undefined && pkg.private !== true);
}

function readPackage(dir) {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] });

if (!values['no-build']) run('pnpm', ['-s', 'build'], root);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const { dir } of publishedPackages()) {
  run('pnpm', ['pack', '--pack-destination', out], dir);
}
for (const file of readdirSync(out).sort()) process.stdout.write(`${join(out, file)}\n`);
