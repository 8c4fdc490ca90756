import { CoreV1Api, type KubeConfig, type V1Pod, Watch } from '@kubernetes/client-node';
import type { LabelChange } from '../kube/label-history.js';
import { describePods, LEADER_LABEL, LEADER_VALUE, podName } from './group-pods.js';
import { type LeaderOverlap, leaderOverlaps } from './leader-overlaps.js';

export interface PodWatchUntilOptions {
  readonly timeoutMs: number;
  readonly description: string;
}

/**
 * Lists the group's pods, then watches them from the list's resourceVersion and records every
 * label change with the time it was seen — the evidence for "never two pods labelled leader=yes
 * beyond the fencing step" (the same `leaderOverlaps` the emulator tests use). A watch that ends
 * (client-node's 30 s inactivity timeout, a server timeout, a reset) resumes from the last
 * resourceVersion, so no change is missed; only a 410 Gone forces a relist, counted in `gaps`
 * because what happened in between cannot be proven.
 */
export class PodWatch {
  readonly #pods = new Map<string, V1Pod>();
  readonly #changes: LabelChange[] = [];
  readonly #listeners = new Set<() => void>();
  readonly #core: CoreV1Api;
  readonly #watch: Watch;
  #resourceVersion: string | undefined;
  #abort: AbortController | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #stopped = false;
  #gaps = 0;
  /** The last watch failure other than a routine timeout, for failure messages. */
  lastError: unknown;

  private constructor(
    kubeConfig: KubeConfig,
    readonly namespace: string,
    readonly labelSelector: string,
  ) {
    this.#core = kubeConfig.makeApiClient(CoreV1Api);
    this.#watch = new Watch(kubeConfig);
  }

  static async start(
    kubeConfig: KubeConfig,
    namespace: string,
    labelSelector: string,
  ): Promise<PodWatch> {
    const w = new PodWatch(kubeConfig, namespace, labelSelector);
    await w.#list(false);
    return w;
  }

  /** The group's pods as last seen (terminating ones included until they are gone). */
  pods(): V1Pod[] {
    return [...this.#pods.values()].sort((a, b) => podName(a).localeCompare(podName(b)));
  }

  /** Every label change seen, starting with the pods of the initial list as ADDED. */
  changes(): LabelChange[] {
    return [...this.#changes];
  }

  /** Spans with more than one pod labelled leader=yes. */
  overlaps(): LeaderOverlap[] {
    return leaderOverlaps(this.#changes, LEADER_LABEL, LEADER_VALUE);
  }

  /** Relists forced by 410 Gone: label changes in such a gap may have gone unseen. */
  get gaps(): number {
    return this.#gaps;
  }

  /** Resolves with the first truthy `check(pods)`, evaluated now and after every change seen. */
  until<T>(check: (pods: V1Pod[]) => T | undefined | false, o: PodWatchUntilOptions): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const evaluate = (): boolean => {
        const value = check(this.pods());
        if (value === undefined || value === false) return false;
        done();
        resolve(value);
        return true;
      };
      const timer = setTimeout(() => {
        done();
        const err = this.lastError ? `; last watch error: ${String(this.lastError)}` : '';
        reject(
          new Error(
            `timed out after ${o.timeoutMs} ms waiting for ${o.description}; pods: ${describePods(this.pods())}${err}`,
          ),
        );
      }, o.timeoutMs);
      const listener = () => void evaluate();
      const done = () => {
        clearTimeout(timer);
        this.#listeners.delete(listener);
      };
      if (!evaluate()) this.#listeners.add(listener);
    });
  }

  /** Calls `listener` after every change seen (and every poke); returns its removal. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Re-evaluates every pending `until` now: for conditions that also read state outside the API. */
  poke(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    this.#abort?.abort();
    this.#abort = undefined;
  }

  async #list(gap: boolean): Promise<void> {
    const list = await this.#core.listNamespacedPod({
      namespace: this.namespace,
      labelSelector: this.labelSelector,
    });
    if (gap) this.#gaps++;
    const seen = new Set<string>();
    for (const pod of list.items) {
      seen.add(podName(pod));
      this.#apply(this.#pods.has(podName(pod)) ? 'MODIFIED' : 'ADDED', pod);
    }
    for (const [name, pod] of this.#pods) if (!seen.has(name)) this.#apply('DELETED', pod);
    this.#resourceVersion = list.metadata?.resourceVersion;
    this.#startWatch();
  }

  #startWatch(): void {
    if (this.#stopped) return;
    const path = `/api/v1/namespaces/${encodeURIComponent(this.namespace)}/pods`;
    const query = {
      labelSelector: this.labelSelector,
      allowWatchBookmarks: true,
      resourceVersion: this.#resourceVersion,
    };
    let gone = false;
    let errorEvent = false;
    const onEvent = (phase: string, obj: V1Pod & { code?: number }) => {
      if (this.#stopped) return;
      if (phase === 'ERROR') {
        // An ERROR event carries a Status; 410 means our resourceVersion is too old.
        gone = obj.code === 410;
        errorEvent = true;
        this.lastError = new Error(`watch ERROR event: ${JSON.stringify(obj)}`);
        return;
      }
      this.#resourceVersion = obj.metadata?.resourceVersion ?? this.#resourceVersion;
      if (phase === 'BOOKMARK') return;
      if (phase === 'ADDED' || phase === 'MODIFIED' || phase === 'DELETED') this.#apply(phase, obj);
    };
    const onDone = (error: unknown) => {
      if (this.#stopped) return;
      const status = (error as { statusCode?: number } | null)?.statusCode;
      if (gone || status === 410) {
        this.#retry(() => this.#list(true));
        return;
      }
      // client-node ends a watch after 30 s without data with a TimeoutError: routine.
      if (errorEvent || (error && (error as Error).name !== 'TimeoutError')) {
        if (error) this.lastError = error;
        this.#retry(() => this.#startWatch(), 1000);
        return;
      }
      this.#startWatch();
    };
    this.#watch.watch(path, query, onEvent, onDone).then((controller) => {
      if (this.#stopped) controller.abort();
      else this.#abort = controller;
    }, onDone);
  }

  #retry(action: () => void | Promise<void>, delayMs = 0): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      Promise.resolve(action()).catch((error: unknown) => {
        this.lastError = error;
        this.#retry(action, 1000);
      });
    }, delayMs);
  }

  #apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', pod: V1Pod): void {
    const name = podName(pod);
    const previous = this.#pods.get(name);
    const before = previous?.metadata?.labels ?? {};
    if (type === 'DELETED') {
      this.#pods.delete(name);
      if (previous) this.#record('DELETED', pod, before, undefined);
    } else {
      this.#pods.set(name, pod);
      const after = pod.metadata?.labels ?? {};
      if (!previous) this.#record('ADDED', pod, undefined, after);
      else if (!sameLabels(before, after)) this.#record('MODIFIED', pod, before, after);
    }
    for (const listener of [...this.#listeners]) listener();
  }

  #record(
    type: LabelChange['type'],
    pod: V1Pod,
    before: Readonly<Record<string, string>> | undefined,
    after: Readonly<Record<string, string>> | undefined,
  ): void {
    this.#changes.push({
      resourceVersion: Number(pod.metadata?.resourceVersion) || 0,
      time: Date.now(),
      type,
      namespace: this.namespace,
      pod: podName(pod),
      ...(before ? { before: { ...before } } : {}),
      ...(after ? { after: { ...after } } : {}),
    });
  }
}

function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>) {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
