export interface Percentiles {
  readonly n: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

/** Nearest-rank percentiles; enough for the tens of samples a failover benchmark takes. */
export function percentiles(samples: readonly number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
  return { n: sorted.length, p50: rank(50), p95: rank(95), max: sorted.at(-1) ?? Number.NaN };
}

/** Prints a Markdown table (ready to paste into a README) of millisecond figures. */
export function printTable(title: string, rows: readonly (readonly [string, Percentiles])[]): void {
  const ms = (v: number) => (Number.isNaN(v) ? '–' : `${Math.round(v)} ms`);
  const lines = [
    `### ${title}`,
    '',
    '| measure | n | p50 | p95 | max |',
    '|---|---:|---:|---:|---:|',
    ...rows.map(([name, p]) => `| ${name} | ${p.n} | ${ms(p.p50)} | ${ms(p.p95)} | ${ms(p.max)} |`),
  ];
  console.log(lines.join('\n'));
}
