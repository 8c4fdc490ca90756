import { now } from '../broker/timing.js';
import type { HaCluster } from './ha-cluster.js';

export interface HandoverTimes {
  /** When the target pod was first seen labelled leader. */
  readonly labelAt: number;
  /** When the Service's ready endpoints first were the target pod alone. */
  readonly sliceAt: number;
}

/**
 * Times a routing hand-over to one pod as the emulator commits each write (on the real target: as
 * the pod and EndpointSlice watches see each change): when that pod gets
 * the leader label, and when the EndpointSlices route to it alone. Start it before the fault so
 * no write is missed; name the target (`expect`) once it is known.
 */
export class RoutingHandover implements Disposable {
  #target: string | undefined;
  #labelAt: number | undefined;
  #sliceAt: number | undefined;
  readonly #off: () => void;

  constructor(
    private readonly cluster: HaCluster,
    private readonly clock: () => number = now,
  ) {
    this.#off = cluster.onChange(() => this.#check());
  }

  expect(pod: string): void {
    this.#target = pod;
    this.#check();
  }

  /** Resolves once both moments are known. */
  async done(timeoutMs = 30_000): Promise<HandoverTimes> {
    await this.cluster.waitFor(() => this.#labelAt !== undefined && this.#sliceAt !== undefined, {
      timeoutMs,
      description: `routing hand-over to ${this.#target ?? '(no target named)'}`,
    });
    return { labelAt: this.#labelAt!, sliceAt: this.#sliceAt! };
  }

  close(): void {
    this.#off();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  #check(): void {
    const target = this.#target;
    if (!target) return;
    if (this.#labelAt === undefined && this.cluster.leaders().includes(target)) {
      this.#labelAt = this.clock();
    }
    const ready = this.cluster.readyEndpointPods('stomp');
    if (this.#sliceAt === undefined && ready.length === 1 && ready[0] === target) {
      this.#sliceAt = this.clock();
    }
  }
}
