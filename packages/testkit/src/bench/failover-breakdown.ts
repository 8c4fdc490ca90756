import { readFileSync } from 'node:fs';
import { type Percentiles, percentiles } from './stats.js';
import {
  type TakeoverBreakdown,
  type TakeoverBreakdownInput,
  takeoverBreakdown,
} from './takeover-breakdown.js';

/** The moments of one failover in Kubernetes discovery mode, all epoch ms. */
export interface FailoverMoments {
  readonly killedAt: number;
  /** The new master's own account (its log). */
  readonly takeover: TakeoverBreakdown;
  /** The new master's pod labelled leader=yes. */
  readonly labelAt: number | undefined;
  /** The Service's EndpointSlices route to that pod alone. */
  readonly sliceAt: number | undefined;
  /** The producer's first send confirmed by the new master. */
  readonly firstSendAt: number | undefined;
}

/** One failover cut into consecutive stages (ms); they add up to `total`. */
export interface FailoverStages {
  readonly lockDetection: number | undefined;
  readonly keepAliveWait: number | undefined;
  /** Index opened and journal replayed. */
  readonly storeRecovery: number | undefined;
  readonly replayedOperations: number | undefined;
  /** Replay over → connectors started. */
  readonly brokerStart: number | undefined;
  /** Connectors started → pod labelled (the agent's probe and its label write). */
  readonly probeToLabel: number | undefined;
  /** Label → EndpointSlice (the controller). */
  readonly labelToSlice: number | undefined;
  /** EndpointSlice → first confirmed send (the client's re-discovery, reconnect, re-send). */
  readonly clientResend: number | undefined;
  /** Kill → first confirmed send. */
  readonly total: number | undefined;
}

const diff = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined ? undefined : a - b;

export function failoverStages(m: FailoverMoments): FailoverStages {
  const t = m.takeover;
  const storeRecovery =
    t.storeOpenMs === undefined || t.replayMs === undefined
      ? undefined
      : t.storeOpenMs + t.replayMs;
  return {
    lockDetection: t.lockDetectionMs,
    keepAliveWait: t.lockAcquiredAt === undefined ? undefined : t.keepAliveWaitMs,
    storeRecovery,
    replayedOperations: t.replayedOperations,
    brokerStart: t.brokerStartMs,
    probeToLabel: diff(m.labelAt, t.startedAt),
    labelToSlice: diff(m.sliceAt, m.labelAt),
    clientResend: diff(m.firstSendAt, m.sliceAt),
    total: diff(m.firstSendAt, m.killedAt),
  };
}

/**
 * The first of `times` (ascending) that the new master can have confirmed: after it took the
 * lock, else a little after the kill (receipts the old master sent just before dying arrive
 * within a millisecond or two).
 */
export function firstConfirmationBy(
  times: readonly number[],
  killedAt: number,
  takeover: TakeoverBreakdown,
): number | undefined {
  const after = takeover.lockAcquiredAt ?? killedAt + 20;
  return times.find((t) => t > after);
}

/** `takeoverBreakdown` of a broker's log file (it is appended across restarts; the kill time picks the takeover). */
export function readTakeoverBreakdown(
  logFile: string,
  input: TakeoverBreakdownInput,
): TakeoverBreakdown {
  let text = '';
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    // No log yet: every figure stays unknown.
  }
  return takeoverBreakdown(text, input);
}

const STAGE_ROWS: readonly [keyof FailoverStages, string][] = [
  ['lockDetection', 'lock detection (kill → lock taken)'],
  ['keepAliveWait', 'keep-alive wait'],
  ['storeRecovery', 'store recovery (index open + journal replay)'],
  ['replayedOperations', '  journal operations replayed (count, not ms)'],
  ['brokerStart', 'broker start (replayed → connectors started)'],
  ['probeToLabel', 'agent probe → label leader=yes'],
  ['labelToSlice', 'label → EndpointSlice updated'],
  ['clientResend', 'client reconnect and re-send (slice → confirmed)'],
  ['total', '**kill → first confirmed send**'],
];

/** p50/p95/max of each stage over many failovers. */
export function stagePercentiles(stages: readonly FailoverStages[]): [string, Percentiles][] {
  return STAGE_ROWS.map(([key, name]) => [
    name,
    percentiles(stages.map((s) => s[key]).filter((v): v is number => v !== undefined)),
  ]);
}

/** A Markdown table of `stagePercentiles` (p50 / p95 / max). */
export function formatFailoverBreakdown(stages: readonly FailoverStages[]): string {
  const cell = (v: number) => (Number.isNaN(v) ? '–' : String(Math.round(v)));
  return [
    '| stage (ms) | n | p50 | p95 | max |',
    '|---|---:|---:|---:|---:|',
    ...stagePercentiles(stages).map(
      ([name, p]) => `| ${name} | ${p.n} | ${cell(p.p50)} | ${cell(p.p95)} | ${cell(p.max)} |`,
    ),
  ].join('\n');
}

/** One failover on one line, for progress output. */
export function describeStages(s: FailoverStages): string {
  const v = (x: number | undefined) => (x === undefined ? '–' : String(Math.round(x)));
  return `lock ${v(s.lockDetection)} + keep-alive ${v(s.keepAliveWait)} + recovery ${v(s.storeRecovery)} (${v(s.replayedOperations)} ops) + start ${v(s.brokerStart)} + label ${v(s.probeToLabel)} + slice ${v(s.labelToSlice)} + client ${v(s.clientResend)} = ${v(s.total)} ms`;
}
