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
import { abandonFault, type InjectedFault, injectFault, repairFault } from './inject-fault.js';

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
  const { cluster } = ctx;
  const what = `fault ${index} (${describeFault(plan)})`;
  await sleep(plan.pauseMs);
  const before = await waitForAgreement(cluster, Date.now() + ctx.convergenceBoundMs, {
    what: `before ${what}`,
  });
  const roundStart = Date.now();
  const fault = await injectFault(cluster, plan, before.state.activePod!);
  try {
    return await measureRound(ctx, index, plan, what, roundStart, fault);
  } catch (error) {
    abandonFault(fault);
    throw error;
  }
}

async function measureRound(
  ctx: FaultRoundContext,
  index: number,
  plan: FaultPlan,
  what: string,
  roundStart: number,
  fault: InjectedFault,
): Promise<FaultRoundResult> {
  const { cluster, traffic, timeline } = ctx;
  const converged = await waitForAgreement(cluster, fault.clearedAt + ctx.convergenceBoundMs, {
    what,
  });
  const violations: string[] = [];
  const labelAt = timeline.lastLabelChange(fault.faultAt, converged.observedAt) ?? fault.faultAt;
  const sliceAt = timeline.lastReadyChange(fault.faultAt, converged.observedAt) ?? fault.faultAt;

  if (fault.deadAgentPod !== undefined || fault.stalledAgent !== undefined) {
    // Its agent is dead or stopped: only the new leader can have written this demotion (fencing).
    const stale = (fault.deadAgentPod ?? fault.stalledAgent?.pod)!;
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

  if (fault.splitBrain !== undefined) violations.push(...splitBrainViolations(ctx, what, fault));

  const repaired = await repairFault(cluster, fault);
  await waitForAgreement(cluster, Date.now() + ctx.convergenceBoundMs, {
    what: `${what}, after restarting what it killed`,
  });
  if (fault.stalledAgent !== undefined && repaired.resumedAt !== undefined) {
    violations.push(
      ...resumedAgentViolations(ctx, what, fault.stalledAgent.pod, repaired.resumedAt),
    );
  }

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

/** A label write budget per agent, as the agent's damping promises (issue 12: ≤ 10 a minute). */
const WRITES_PER_AGENT_PER_MINUTE = 10;

/**
 * While two brokers served: the pod of the second never carried `leader=yes`, the agents' label
 * writes stayed within their budget (no fencing at API speed), and (emulator) one SplitBrain
 * Event was created for it.
 */
function splitBrainViolations(
  { cluster }: FaultRoundContext,
  what: string,
  fault: InjectedFault,
): string[] {
  const sb = fault.splitBrain!;
  const out: string[] = [];
  const history = cluster.labelHistory();
  const claimed = history.filter(
    (c) =>
      c.pod === sb.pod &&
      c.time >= fault.startedAt &&
      c.time <= sb.stoppedAt &&
      c.after?.leader === 'yes',
  );
  if (claimed.length > 0) {
    out.push(`${what}: ${sb.pod} was labelled leader while its broker served a split brain`);
  }
  const windowMs = Math.max(0, sb.stoppedAt - sb.provenAt);
  const budget =
    cluster.pods.length * Math.ceil((WRITES_PER_AGENT_PER_MINUTE * windowMs) / 60_000) + 2;
  // Writes from the proof to the broker's stop: on the emulator every label patch (also those
  // that changed nothing), on a real API server the label changes.
  const writes =
    cluster.api === 'emulator'
      ? cluster.kube
          .requests({ verb: 'patch', resource: 'pods' })
          .filter(
            (r) => r.subresource === undefined && r.time >= sb.provenAt && r.time <= sb.stoppedAt,
          ).length
      : history.filter((c) => c.time >= sb.provenAt && c.time <= sb.stoppedAt).length;
  if (writes > budget) {
    out.push(
      `${what}: ${writes} label writes in the ${windowMs} ms both brokers served (budget ${budget})`,
    );
  }
  if (cluster.api === 'emulator') {
    const events = cluster.kube.list('events', { namespace: cluster.namespace }).filter((e) => {
      // The emulator stores Events in the core/v1 shape (involvedObject), as a cluster does.
      const ev = e as { reason?: string; involvedObject?: { name?: string }; eventTime?: string };
      return (
        ev.reason === 'SplitBrain' &&
        ev.involvedObject?.name === sb.pod &&
        Date.parse(ev.eventTime ?? '') >= fault.startedAt
      );
    });
    if (events.length !== 1) {
      out.push(`${what}: ${events.length} SplitBrain Events for ${sb.pod} (want one)`);
    }
  }
  return out;
}

/** After a stalled agent was continued: it fenced nobody and the new leader kept its label. */
function resumedAgentViolations(
  { cluster }: FaultRoundContext,
  what: string,
  stalledPod: string,
  resumedAt: number,
): string[] {
  const out: string[] = [];
  const leaders = cluster.leaders();
  const touched = cluster
    .labelHistory()
    .filter((c) => c.pod !== stalledPod && c.time >= resumedAt && c.before?.leader === 'yes');
  if (touched.length > 0) {
    out.push(`${what}: the leader ${touched[0]!.pod} was demoted after the stalled agent resumed`);
  }
  const fenced = cluster
    .pod(stalledPod)
    .agent?.lines.some((l) => l.event === 'fenced' && Date.parse(String(l.time)) >= resumedAt);
  if (fenced) out.push(`${what}: the resumed agent of ${stalledPod} fenced a peer`);
  if (leaders.includes(stalledPod)) {
    out.push(`${what}: the resumed agent of ${stalledPod} labelled its pod leader again`);
  }
  return out;
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
