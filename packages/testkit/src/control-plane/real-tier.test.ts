// scripts/test.sh runs the files of scripts/real-tier.txt only after the control-plane build is
// done (.ci/run builds it in the background during the host-network tier). A test file that
// starts a real control plane but is missing from the list would run before the binaries exist.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** What starts a real kube-apiserver from a test file. */
const NEEDS_CONTROL_PLANE = /\bstartControlPlane\b|\blocateControlPlaneBinaries\b|'real'/;

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : testFiles(path);
    return e.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('scripts/real-tier.txt', () => {
  const listed = readFileSync(join(ROOT, 'scripts', 'real-tier.txt'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));

  it('lists every integration test file that starts a real control plane', () => {
    const packages = readdirSync(join(ROOT, 'packages'));
    const needing = packages
      .flatMap((p) => {
        try {
          return testFiles(join(ROOT, 'packages', p, 'test'));
        } catch {
          return [];
        }
      })
      .filter((f) => NEEDS_CONTROL_PLANE.test(readFileSync(f, 'utf8')))
      .map((f) => relative(ROOT, f));
    expect(needing.length).toBeGreaterThan(0);
    expect(needing.filter((f) => !listed.includes(f))).toEqual([]);
  });

  it('lists only files that exist', () => {
    for (const f of listed) expect(() => readFileSync(join(ROOT, f)), f).not.toThrow();
  });
});
