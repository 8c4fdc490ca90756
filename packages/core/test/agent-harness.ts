import {
  KubeClient,
  type KubeClientOptions,
  LeaderElector,
  type PodApi,
  PodLabeler,
  type PodLabelerOptions,
  type Probe,
} from '@activemq-ha/core';
import type { KubeConfig } from '@kubernetes/client-node';

export const GROUP_LABEL = 'app.kubernetes.io/name';
export const GROUP_SELECTOR = `${GROUP_LABEL}=activemq`;

/** What the agent sidecar wires together for one pod, minus HTTP and logging. */
export interface MiniAgent extends AsyncDisposable {
  readonly pod: string;
  readonly client: KubeClient;
  readonly elector: LeaderElector;
  readonly labeler: PodLabeler;
  stop(options?: { release?: boolean }): Promise<void>;
}

export interface MiniAgentOptions {
  readonly pod: string;
  readonly namespace: string;
  readonly kubeConfig: KubeConfig;
  readonly probe: Probe;
  readonly client?: Partial<Omit<KubeClientOptions, 'kubeConfig'>>;
  readonly labeler?: Partial<PodLabelerOptions>;
  /** Wraps the client, e.g. to interleave another writer with the labeler's requests. */
  readonly wrapApi?: (client: KubeClient) => PodApi;
  /** @default 50 (fast, for tests) */
  readonly intervalMs?: number;
}

export function startMiniAgent(o: MiniAgentOptions): MiniAgent {
  const client = new KubeClient({ kubeConfig: o.kubeConfig, requestTimeoutMs: 3000, ...o.client });
  const elector = new LeaderElector({ probe: o.probe, intervalMs: o.intervalMs ?? 50 });
  const labeler = new PodLabeler({
    api: o.wrapApi ? o.wrapApi(client) : client,
    elector,
    namespace: o.namespace,
    podName: o.pod,
    groupSelector: GROUP_SELECTOR,
    resyncIntervalMs: 1000,
    backoff: { initialDelayMs: 50, maxDelayMs: 500 },
    ...o.labeler,
  });
  if (process.env.DEBUG_AGENT) {
    labeler.on('apiError', (e) => console.log(o.pod, 'apiError', e.error.message));
    labeler.on('reconciled', (e) => console.log(o.pod, 'reconciled', e.desired, e.label));
    elector.on('transition', (t) => console.log(o.pod, 'transition', t.to));
  }
  labeler.start();
  elector.start();
  let stopped = false;
  const stop = async (options: { release?: boolean } = {}) => {
    if (stopped) return;
    stopped = true;
    await elector.stop();
    await labeler.stop(options);
  };
  return {
    pod: o.pod,
    client,
    elector,
    labeler,
    stop,
    [Symbol.asyncDispose]: () => stop(),
  };
}

/** A PodApi that forwards to `api` except for the methods in `overrides`. */
export function delegate(api: PodApi, overrides: Partial<PodApi>): PodApi {
  return {
    readPod: (ns, name) => api.readPod(ns, name),
    listPods: (ns, selector) => api.listPods(ns, selector),
    patchPodMetadata: (ns, name, patch) => api.patchPodMetadata(ns, name, patch),
    watchPods: (ns, query, handlers) => api.watchPods(ns, query, handlers),
    createPodEvent: (event) => api.createPodEvent(event),
    updatePodEventSeries: (ns, name, series) => api.updatePodEventSeries(ns, name, series),
    readLease: (ns, name) => api.readLease(ns, name),
    createLease: (ns, name, spec, labels) => api.createLease(ns, name, spec, labels),
    updateLease: (ns, name, rv, spec) => api.updateLease(ns, name, rv, spec),
    ...overrides,
  };
}
