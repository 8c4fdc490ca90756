import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { CREDENTIAL_FILES } from './credentials.js';
import { ManifestsError } from './errors.js';
import type { FileTree } from './render-base.js';

export interface WriteTreeOptions {
  /** Overwrite files whose contents differ from the tree's. @default false */
  readonly force?: boolean;
}

export interface WriteTreeResult {
  /** Paths (relative to the directory) created or replaced. */
  readonly written: readonly string[];
  /** Paths that already held exactly these contents. */
  readonly unchanged: readonly string[];
}

/**
 * Writes `files` under `dir`. Checks every file before writing any: if one exists with other
 * contents and `force` is off, nothing is written and a `FILE_CONFLICT` error lists them all.
 * Credential files (`credentials.env`, `jetty-realm.properties`) are written owner-only (0600).
 */
export async function writeTree(
  dir: string,
  files: FileTree,
  options: WriteTreeOptions = {},
): Promise<WriteTreeResult> {
  const plan: { rel: string; abs: string; contents: string }[] = [];
  const conflicts: string[] = [];
  const unchanged: string[] = [];
  for (const [rel, contents] of Object.entries(files)) {
    const clean = normalize(rel);
    if (isAbsolute(rel) || clean.startsWith(`..${sep}`) || clean === '..') {
      throw new ManifestsError(
        'INVALID_OPTION',
        `files: "${rel}" must stay inside ${dir}`,
        'files',
      );
    }
    const abs = join(dir, clean);
    const existing = await readIfExists(abs);
    if (existing === contents) unchanged.push(rel);
    else {
      if (existing !== undefined && !options.force) conflicts.push(rel);
      plan.push({ rel, abs, contents });
    }
  }
  if (conflicts.length > 0) {
    throw new ManifestsError(
      'FILE_CONFLICT',
      `${conflicts.length} file(s) under ${dir} differ from what would be written (${conflicts.join(', ')}); nothing was written. Move them away or force the overwrite.`,
    );
  }
  for (const file of plan) {
    await mkdir(dirname(file.abs), { recursive: true });
    const mode = (CREDENTIAL_FILES as readonly string[]).includes(basename(file.abs))
      ? 0o600
      : 0o644;
    // Write beside the target, then rename: a crash never leaves a half-written manifest.
    const tmp = `${file.abs}.${process.pid}.tmp`;
    await writeFile(tmp, file.contents, { mode, flag: 'wx' });
    await rename(tmp, file.abs);
  }
  return { written: plan.map((f) => f.rel), unchanged };
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
