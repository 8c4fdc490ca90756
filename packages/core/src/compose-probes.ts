import { performance } from 'node:perf_hooks';
import { roundMs } from './clock.js';
import { InvalidOptionError } from './errors.js';
import type { Probe, ProbeResult, ProbeStatus } from './probe.js';
import { runProbeSafely } from './run-probe.js';

/**
 * Which failure to report when parts disagree. `refused` first: a closed port is the strongest
 * evidence that the broker does not serve, so it must not be masked by a slower part's timeout.
 */
const FAILURE_ORDER: readonly ProbeStatus[] = ['refused', 'timeout', 'protocol', 'error'];

function worstFailure(results: readonly ProbeResult[]): ProbeResult | undefined {
  for (const status of FAILURE_ORDER) {
    const hit = results.find((r) => r.status === status);
    if (hit) return hit;
  }
  return undefined;
}

function requireParts(kind: string, probes: readonly Probe[]): void {
  if (probes.length === 0) throw new InvalidOptionError(kind, 'needs at least one probe');
}

/** `ok` only if every part is `ok` (parts run in parallel); otherwise the most telling failure. */
export function allOf(...probes: Probe[]): Probe {
  requireParts('allOf', probes);
  const name = `allOf(${probes.map((p) => p.name).join(', ')})`;
  return {
    name,
    async run(signal) {
      const started = performance.now();
      const children = await Promise.all(probes.map((p) => runProbeSafely(p, signal)));
      const latencyMs = roundMs(performance.now() - started);
      const failed = worstFailure(children);
      if (!failed) return { probe: name, status: 'ok', latencyMs, children };
      return {
        probe: name,
        status: failed.status,
        latencyMs,
        detail: `${failed.probe}: ${failed.detail ?? failed.status}`,
        ...(failed.errorCode ? { errorCode: failed.errorCode } : {}),
        children,
      };
    },
  };
}

/**
 * `ok` as soon as one part is `ok` (the others are aborted). `refused` only when every part was
 * refused; otherwise the failure order is timeout, protocol, error — a mix of refused and
 * inconclusive answers is itself inconclusive.
 */
export function anyOf(...probes: Probe[]): Probe {
  requireParts('anyOf', probes);
  const name = `anyOf(${probes.map((p) => p.name).join(', ')})`;
  return {
    name,
    async run(signal) {
      const started = performance.now();
      const inner = new AbortController();
      const forward = () => inner.abort();
      signal?.addEventListener('abort', forward, { once: true });
      try {
        const children: ProbeResult[] = [];
        const firstOk = await new Promise<ProbeResult | undefined>((resolve) => {
          let pending = probes.length;
          for (const p of probes) {
            void runProbeSafely(p, inner.signal).then((r) => {
              children.push(r);
              if (r.status === 'ok') resolve(r);
              else if (--pending === 0) resolve(undefined);
            });
          }
        });
        const latencyMs = roundMs(performance.now() - started);
        if (firstOk) {
          inner.abort();
          return { probe: name, status: 'ok', latencyMs, children: [firstOk] };
        }
        const allRefused = children.every((r) => r.status === 'refused');
        const failed = allRefused
          ? children[0]!
          : worstFailure(children.filter((r) => r.status !== 'refused'))!;
        return {
          probe: name,
          status: failed.status,
          latencyMs,
          detail: children.map((r) => `${r.probe}: ${r.detail ?? r.status}`).join('; '),
          ...(failed.errorCode ? { errorCode: failed.errorCode } : {}),
          children,
        };
      } finally {
        signal?.removeEventListener('abort', forward);
      }
    },
  };
}
