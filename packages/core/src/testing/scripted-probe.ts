import type { Probe, ProbeResult, ProbeStatus } from '../probe.js';

/** A probe that answers what the test says; the last status repeats. */
export class ScriptedProbe implements Probe {
  readonly name = 'scripted';
  runs = 0;
  #statuses: ProbeStatus[];
  #throwNext = false;

  constructor(...statuses: ProbeStatus[]) {
    this.#statuses = statuses.length > 0 ? statuses : ['ok'];
  }

  /** From now on answer `statuses` (the last one repeating). */
  answer(...statuses: ProbeStatus[]): void {
    this.#statuses = statuses;
  }

  throwOnce(): void {
    this.#throwNext = true;
  }

  async run(): Promise<ProbeResult> {
    this.runs++;
    if (this.#throwNext) {
      this.#throwNext = false;
      throw new Error('probe bug');
    }
    const status = this.#statuses.length > 1 ? this.#statuses.shift()! : this.#statuses[0]!;
    return { probe: this.name, status, latencyMs: 1, detail: `scripted ${status}` };
  }
}
