import { formatSoakReport, runSoak, soakEnv } from '@activemq-ha/testkit';
import { describe, expect, it } from 'vitest';
import { requireAgentBundle } from './agent-entrypoint.js';

// Randomized faults under continuous load. The seed is fixed so every CI run draws the same fault
// sequence (a test must be repeatable); SOAK_SEED=<seed> tries another one, SOAK_FAULTS=<n>
// changes the length. `pnpm bench:soak` runs it longer, from fresh seeds, with figures.
const FIXED_SEED = 20_261_126;
const env = soakEnv(process.env);
const seed = env.seed ?? FIXED_SEED;
const faults = env.faults ?? 20;
const CONVERGENCE_BOUND_MS = 15_000;

describe('chaos soak', () => {
  it(
    `keeps labels, routing and messages right through ${faults} random faults (seed ${seed})`,
    async () => {
      process.stdout.write(
        `chaos soak: ${faults} faults, seed ${seed} (replay: SOAK_SEED=${seed})\n`,
      );
      const result = await runSoak({
        agentEntrypoint: requireAgentBundle(),
        faults,
        seed,
        ratePerSecond: 50,
        convergenceBoundMs: CONVERGENCE_BOUND_MS,
        overlapBoundMs: 2000,
        log: (line) => process.stdout.write(`${line}\n`),
      });
      process.stdout.write(`${formatSoakReport(result)}\n`);

      expect(result.violations, `replay with SOAK_SEED=${seed}`).toEqual([]);
      expect(result.rounds).toHaveLength(faults);
      expect(result.totals.lost).toBe(0);
      expect(result.totals.duplicates).toBe(0);
      expect(result.totals.confirmed).toBeGreaterThan(0);
      for (const round of result.rounds) {
        expect(round.convergedAfterClearMs).toBeLessThan(CONVERGENCE_BOUND_MS);
      }
      for (const overlap of result.overlaps) {
        expect(overlap.durationMs, `${overlap.pods.join(' and ')} both leader`).toBeDefined();
        expect(overlap.durationMs).toBeLessThan(2000);
      }
    },
    // A broker-killing round restarts a JVM: about 10 s each on 2 shared cores, plus start-up.
    120_000 + faults * 20_000,
  );
});
