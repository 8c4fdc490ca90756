import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentError } from './errors.js';
import { installWarmup } from './install-warmup.js';

describe('installWarmup', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'install-warmup-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('copies the jar into the directory under its own name', async () => {
    const source = join(dir, 'source.jar');
    await writeFile(source, 'PK jar bytes');
    const target = await installWarmup(dir, source);
    expect(target).toBe(join(dir, 'takeover-warmup.jar'));
    expect(await readFile(target, 'utf8')).toBe('PK jar bytes');
  });

  it('names the source, the target and the fix when it cannot copy, leaving no partial file', async () => {
    const missing = join(dir, 'missing.jar');
    const err = await installWarmup(dir, missing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AgentError);
    expect((err as AgentError).code).toBe('WARMUP_INSTALL_FAILED');
    expect((err as Error).message).toContain(missing);
    expect((err as Error).message).toContain('ENOENT');
    expect(await readdir(dir)).toEqual([]);
  });
});
