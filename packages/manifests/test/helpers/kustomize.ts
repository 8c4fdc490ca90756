import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FileTree, KubeObject } from '@activemq-ha/manifests';
import { writeTree } from '@activemq-ha/manifests';
import { parseAllDocuments } from 'yaml';

const run = promisify(execFile);
export const KUBECTL = '/usr/bin/kubectl';

/** `kubectl kustomize <dir>`, parsed into objects (YAML 1.1, as kustomize writes it). */
export async function kustomize(dir: string): Promise<KubeObject[]> {
  const { stdout } = await run(KUBECTL, ['kustomize', dir], {
    maxBuffer: 16 * 1024 * 1024,
    timeout: 60_000,
  });
  return parseAllDocuments(stdout, { version: '1.1' }).map((d) => {
    if (d.errors.length > 0) throw d.errors[0];
    return d.toJS() as KubeObject;
  });
}

/** A temporary directory removed on dispose, also when the test fails. */
export async function tempDir(): Promise<AsyncDisposable & { path: string }> {
  const path = await mkdtemp(join(tmpdir(), 'activemq-ha-manifests-'));
  return { path, [Symbol.asyncDispose]: () => rm(path, { recursive: true, force: true }) };
}

/** Writes base/ and overlays/test/ under `dir` and builds the overlay with the real kustomize. */
export async function buildTree(
  dir: string,
  base: FileTree,
  overlay: FileTree,
): Promise<KubeObject[]> {
  await writeTree(join(dir, 'base'), base);
  await writeTree(join(dir, 'overlays', 'test'), overlay);
  return kustomize(join(dir, 'overlays', 'test'));
}
