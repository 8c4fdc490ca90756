import { performance } from 'node:perf_hooks';
import { roundMs } from './clock.js';
import { ProbeFailedError } from './errors.js';
import type { Probe, ProbeResult } from './probe.js';

/** Runs a probe; a custom probe that throws yields an `error` result carrying the error. */
export async function runProbeSafely(probe: Probe, signal?: AbortSignal): Promise<ProbeResult> {
  const started = performance.now();
  try {
    return await probe.run(signal);
  } catch (err) {
    const wrapped = new ProbeFailedError(probe.name, { cause: err });
    return {
      probe: probe.name,
      status: 'error',
      latencyMs: roundMs(performance.now() - started),
      detail: `${wrapped.message}: ${err instanceof Error ? err.message : String(err)}`,
      errorCode: wrapped.code,
    };
  }
}
