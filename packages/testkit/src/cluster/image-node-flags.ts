import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The node flags of an exec-form `ENTRYPOINT ["node", flags..., script]`: what the image runs its
 * bundle with. Pure; throws when there is no such ENTRYPOINT, so a Dockerfile edit that moves the
 * flags elsewhere fails loudly instead of silently running the tests' agents without them.
 */
export function entrypointNodeFlags(dockerfile: string): string[] {
  const line = dockerfile
    .split('\n')
    .reverse() // the last ENTRYPOINT is the image's
    .find((l) => /^\s*ENTRYPOINT\s*\[/.test(l));
  if (!line) throw new Error('no exec-form ENTRYPOINT ["node", ...] in the Dockerfile');
  const argv: unknown = JSON.parse(line.replace(/^\s*ENTRYPOINT\s*/, ''));
  if (!Array.isArray(argv) || !argv.every((a) => typeof a === 'string') || argv.length < 2) {
    throw new Error(`ENTRYPOINT is not ["node", ..., script]: ${line.trim()}`);
  }
  const flags: string[] = [];
  for (const arg of argv.slice(1) as string[]) {
    if (!arg.startsWith('-')) break;
    flags.push(arg);
  }
  return flags;
}

/**
 * The node flags the agent image runs `bundle` with, read from the Dockerfile of the bundle's
 * package (`packages/agent/Dockerfile` for `packages/agent/dist/agent.js`), so that agents in
 * tests and benchmarks run, and are measured, as deployed. None for a bundle without one.
 */
export function imageNodeFlags(bundle: string): string[] {
  const dockerfile = join(dirname(bundle), '..', 'Dockerfile');
  return existsSync(dockerfile) ? entrypointNodeFlags(readFileSync(dockerfile, 'utf8')) : [];
}
