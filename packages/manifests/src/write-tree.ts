import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { CREDENTIAL_FILES } from './credentials.js';
import { ManifestsError } from './errors.js';
import type { FileTree } from './render-base.js';

export interface WriteTreeOptions {
  /** Overwrite files whose contents differ from the tree's. @default false */
  readonly force?: boolean;
  /** Paths (as in the tree) that may be overwritten without `force`, e.g. rotated credentials. @default [] */
  readonly replace?: readonly string[];
}

export interface WriteTreeResult {
  /** Paths (relative to the directory) created or replaced. */
  readonly written: readonly string[];
  /** Paths that already held exactly these contents. */
  readonly unchanged: readonly string[];
}

/** One file of a tree compared with what is on disk. */
export interface PlannedFile {
  readonly rel: string;
  readonly abs: string;
  readonly contents: string;
  /** The file's current contents; undefined when it does not exist. */
  readonly existing: string | undefined;
}

/** Compares `files` with what is under `dir`, without writing anything. */
export async function planTree(dir: string, files: FileTree): Promise<PlannedFile[]> {
  const plan: PlannedFile[] = [];
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
    plan.push({ rel, abs, contents, existing: await readIfExists(abs) });
  }
  return plan;
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
  const planned = await planTree(dir, files);
  const unchanged = planned.filter((f) => f.existing === f.contents).map((f) => f.rel);
  const plan = planned.filter((f) => f.existing !== f.contents);
  const conflicts = plan.filter(
    (f) => f.existing !== undefined && !options.force && !options.replace?.includes(f.rel),
  );
  if (conflicts.length > 0) {
    throw new ManifestsError(
      'FILE_CONFLICT',
      `${conflicts.length} file(s) under ${dir} differ from what would be written (${conflicts.map((f) => f.rel).join(', ')}); nothing was written. Move them away or force the overwrite.`,
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
