import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManifestsError } from './errors.js';
import { writeTree } from './write-tree.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'write-tree-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeTree', () => {
  it('writes nested files and reports unchanged ones on a second run', async () => {
    const files = { 'a.yaml': 'a\n', 'sub/b.yaml': 'b\n' };
    expect(await writeTree(dir, files)).toEqual({
      written: ['a.yaml', 'sub/b.yaml'],
      unchanged: [],
    });
    expect(await readFile(join(dir, 'sub/b.yaml'), 'utf8')).toBe('b\n');
    expect(await writeTree(dir, files)).toEqual({
      written: [],
      unchanged: ['a.yaml', 'sub/b.yaml'],
    });
  });

  it('refuses changed files without writing anything, unless forced', async () => {
    await writeFile(join(dir, 'a.yaml'), 'mine\n');
    const error = await writeTree(dir, { 'a.yaml': 'a\n', 'new.yaml': 'n\n' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ManifestsError);
    expect((error as ManifestsError).code).toBe('FILE_CONFLICT');
    expect((error as ManifestsError).message).toContain('a.yaml');
    expect(await readFile(join(dir, 'a.yaml'), 'utf8')).toBe('mine\n');
    await expect(stat(join(dir, 'new.yaml'))).rejects.toThrow();

    await writeTree(dir, { 'a.yaml': 'a\n' }, { force: true });
    expect(await readFile(join(dir, 'a.yaml'), 'utf8')).toBe('a\n');
  });

  it('writes credential files owner-only', async () => {
    await writeTree(dir, {
      'o/credentials.env': 'X=y\n',
      'o/jetty-realm.properties': 'u: p, admin\n',
      'o/k.yaml': 'k\n',
    });
    expect((await stat(join(dir, 'o/credentials.env'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'o/jetty-realm.properties'))).mode & 0o777).toBe(0o600);
  });

  it('never writes outside the directory', async () => {
    await expect(writeTree(dir, { '../escape.yaml': 'x' })).rejects.toThrow(ManifestsError);
    await expect(writeTree(dir, { '/etc/passwd': 'x' })).rejects.toThrow(ManifestsError);
  });
});
