import { type FailoverStages, formatFailoverBreakdown } from '../bench/failover-breakdown.js';
import { type Percentiles, percentiles } from '../bench/stats.js';
import { describeFaultKind, FAULT_KINDS, type FaultKind } from './fault-plan.js';
import type { FaultRoundResult } from './fault-round.js';
import type { SoakResult } from './run-soak.js';

/** The latencies of the rounds of one fault kind (or of all rounds). */
export interface SoakKindFigures {
  readonly kind: FaultKind | 'all';
  readonly n: number;
  readonly takeover: Percentiles;
  readonly labels: Percentiles;
  readonly slice: Percentiles;
  readonly produceOutage: Percentiles;
  readonly consumeOutage: Percentiles;
  readonly convergedAfterClear: Percentiles;
}

function figures(kind: FaultKind | 'all', rounds: readonly FaultRoundResult[]): SoakKindFigures {
  const of = (pick: (r: FaultRoundResult) => number | undefined) =>
    percentiles(rounds.map(pick).filter((v): v is number => v !== undefined));
  return {
    kind,
    n: rounds.length,
    takeover: of((r) => r.takeoverMs),
    labels: of((r) => r.labelMs),
    slice: of((r) => r.sliceMs),
    produceOutage: of((r) => r.produceOutageMs),
    consumeOutage: of((r) => r.consumeOutageMs),
    convergedAfterClear: of((r) => r.convergedAfterClearMs),
  };
}

/** Figures per fault kind that occurred, then for all rounds together. */
export function soakFigures(result: SoakResult): SoakKindFigures[] {
  const rows = FAULT_KINDS.map((k) =>
    figures(
      k,
      result.rounds.filter((r) => r.plan.kind === k),
    ),
  ).filter((f) => f.n > 0);
  return [...rows, figures('all', result.rounds)];
}

const cell = (p: Percentiles) =>
  p.n === 0 ? '–' : `${Math.round(p.p50)} / ${Math.round(p.p95)} / ${Math.round(p.max)}`;

/**
 * A Markdown report (ready for docs/benchmarks.md): one row per fault kind with p50 / p95 / max
 * in ms of each latency, then the delivery totals and the invariants.
 */
export function formatSoakReport(result: SoakResult, title = 'Chaos soak'): string {
  const t = result.totals;
  const longest = Math.max(
    0,
    ...result.overlaps.map((o) => o.durationMs ?? Number.POSITIVE_INFINITY),
  );
  const lines = [
    `### ${title}: ${result.rounds.length} faults, seed ${result.seed}, ${result.ratePerSecond} msg/s, ${(result.durationMs / 1000).toFixed(0)} s`,
    '',
    'p50 / p95 / max in ms, measured from the fault (the broker kill, where the fault has one).',
    'Takeover: kill → next broker accepts connections. Label convergence: → the last leader-label',
    'write before every pod agreed with the serving broker (0: no write was needed). EndpointSlice',
    'update: → the last change of the Service’s ready endpoints before only the active pod was',
    'ready. Produce / consume outage: largest gap between send confirmations / deliveries from the',
    'fault’s first action until both flowed again. Converged: fault lifted (API up, agent back,',
    'kill sent) → labels and routing observed in agreement; the soak bounds it.',
    '',
    '| fault | n | broker takeover | label convergence | EndpointSlice update | produce outage | consume outage | converged |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...soakFigures(result).map(
      (f) =>
        `| ${f.kind === 'all' ? '**all faults**' : describeFaultKind(f.kind)} | ${f.n} | ${cell(f.takeover)} | ${cell(f.labels)} | ${cell(f.slice)} | ${cell(f.produceOutage)} | ${cell(f.consumeOutage)} | ${cell(f.convergedAfterClear)} |`,
    ),
    '',
    ...breakdownLines(result),
    `Totals: sent ${t.sent}, confirmed ${t.confirmed}, received ${t.received}, lost ${t.lost}, duplicates past the client's filter ${t.duplicates}.`,
    rewatchLine(result),
    memoryLine(result),
    `Spans with two leader=yes pods: ${result.overlaps.length}${result.overlaps.length ? `, longest ${Number.isFinite(longest) ? `${Math.round(longest)} ms` : 'never ended'}` : ''}.`,
    result.violations.length === 0
      ? 'Invariants: all held.'
      : `Invariants broken (${result.violations.length}):\n${result.violations.map((v) => `- ${v}`).join('\n')}`,
  ];
  return lines.join('\n');
}

function breakdownLines(result: SoakResult): string[] {
  const stages = result.rounds
    .map((r) => r.stages)
    .filter((s): s is FailoverStages => s !== undefined);
  if (stages.length === 0) return [];
  return [
    `Where a broker failover goes (${stages.length} faults that killed the active broker; stages add up to kill → first confirmed send; lock, keep-alive, recovery and start from the new broker's log):`,
    '',
    formatFailoverBreakdown(stages),
    '',
  ];
}

function rewatchLine(result: SoakResult): string {
  const p = percentiles(
    result.rounds.map((r) => r.rewatchMs).filter((v): v is number => v !== undefined),
  );
  return p.n === 0
    ? 'No watch was cut.'
    : `Cut watches all re-opened after p50 ${Math.round(p.p50)} ms, max ${Math.round(p.max)} ms (${p.n} cuts).`;
}

function memoryLine(result: SoakResult): string {
  const m = result.agentMemory;
  if (m.rss.n === 0) return 'Agent memory: not sampled.';
  const mib = (p: Percentiles) => `p50 ${p.p50.toFixed(1)} / max ${p.max.toFixed(1)} MiB`;
  return `Agent memory (${m.rss.n} samples of the running agents, every 2 s): RSS ${mib(m.rss)}, of it anonymous ${mib(m.anon)}; V8 heap used ${m.heapUsed.n ? mib(m.heapUsed) : '–'}; peak RSS (VmHWM) of any agent ${m.peakRssMiB.toFixed(1)} MiB.`;
}
