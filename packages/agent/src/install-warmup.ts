import { copyFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AgentError } from './errors.js';

/** The jar's name, beside the bundle in the image (/app) and in the target directory. */
export const WARMUP_JAR = 'takeover-warmup.jar';

/**
 * `install-warmup <dir>`, the broker pod's init container: copies the takeover warm-up java agent
 * (packages/agent/warmup, built into the agent image beside the bundle) into `dir`, the emptyDir
 * the broker container mounts read-only and loads with `-javaagent:`. The broker image stays the
 * official one. Written under a temporary name and renamed: the JVM never sees half a jar.
 */
export async function installWarmup(
  dir: string,
  source: string = join(dirname(process.argv[1] ?? '.'), WARMUP_JAR),
): Promise<string> {
  const target = join(dir, WARMUP_JAR);
  const partial = `${target}.partial`;
  try {
    await copyFile(source, partial);
    await rename(partial, target);
  } catch (error) {
    await rm(partial, { force: true });
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new AgentError(
      'WARMUP_INSTALL_FAILED',
      `cannot copy the takeover warm-up agent ${source} to ${target} (${code}); the agent image ships it beside agent.js, and ${dir} must be a writable emptyDir`,
      { cause: error },
    );
  }
  return target;
}
