import type { HaClusterApi } from '../cluster/ha-cluster.js';
import { SoakError } from './errors.js';
import type { FaultPickerOptions } from './fault-picker.js';
import { SeededRandom } from './seeded-random.js';

export interface SoakOptions {
  /** Path of the agent bundle (`packages/agent/dist/agent.js`). */
  readonly agentEntrypoint: string;
  /** Faults to inject. @default 20 */
  readonly faults?: number;
  /** PRNG seed of the fault sequence; print it, replay with it. @default a fresh random seed */
  readonly seed?: number;
  /** Messages per second the producer sends. @default 50 */
  readonly ratePerSecond?: number;
  /** Fault lifted → every label and the Service's routing agree with the serving broker. @default 15000 */
  readonly convergenceBoundMs?: number;
  /** Longest span with two `leader=yes` pods (the fencing step). @default 2000 */
  readonly overlapBoundMs?: number;
  /** Bounded wait for the consumer to receive every confirmed message at the end. @default 30000 */
  readonly drainMs?: number;
  /** Kinds, weights and parameter ranges of the faults. @default see FaultPicker */
  readonly picker?: FaultPickerOptions;
  /**
   * `'real'`: a real kube-apiserver + kube-controller-manager (run inside scripts/pod-network.sh
   * so the clients reach the pod IPs); the API faults (outages, watch cuts) are the emulator's
   * and are left out there. @default 'emulator'
   */
  readonly api?: HaClusterApi;
  /** Extra flags for every agent. @default [] */
  readonly agentArgs?: readonly string[];
  /** The takeover warm-up agent in every broker JVM (see startBrokerGroup). @default false */
  readonly takeoverWarmup?: boolean;
  /** Progress lines (one per fault). @default none */
  readonly log?: (line: string) => void;
  /** Print broker and agent logs when an invariant breaks. @default true */
  readonly dumpLogsOnFailure?: boolean;
  /**
   * Aborted: no further fault after the round under way; the drain and the checks still run and
   * the result covers the rounds done (e.g. a bench stopped with Ctrl-C at a deadline).
   */
  readonly signal?: AbortSignal;
}

export type ResolvedSoakOptions = Required<Omit<SoakOptions, 'log' | 'picker' | 'signal'>> &
  Pick<SoakOptions, 'log' | 'picker' | 'signal'>;

export function resolveSoakOptions(options: SoakOptions): ResolvedSoakOptions {
  const r: ResolvedSoakOptions = {
    agentEntrypoint: options.agentEntrypoint,
    faults: options.faults ?? 20,
    seed: options.seed ?? SeededRandom.freshSeed(),
    ratePerSecond: options.ratePerSecond ?? 50,
    convergenceBoundMs: options.convergenceBoundMs ?? 15_000,
    overlapBoundMs: options.overlapBoundMs ?? 2000,
    drainMs: options.drainMs ?? 30_000,
    agentArgs: options.agentArgs ?? [],
    takeoverWarmup: options.takeoverWarmup ?? false,
    api: options.api ?? 'emulator',
    dumpLogsOnFailure: options.dumpLogsOnFailure ?? true,
    ...(options.log ? { log: options.log } : {}),
    ...(options.picker ? { picker: options.picker } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const positive = ['faults', 'ratePerSecond', 'convergenceBoundMs', 'overlapBoundMs'] as const;
  for (const key of positive) {
    if (!Number.isInteger(r[key]) || r[key] < 1) {
      throw new SoakError('INVALID_OPTION', `${key} must be a positive integer, got ${r[key]}`);
    }
  }
  if (!Number.isInteger(r.seed) || r.seed < 0 || r.seed > 0xffff_ffff) {
    throw new SoakError('INVALID_OPTION', `seed must be an integer in [0, 2^32), got ${r.seed}`);
  }
  return r;
}

/**
 * `SOAK_SEED` and `SOAK_FAULTS` from the environment (unset: `undefined`, i.e. the defaults);
 * throws INVALID_OPTION naming the variable when one is not a valid integer.
 */
export function soakEnv(env: NodeJS.ProcessEnv): { seed?: number; faults?: number } {
  const read = (name: string, min: number, max: number): number | undefined => {
    const raw = env[name]?.trim();
    if (!raw) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new SoakError(
        'INVALID_OPTION',
        `${name} must be an integer in [${min}, ${max}], got "${raw}"`,
      );
    }
    return n;
  };
  const seed = read('SOAK_SEED', 0, 0xffff_ffff);
  const faults = read('SOAK_FAULTS', 1, 100_000);
  return {
    ...(seed === undefined ? {} : { seed }),
    ...(faults === undefined ? {} : { faults }),
  };
}
