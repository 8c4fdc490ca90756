import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderBase, writeTree } from '@activemq-ha/manifests';
import { describe, expect, it } from 'vitest';

/** The golden and regression bases use a ReadWriteMany storage class (a storage choice is required). */
const STORE = { storage: { storageClassName: 'nfs-csi' } } as const;

/** Golden files of the default base. Refresh with UPDATE_GOLDEN=1 after an intended change. */
const GOLDEN = fileURLToPath(new URL('./__golden__/base', import.meta.url));

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

describe('default base', () => {
  it('is deterministic', () => {
    expect(renderBase(STORE)).toEqual(renderBase({ ...STORE }));
  });

  it('matches the golden files', async () => {
    const files = renderBase(STORE);
    if (process.env.UPDATE_GOLDEN) await writeTree(GOLDEN, files, { force: true });
    expect(await listFiles(GOLDEN)).toEqual(Object.keys(files).sort());
    for (const [path, contents] of Object.entries(files)) {
      expect(contents, path).toBe(await readFile(join(GOLDEN, path), 'utf8'));
    }
  });
});
