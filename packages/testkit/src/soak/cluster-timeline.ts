import type { HaCluster } from '../cluster/ha-cluster.js';

interface Change {
  /** Epoch ms (Date.now()) of the committed write. */
  readonly time: number;
  readonly value: string;
}

/**
 * When the routing state of a cluster last changed, from the emulator's own records: label
 * changes from its label history, and changes of the Service's ready endpoints (what kube-proxy
 * routes to) stamped as the emulator commits each EndpointSlice write. Latencies computed from
 * these are exact to the write, not to the resolution of a poll. On the real target the same,
 * stamped as the pod and EndpointSlice watches see each change (a few ms after the write).
 */
export class ClusterTimeline implements Disposable {
  readonly #ready: Change[] = [];
  readonly #off: () => void;
  #lastReady = '';

  constructor(
    private readonly cluster: HaCluster,
    private readonly labelKey = 'leader',
  ) {
    this.#lastReady = this.#readyKey();
    this.#off = cluster.onChange(() => {
      const key = this.#readyKey();
      if (key === this.#lastReady) return;
      this.#lastReady = key;
      this.#ready.push({ time: Date.now(), value: key });
    });
  }

  /** Time of the last change of any pod's leader label in (from, to], if any. */
  lastLabelChange(from: number, to: number): number | undefined {
    let last: number | undefined;
    for (const c of this.cluster.labelHistory()) {
      if (c.time <= from || c.time > to) continue;
      if (c.before?.[this.labelKey] === c.after?.[this.labelKey]) continue;
      last = c.time;
    }
    return last;
  }

  /** Time of the last change of the Service's ready endpoints in (from, to], if any. */
  lastReadyChange(from: number, to: number): number | undefined {
    let last: number | undefined;
    for (const c of this.#ready) if (c.time > from && c.time <= to) last = c.time;
    return last;
  }

  close(): void {
    this.#off();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  #readyKey(): string {
    return this.cluster
      .readyEndpointPods('stomp')
      .map((pod) => pod ?? '(no targetRef)')
      .sort()
      .join(',');
  }
}
