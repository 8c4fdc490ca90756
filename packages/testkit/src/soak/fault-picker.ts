import type { CutMode } from '../kube/watch-stream.js';
import { FAULT_KINDS, type FaultKind, type FaultPlan } from './fault-plan.js';
import type { SeededRandom } from './seeded-random.js';

export interface FaultPickerOptions {
  /**
   * How many times each kind appears in every bag of faults (0 leaves a kind out).
   * @default broker-sigkill 2, every other kind 1
   */
  readonly weights?: Partial<Readonly<Record<FaultKind, number>>>;
  /** Range of the traffic-only pause before each fault. @default [300, 1500] */
  readonly pauseMs?: readonly [number, number];
  /** Range of an API outage. @default [2000, 5000] */
  readonly outageMs?: readonly [number, number];
}

const CUT_MODES: readonly CutMode[] = ['reset', 'close', 'graceful'];

/** Faults only the API emulator can inject (a real API server has no fault switch). */
export const EMULATOR_ONLY_FAULTS: readonly FaultKind[] = [
  'api-outage',
  'api-outage-broker-kill',
  'watch-cut',
  'watch-cut-broker-kill',
];

/**
 * Draws faults from a shuffled bag: every kind comes up `weight` times per bag, in a random
 * order, so even a short soak covers every kind whatever the seed, and the counts per kind stay
 * even for the percentiles. Parameters (outage length, signal, cut mode, ...) are drawn too.
 */
export class FaultPicker {
  readonly #bag: FaultKind[] = [];
  readonly #weights: Readonly<Record<FaultKind, number>>;
  readonly #pauseMs: readonly [number, number];
  readonly #outageMs: readonly [number, number];

  constructor(
    private readonly random: SeededRandom,
    options: FaultPickerOptions = {},
  ) {
    const weights = Object.fromEntries(
      FAULT_KINDS.map((k) => [k, options.weights?.[k] ?? (k === 'broker-sigkill' ? 2 : 1)]),
    ) as Record<FaultKind, number>;
    if (Object.values(weights).every((w) => w <= 0)) {
      throw new RangeError('every fault weight is 0: nothing to draw');
    }
    this.#weights = weights;
    this.#pauseMs = options.pauseMs ?? [300, 1500];
    this.#outageMs = options.outageMs ?? [2000, 5000];
  }

  next(): FaultPlan {
    if (this.#bag.length === 0) this.#refill();
    const kind = this.#bag.pop() as FaultKind;
    const r = this.random;
    const pauseMs = r.int(...this.#pauseMs);
    switch (kind) {
      case 'agent-sigkill-standby':
        return { kind, pauseMs, standby: r.int(0, 1) };
      case 'split-brain':
        // Long enough for several Lease renewals (2 s apart by default) while both serve.
        return { kind, pauseMs, standby: r.int(0, 1), holdMs: r.int(4000, 8000) };
      case 'api-outage':
        return { kind, pauseMs, outageMs: r.int(...this.#outageMs) };
      case 'api-outage-broker-kill': {
        const outageMs = r.int(...this.#outageMs);
        return {
          kind,
          pauseMs,
          outageMs,
          killAfterMs: r.int(200, Math.floor(outageMs / 2)),
          signal: r.chance(0.75) ? 'SIGKILL' : 'SIGTERM',
        };
      }
      case 'watch-cut':
      case 'watch-cut-broker-kill':
        return { kind, pauseMs, mode: r.pick(CUT_MODES) };
      default:
        return { kind, pauseMs };
    }
  }

  /** `count` faults in drawing order. */
  take(count: number): FaultPlan[] {
    return Array.from({ length: count }, () => this.next());
  }

  #refill(): void {
    for (const kind of FAULT_KINDS) {
      for (let i = 0; i < this.#weights[kind]; i++) this.#bag.push(kind);
    }
    this.random.shuffle(this.#bag);
  }
}
