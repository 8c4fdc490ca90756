import type { FailoverStages, TrafficStats } from '@activemq-ha/testkit';
import { formatFailoverBreakdown, percentiles } from '@activemq-ha/testkit';

export interface FailoverRow {
  readonly round: number;
  readonly how: string;
  readonly from: string;
  readonly to: string;
  /** Kill → next broker accepting connections. */
  readonly takeoverMs: number;
  /** Kill → new pod labelled leader=yes. */
  readonly labelMs: number;
  /** Kill → EndpointSlice lists only the new pod as ready. */
  readonly sliceMs: number;
  /** Largest gap between send confirmations after the kill. */
  readonly produceOutageMs: number;
  /** Largest gap between deliveries after the kill. */
  readonly consumeOutageMs: number;
  /** The failover stage by stage, from the new broker's log, the API and the producer. */
  readonly stages: FailoverStages;
}

const ms = (v: number) => `${Math.round(v)} ms`;

export function printSummary(
  rows: readonly FailoverRow[],
  stats: TrafficStats,
  lost: number,
  splitRoutings: number,
): void {
  const table = [
    [
      'round',
      'fault',
      'from → to',
      'broker takeover',
      'label flip',
      'EndpointSlice',
      'produce outage',
      'consume outage',
    ],
    ...rows.map((r) => [
      String(r.round),
      r.how,
      `${r.from} → ${r.to}`,
      ms(r.takeoverMs),
      ms(r.labelMs),
      ms(r.sliceMs),
      ms(r.produceOutageMs),
      ms(r.consumeOutageMs),
    ]),
  ];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  const line = (row: string[]) => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ');
  console.log(
    `\nFailovers (times from the kill; label flip and EndpointSlice include the broker takeover)\n`,
  );
  console.log(line(table[0]!));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of table.slice(1)) console.log(line(row));
  const p = (pick: (r: FailoverRow) => number) => {
    const q = percentiles(rows.map(pick));
    return `p50 ${ms(q.p50)} / max ${ms(q.max)}`;
  };
  console.log(
    `\n  broker takeover ${p((r) => r.takeoverMs)}; label flip ${p((r) => r.labelMs)}; client produce outage ${p((r) => r.produceOutageMs)}`,
  );
  console.log(
    "\nWhere the failover goes (stages add up to kill → first confirmed send; lock, keep-alive,\nrecovery and start from the new broker's log):\n",
  );
  console.log(formatFailoverBreakdown(rows.map((r) => r.stages)));
  console.log(
    `\nTotals: sent ${stats.sent}, confirmed ${stats.confirmed}, received ${stats.received}, lost ${lost}, duplicates seen by the handler ${stats.duplicates}`,
  );
  console.log(`Split routing (two pods labelled leader beyond the fencing step): ${splitRoutings}`);
  console.log(
    lost === 0 && splitRoutings === 0
      ? '\nOK: nothing confirmed was lost.'
      : '\nFAILED: see above.',
  );
}
