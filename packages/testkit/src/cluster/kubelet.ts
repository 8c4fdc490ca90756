import type { KubeEmulator } from '../kube/kube-emulator.js';
import type { AgentProcess } from './agent-process.js';

/**
 * The part of the kubelet that matters here: it runs each agent's readiness probe (`GET /readyz`)
 * every period and writes the result into the pod's Ready condition, which the EndpointSlice
 * controller turns into the endpoint's `ready` flag — the routing signal that needs no API write
 * from the agent.
 */
export class Kubelet {
  #timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly kube: KubeEmulator,
    private readonly periodMs: number,
  ) {}

  watch(podName: string, agent: AgentProcess): void {
    this.unwatch(podName);
    const probe = async () => {
      const ready = await this.#probe(agent);
      if (!this.#timers.has(podName)) return;
      const pod = this.kube.getPod(podName);
      const conditions = (
        pod?.status as { conditions?: { type: string; status: string }[] } | undefined
      )?.conditions;
      const current = conditions?.find((c) => c.type === 'Ready')?.status === 'True';
      if (pod && current !== ready) this.kube.setPodReady(podName, ready);
    };
    this.#timers.set(
      podName,
      setInterval(() => void probe(), this.periodMs),
    );
  }

  unwatch(podName: string): void {
    clearInterval(this.#timers.get(podName));
    this.#timers.delete(podName);
  }

  stop(): void {
    for (const name of [...this.#timers.keys()]) this.unwatch(name);
  }

  async #probe(agent: AgentProcess): Promise<boolean> {
    if (!agent.running || agent.httpPort === undefined) return false;
    try {
      const res = await fetch(`http://127.0.0.1:${agent.httpPort}/readyz`, {
        signal: AbortSignal.timeout(this.periodMs),
      });
      await res.arrayBuffer();
      return res.ok;
    } catch {
      return false;
    }
  }
}
