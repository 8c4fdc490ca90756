import {
  type FailoverStages,
  failoverStages,
  firstConfirmationBy,
  readTakeoverBreakdown,
} from '../bench/failover-breakdown.js';
import type { HaCluster } from '../cluster/ha-cluster.js';
import { type LeaderOverlap, leaderOverlaps } from '../cluster/leader-overlaps.js';
import { largestGap, type Traffic } from '../cluster/traffic.js';
import { waitForAgreement } from './cluster-agreement.js';
import type { ClusterTimeline } from './cluster-timeline.js';
import { SoakError } from './errors.js';
import { describeFault, type FaultPlan } from './fault-plan.js';
import { injectFault, repairFault } from './inject-fault.js';

export interface FaultRoundContext {
  readonly cluster: HaCluster;
  readonly traffic: Traffic;
  readonly timeline: ClusterTimeline;
  /** Fault lifted → labels and routing agree again, at most. */
  readonly convergenceBoundMs: number;
}

/** What one fault cost, measured from the emulator's records and the clients' timestamps. */
export interface FaultRoundResult {
  /** 1-based. */
  readonly index: number;
  readonly plan: FaultPlan;
  readonly fromPod: string;
  readonly toPod: string;
  /** Kill → next broker accepting connections; undefined when no broker was killed. */
  readonly takeoverMs: number | undefined;
  /** Fault → the last leader-label write before labels agreed (0: none was needed). */
  readonly labelMs: number;
  /** Fault → the last change of the Service's ready endpoints before routing agreed. */
  readonly sliceMs: number;
  /** Fault lifted → labels and routing observed in agreement: the bounded figure. */
  readonly convergedAfterClearMs: number;
  /** Largest gap between send confirmations from the fault's first action until traffic flowed again. */
  readonly produceOutageMs: number;
  /** Largest gap between deliveries, same window. */
  readonly consumeOutageMs: number;
  /** Watch cut → as many watches re-opened as were cut; only for watch cuts. */
  readonly rewatchMs: number | undefined;
  /** Where the failover went, stage by stage; only for faults that killed the active broker. */
  readonly stages: FailoverStages | undefined;
  /** Spans with more than one leader that started during the round (checked by the runner). */
  readonly overlaps: readonly LeaderOverlap[];
  /** Epoch ms: the fault's first action, and the end of the round. */
  readonly startedAt: number;
  readonly endedAt: number;
  /** Invariants broken during the round (empty when all held). */
  readonly violations: readonly string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One soak round: let traffic flow for the plan's pause, inject the fault, wait (bounded) until
 * every pod's label and the Service's routing agree with the serving broker, restore what the
 * fault killed, check it converges again and that both clients see traffic again, then measure.
 * Throws SoakError when the cluster does not converge: later rounds would measure nothing.
 */
export async function runFaultRound(
  ctx: FaultRoundContext,
  index: number,
  plan: FaultPlan,
): Promise<FaultRoundResult> {
  const { cluster, traffic, timeline } = ctx;
  const what = `fault ${index} (${describeFault(plan)})`;
  await sleep(plan.pauseMs);
  const before = await waitForAgreement(cluster, Date.now() + ctx.convergenceBoundMs, {
    what: `before ${what}`,
  });
  const roundStart = Date.now();
  const fault = await injectFault(cluster, plan, before.state.activePod!);

  const converged = await waitForAgreement(cluster, fault.clearedAt + ctx.convergenceBoundMs, {
    what,
  });
  const violations: string[] = [];
  const labelAt = timeline.lastLabelChange(fault.faultAt, converged.observedAt) ?? fault.faultAt;
  const sliceAt = timeline.lastReadyChange(fault.faultAt, converged.observedAt) ?? fault.faultAt;

  if (fault.deadAgentPod !== undefined) {
    // Its agent is dead: only the new leader can have written this demotion (fencing).
    const stale = fault.deadAgentPod;
    const fenced = cluster
      .labelHistory()
      .some(
        (c) =>
          c.pod === stale &&
          c.time > fault.startedAt &&
          c.before?.leader === 'yes' &&
          c.after?.leader !== 'yes',
      );
    if (!fenced) violations.push(`${what}: no demotion of the stale leader ${stale} was recorded`);
  }

  let rewatchMs: number | undefined;
  if (fault.watchCut !== undefined) {
    // Every cut watcher has asked for a new watch and as many watches are open as were cut; the
    // time is that of the request that completed the count, from the emulator's request log.
    const { count, afterSeq } = fault.watchCut;
    const kube = cluster.kube;
    try {
      await kube.waitFor(
        () => kube.countRequests({ verb: 'watch', afterSeq }) >= count && kube.openWatches >= count,
        {
          timeoutMs: Math.max(0, fault.faultAt + ctx.convergenceBoundMs - Date.now()),
          description: `${count} watches open again`,
          pollIntervalMs: 50,
        },
      );
      const nth = kube.requests({ verb: 'watch', afterSeq })[count - 1];
      rewatchMs = nth === undefined ? 0 : Math.max(0, nth.time - fault.startedAt);
    } catch {
      violations.push(
        `${what}: ${kube.openWatches} of ${count} cut watches re-opened within ${ctx.convergenceBoundMs} ms`,
      );
    }
  }

  await repairFault(cluster, fault);
  await waitForAgreement(cluster, Date.now() + ctx.convergenceBoundMs, {
    what: `${what}, after restarting what it killed`,
  });

  const resumedAt = await trafficResumed(traffic, converged.observedAt, ctx.convergenceBoundMs);
  const toPod = converged.state.activePod!;
  const stages =
    fault.deadBroker === undefined
      ? undefined
      : failoverStagesOf(ctx, fault.faultAt, toPod, sliceAt);
  if (resumedAt === undefined) {
    throw new SoakError(
      'TRAFFIC_STALLED',
      `${what}: no confirmation or no delivery within ${ctx.convergenceBoundMs} ms after the cluster converged`,
    );
  }
  const roundEnd = Date.now();
  const overlaps = leaderOverlaps(cluster.labelHistory()).filter(
    (o) => o.start >= roundStart && o.start <= roundEnd,
  );
  return {
    index,
    plan,
    fromPod: fault.fromPod,
    toPod,
    takeoverMs: fault.takeoverMs,
    labelMs: Math.max(0, labelAt - fault.faultAt),
    sliceMs: Math.max(0, sliceAt - fault.faultAt),
    convergedAfterClearMs: Math.max(0, converged.observedAt - fault.clearedAt),
    produceOutageMs: largestGap(traffic.stats.confirmations, fault.startedAt, resumedAt),
    consumeOutageMs: largestGap(traffic.stats.deliveries, fault.startedAt, resumedAt),
    rewatchMs,
    stages,
    overlaps,
    startedAt: fault.startedAt,
    endedAt: roundEnd,
    violations,
  };
}

/** The stages of a broker failover to `toPod` (epoch ms throughout, as the label history). */
function failoverStagesOf(
  { cluster, traffic }: FaultRoundContext,
  killedAt: number,
  toPod: string,
  sliceAt: number,
): FailoverStages {
  const takeover = readTakeoverBreakdown(cluster.pod(toPod).broker.logFile, {
    killedAt,
    lockAcquireSleepIntervalMs: cluster.brokers.lockAcquireSleepIntervalMs,
    lockKeepAlivePeriodMs: cluster.brokers.lockKeepAlivePeriodMs,
  });
  const labelAt = cluster
    .labelHistory()
    .find((c) => c.pod === toPod && c.time > killedAt && c.after?.leader === 'yes')?.time;
  const firstSendAt = firstConfirmationBy(traffic.stats.confirmations, killedAt, takeover);
  return failoverStages({ killedAt, takeover, labelAt, sliceAt, firstSendAt });
}

/** When both a confirmation and a delivery later than `after` had been seen; undefined on timeout. */
async function trafficResumed(
  traffic: Traffic,
  after: number,
  boundMs: number,
): Promise<number | undefined> {
  const deadline = Math.max(after + boundMs, Date.now());
  for (;;) {
    const confirmed = traffic.stats.confirmations.at(-1) ?? 0;
    const delivered = traffic.stats.deliveries.at(-1) ?? 0;
    if (confirmed > after && delivered > after) return Math.max(confirmed, delivered);
    if (Date.now() >= deadline) return undefined;
    await sleep(20);
  }
}
