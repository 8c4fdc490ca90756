import { procMemory } from '../bench/proc-memory.js';
import { type Percentiles, percentiles } from '../bench/stats.js';
import type { HaCluster } from '../cluster/ha-cluster.js';

/** The agents' memory through a soak, in MiB. */
export interface AgentMemoryFigures {
  /** VmRSS of every running agent at every sample. */
  readonly rss: Percentiles;
  /** RssAnon (the process's own memory, without the node binary's file pages), same samples. */
  readonly anon: Percentiles;
  /** V8 heap used (the agent's `nodejs_heap_size_used_bytes`), where /metrics answered. */
  readonly heapUsed: Percentiles;
  /** Highest VmHWM of any agent process: what a memory limit must hold. */
  readonly peakRssMiB: number;
}

const HEAP_USED = /^nodejs_heap_size_used_bytes(?:\{[^}]*\})? (\S+)$/m;

/**
 * Samples every agent process of the cluster (from /proc, and its /metrics for the heap) every
 * `intervalMs` while the soak runs. Agents that are stopped (SIGSTOP) or restarting are skipped.
 */
export class AgentMemorySampler {
  readonly #rss: number[] = [];
  readonly #anon: number[] = [];
  readonly #heap: number[] = [];
  #peak = 0;
  #busy = false;
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly cluster: HaCluster,
    intervalMs = 2000,
  ) {
    this.#timer = setInterval(() => void this.#sample(), intervalMs);
    this.#timer.unref();
  }

  async #sample(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      for (const pod of this.cluster.pods) {
        const agent = pod.agent;
        if (!agent?.running) continue;
        const m = procMemory(agent.pid);
        // An agent that is exiting has a status without memory lines (NaN): no sample.
        if (!m || !Number.isFinite(m.peakMiB) || !Number.isFinite(m.rssMiB)) continue;
        this.#rss.push(m.rssMiB);
        this.#anon.push(m.anonMiB);
        this.#peak = Math.max(this.#peak, m.peakMiB);
        if (agent.httpPort === undefined) continue;
        try {
          const res = await fetch(`http://127.0.0.1:${agent.httpPort}/metrics`, {
            signal: AbortSignal.timeout(1000),
          });
          const used = Number(HEAP_USED.exec(await res.text())?.[1]);
          if (Number.isFinite(used)) this.#heap.push(used / 1048576);
        } catch {
          // stopped or restarting: no heap figure this time
        }
      }
    } finally {
      this.#busy = false;
    }
  }

  /** Stops sampling; the figures so far. */
  stop(): AgentMemoryFigures {
    clearInterval(this.#timer);
    return {
      rss: percentiles(this.#rss),
      anon: percentiles(this.#anon),
      heapUsed: percentiles(this.#heap),
      peakRssMiB: this.#peak,
    };
  }
}
