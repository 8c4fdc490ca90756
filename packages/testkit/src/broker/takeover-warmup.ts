import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defaultCacheRoot } from './class-archive.js';
import { BrokerGroupError } from './errors.js';

/**
 * The takeover warm-up java agent (packages/agent/warmup): a waiting broker JVM rehearses the
 * takeover once on a scratch store, so that when it takes the real lock its recovery and start
 * code is loaded and compiled (figures in docs/benchmarks.md, "Takeover warm-up").
 * scripts/setup-takeover-warmup.sh builds it into the cache.
 */

/** Where scripts/setup-takeover-warmup.sh puts the jar (it may not exist). */
export function takeoverWarmupJar(cacheRoot: string = defaultCacheRoot()): string {
  return join(cacheRoot, 'warmup', 'takeover-warmup.jar');
}

/** The built jar; INVALID_OPTION with the command that builds it when there is none. */
export function requireTakeoverWarmupJar(cacheRoot: string = defaultCacheRoot()): string {
  const jar = takeoverWarmupJar(cacheRoot);
  if (!existsSync(jar)) {
    throw new BrokerGroupError(
      'INVALID_OPTION',
      `takeoverWarmup: ${jar} does not exist; build it with sh scripts/setup-takeover-warmup.sh (needs javac, see scripts/setup-javac.sh)`,
    );
  }
  return jar;
}

/**
 * The JVM flag that loads the agent. `rounds` is how many scratch recoveries it rehearses (the
 * agent's default 3 when omitted).
 */
export function takeoverWarmupFlag(jar: string, rounds?: number): string {
  if (rounds !== undefined && (!Number.isInteger(rounds) || rounds < 0 || rounds > 20)) {
    throw new BrokerGroupError(
      'INVALID_OPTION',
      `takeoverWarmup rounds: an integer from 0 to 20, got ${rounds}`,
    );
  }
  return `-javaagent:${jar}${rounds === undefined ? '' : `=rounds=${rounds}`}`;
}

/** The one line the agent prints to the JVM's stdout when it is done, whatever the outcome. */
export const WARMUP_DONE = /^activemq-ha takeover warm-up: (.*)$/m;

/** What the agent reported on the console `text`, or undefined while it has not finished. */
export function warmupOutcome(text: string): string | undefined {
  return WARMUP_DONE.exec(text)?.[1];
}
