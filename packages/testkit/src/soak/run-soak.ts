import { describeStages } from '../bench/failover-breakdown.js';
import { startHaCluster } from '../cluster/ha-cluster.js';
import type { LeaderOverlap } from '../cluster/leader-overlaps.js';
import { Traffic } from '../cluster/traffic.js';
import { type AgentMemoryFigures, AgentMemorySampler } from './agent-memory-sampler.js';
import { waitForAgreement } from './cluster-agreement.js';
import { ClusterTimeline } from './cluster-timeline.js';
import { SoakError } from './errors.js';
import { EMULATOR_ONLY_FAULTS, FaultPicker } from './fault-picker.js';
import { describeFault, type FaultPlan } from './fault-plan.js';
import { type FaultRoundResult, runFaultRound } from './fault-round.js';
import { SeededRandom } from './seeded-random.js';
import { type DeliveryTotals, deliveryViolations, overlapViolations } from './soak-invariants.js';
import { resolveSoakOptions, type SoakOptions } from './soak-options.js';

export interface SoakResult {
  readonly seed: number;
  readonly ratePerSecond: number;
  /** The drawn faults, all of them, also those not reached after a fatal violation. */
  readonly plans: readonly FaultPlan[];
  /** Rounds that completed. */
  readonly rounds: readonly FaultRoundResult[];
  readonly totals: DeliveryTotals;
  /** Every span with two leaders over the whole run. */
  readonly overlaps: readonly LeaderOverlap[];
  /** Every broken invariant; empty when the soak passed. */
  readonly violations: readonly string[];
  /** Start of the first fault → end of the drain. */
  readonly durationMs: number;
  /** The agents' RSS and heap, sampled every 2 s through the faults. */
  readonly agentMemory: AgentMemoryFigures;
}

const ms = (v: number | undefined) => (v === undefined ? '–' : `${Math.round(v)} ms`);

/**
 * The chaos soak: a 3-pod HA cluster with real brokers and agents, a producer and a consumer in
 * EndpointSlice discovery mode at a modest rate, and `faults` randomized faults drawn up front
 * from the seed. Each round checks convergence within the bound; at the end the consumer drains
 * and loss, duplicates and leader overlaps are checked. A round that does not converge ends the
 * fault sequence (later rounds would measure nothing) but the drain and final checks still run.
 * Everything it started is stopped before it returns or throws.
 */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const o = resolveSoakOptions(options);
  const picker =
    o.api === 'real'
      ? {
          ...o.picker,
          weights: {
            ...Object.fromEntries(EMULATOR_ONLY_FAULTS.map((k) => [k, 0])),
            ...o.picker?.weights,
          },
        }
      : o.picker;
  const plans = new FaultPicker(new SeededRandom(o.seed), picker).take(o.faults);
  const log = o.log ?? (() => undefined);
  const cluster = await startHaCluster({
    agentEntrypoint: o.agentEntrypoint,
    size: 3,
    agentArgs: o.agentArgs,
    // The takeover breakdown needs the lock attempts in the brokers' logs.
    lockRetryLog: true,
    takeoverWarmup: o.takeoverWarmup,
    api: o.api,
  });
  let traffic: Traffic | undefined;
  let timeline: ClusterTimeline | undefined;
  let memory: AgentMemorySampler | undefined;
  let trafficStopped = false;
  let failed = true;
  try {
    if (cluster.podNetwork.kind === 'mapped')
      throw new SoakError('INVALID_OPTION', `api: real: ${cluster.podNetwork.reason}`);
    await waitForAgreement(cluster, Date.now() + 60_000, { what: 'start-up' });
    timeline = new ClusterTimeline(cluster);
    traffic = new Traffic(cluster.kubeConfig(), cluster.namespace, cluster.serviceName);
    await traffic.start(o.ratePerSecond);
    memory = new AgentMemorySampler(cluster);
    const started = Date.now();
    const rounds: FaultRoundResult[] = [];
    const violations: string[] = [];
    const ctx = { cluster, traffic, timeline, convergenceBoundMs: o.convergenceBoundMs };
    for (const [i, plan] of plans.entries()) {
      if (o.signal?.aborted) {
        log(`stopped after ${rounds.length} of ${plans.length} faults`);
        break;
      }
      try {
        const round = await runFaultRound(ctx, i + 1, plan);
        rounds.push(round);
        violations.push(...round.violations);
        log(progressLine(round, plans.length));
      } catch (error) {
        const message = (error as Error).message;
        const prefix = `fault ${i + 1} (`;
        violations.push(
          message.startsWith(prefix) ? message : `${prefix}${describeFault(plan)}): ${message}`,
        );
        log(`fault ${i + 1}/${plans.length} FAILED: ${message}`);
        break;
      }
    }
    log('stopping traffic, waiting for the consumer to drain');
    trafficStopped = true;
    await traffic.stop(o.drainMs);
    const agentMemory = memory.stop();
    const stats = traffic.stats;
    const lost = traffic.missing();
    const totals: DeliveryTotals = {
      sent: stats.sent,
      confirmed: stats.confirmed,
      received: stats.received,
      lost,
      duplicates: stats.duplicates,
    };
    violations.push(...deliveryViolations(totals));
    const overlaps = overlapViolations(cluster.labelHistory(), o.overlapBoundMs, (ov) => {
      const r = rounds.find((x) => ov.start >= x.startedAt && ov.start <= x.endedAt);
      return r && `fault ${r.index} (${describeFault(r.plan)})`;
    });
    violations.push(...overlaps.violations);
    failed = violations.length > 0;
    return {
      seed: o.seed,
      ratePerSecond: o.ratePerSecond,
      plans,
      rounds,
      totals,
      overlaps: overlaps.overlaps,
      violations,
      durationMs: Date.now() - started,
      agentMemory,
    };
  } finally {
    memory?.stop();
    timeline?.close();
    if (!trafficStopped) await traffic?.stop(0);
    if (failed && o.dumpLogsOnFailure) {
      process.stderr.write(`chaos soak failed; replay with SOAK_SEED=${o.seed}\n`);
      // Also keeps the group's directory (broker and agent logs) for the post-mortem.
      cluster.dumpLogs();
    }
    await cluster.close();
  }
}

function progressLine(r: FaultRoundResult, total: number): string {
  const move = r.fromPod === r.toPod ? `leader ${r.toPod}` : `${r.fromPod} → ${r.toPod}`;
  const parts = [
    `fault ${String(r.index).padStart(String(total).length)}/${total}`,
    describeFault(r.plan).padEnd(44),
    move,
    `takeover ${ms(r.takeoverMs)}`,
    `labels ${ms(r.labelMs)}`,
    `slice ${ms(r.sliceMs)}`,
    `produce gap ${ms(r.produceOutageMs)}`,
    `consume gap ${ms(r.consumeOutageMs)}`,
  ];
  if (r.rewatchMs !== undefined) parts.push(`re-watch ${ms(r.rewatchMs)}`);
  if (r.stages !== undefined) parts.push(describeStages(r.stages));
  if (r.violations.length > 0) parts.push(`VIOLATIONS: ${r.violations.join('; ')}`);
  return parts.join(' | ');
}
