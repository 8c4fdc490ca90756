// A kubelet stand-in that talks to the API server only through @kubernetes/client-node, so it runs
// against a real kube-apiserver as well as the emulator. It does what a kubelet does for the pods of
// its node, with local processes as the containers: registers the Node, binds pods to it at
// creation (spec.nodeName, as the scheduler's binding would), writes pods/status (phase, podIP(s),
// PodScheduled/Initialized/ContainersReady/Ready), runs HTTP readiness probes with the kubelet's
// period and thresholds, and deletes gracefully: when a deletionTimestamp appears it SIGTERMs the
// containers, deletes the pod with grace 0 once they exited, and SIGKILLs them at the end of the
// grace period (pkg/kubelet/kuberuntime killContainer, pkg/kubelet/status/status_manager.go).
// Liveness probes kill a container after failureThreshold failures; a container that exited is
// started again (restartPolicy Always) after the kubelet's crash-loop back-off, counted in
// containerStatuses[].restartCount. Status writes that fail are retried on the next tick, as the
// status manager re-syncs.
import {
  CoreV1Api,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Pod,
  type V1PodCondition,
  Watch,
} from '@kubernetes/client-node';
import { podIPForLocalHost } from './pod-network.js';

/** A local process playing one container of a pod. */
export interface LocalContainer {
  readonly name: string;
  readonly running: boolean;
  /** Sends `signal`; resolves once the process has exited (at once if it is not running). */
  stop(signal: NodeJS.Signals): Promise<unknown>;
  /**
   * Starts the process again after it exited (the kubelet's restart under restartPolicy
   * Always). Without it an exited container stays exited, for tests that restart it themselves.
   */
  start?(): Promise<unknown>;
}

/** `httpGet` probe, with the API's field names and defaults. */
export interface HttpProbe {
  /** Where the probe connects; `undefined` while the process has no port yet (probe fails). */
  readonly url: () => string | undefined;
  /** @default 10000 (the API's default periodSeconds: 10) */
  readonly periodMs?: number;
  /** @default 1000 */
  readonly timeoutMs?: number;
  /** @default 3 */
  readonly failureThreshold?: number;
  /** @default 1 */
  readonly successThreshold?: number;
}

export type ReadinessProbe = HttpProbe;

/** A liveness probe of one container: after failureThreshold failures it is killed and restarted. */
export interface LivenessProbe extends HttpProbe {
  readonly container: string;
}

/** The kubelet's crash-loop back-off (pkg/kubelet: backOffPeriod 10 s, MaxContainerBackOff 300 s). */
export interface RestartBackOff {
  /** @default 10000 */
  readonly initialMs?: number;
  /** @default 300000 */
  readonly maxMs?: number;
}

/**
 * Delay before the next start of a container that exited after `restarts` earlier restarts: the
 * first restart at once, then initial, doubling, capped (flowcontrol.Backoff as the kubelet uses it).
 */
export function restartDelayMs(restarts: number, backOff: RestartBackOff = {}): number {
  if (restarts <= 0) return 0;
  const initial = backOff.initialMs ?? 10_000;
  const max = backOff.maxMs ?? 300_000;
  return Math.min(initial * 2 ** (restarts - 1), max);
}

export interface NodePodSpec {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /**
   * The loopback address the pod's processes listen on. The API shows the pod IP the stand-in
   * network maps it to (pod-network.ts), since a real API server rejects loopback endpoints.
   */
  readonly podIP: string;
  readonly containerPorts: readonly { name: string; containerPort: number }[];
  /** @default 30 (the API's default) */
  readonly terminationGracePeriodSeconds?: number;
  /** @default 'default' */
  readonly serviceAccountName?: string;
  /** Container names of the pod spec (the LocalContainers play them). @default ['activemq'] */
  readonly containers?: readonly string[];
}

interface ContainerState {
  restartCount: number;
  /** A restart is scheduled or under way. */
  restarting: boolean;
  /** The liveness probe killed it: the next start is a restart even while `running` lags. */
  killing: boolean;
  liveness: LivenessProbe | undefined;
  livenessTimer: NodeJS.Timeout | undefined;
  livenessFailures: number;
}

interface PodState {
  readonly spec: NodePodSpec;
  containers: readonly LocalContainer[];
  readonly byName: Map<string, ContainerState>;
  probe: ReadinessProbe | undefined;
  timer: NodeJS.Timeout | undefined;
  ready: boolean;
  successes: number;
  failures: number;
  terminating: boolean;
  /** The last status write failed (or something changed): write the whole status again. */
  dirty: boolean;
}

export interface NodeKubeletOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  /** @default 'node-0' */
  readonly nodeName?: string;
  /**
   * Pod IPs the API shows: `'pod-network'` maps loopback hosts into 10.244.0.0/16 (a real API
   * server rejects loopback endpoints, see pod-network.ts); `'loopback'` shows them as they are
   * (the emulator accepts them, and its clients connect there directly). @default 'pod-network'
   */
  readonly podIPs?: 'pod-network' | 'loopback';
  /** @default the kubelet's (10 s doubling to 300 s) */
  readonly restartBackOff?: RestartBackOff;
  /** How often exited containers are noticed (the PLEG relist period). @default 1000 */
  readonly relistPeriodMs?: number;
}

const SMP = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

export class NodeKubelet {
  readonly nodeName: string;
  readonly namespace: string;
  readonly #core: CoreV1Api;
  readonly #watch: Watch;
  readonly #pods = new Map<string, PodState>();
  #abort: AbortController | undefined;
  #stopped = false;
  readonly #removedListeners = new Set<(podName: string) => void>();
  /** Errors of background work (status writes, deletes), for failure messages. */
  readonly errors: unknown[] = [];
  readonly #options: NodeKubeletOptions;
  #relist: NodeJS.Timeout | undefined;

  constructor(options: NodeKubeletOptions) {
    this.#options = options;
    this.nodeName = options.nodeName ?? 'node-0';
    this.namespace = options.namespace;
    this.#core = options.kubeConfig.makeApiClient(CoreV1Api);
    this.#watch = new Watch(options.kubeConfig);
  }

  /** Registers the Node (Ready, InternalIP 127.0.0.1) and starts watching its pods. */
  async start(): Promise<void> {
    await this.#core.createNode({
      body: {
        metadata: { name: this.nodeName, labels: { 'kubernetes.io/hostname': this.nodeName } },
      },
    });
    const now = new Date();
    await this.#core.patchNodeStatus(
      {
        name: this.nodeName,
        body: {
          status: {
            addresses: [
              { type: 'InternalIP', address: '127.0.0.1' },
              { type: 'Hostname', address: this.nodeName },
            ],
            conditions: [
              {
                type: 'Ready',
                status: 'True',
                reason: 'KubeletReady',
                message: 'stand-in kubelet is posting ready status',
                lastHeartbeatTime: now,
                lastTransitionTime: now,
              },
            ],
          },
        },
      },
      SMP,
    );
    await this.#startWatch();
    const relist = () => {
      if (this.#stopped) return;
      for (const state of this.#pods.values()) void this.#supervise(state);
      this.#relist = setTimeout(relist, this.#options.relistPeriodMs ?? 1000);
    };
    relist();
  }

  /** Creates the pod bound to this node and marks it Running, not yet Ready. */
  async createPod(spec: NodePodSpec, containers: readonly LocalContainer[] = []): Promise<void> {
    await this.#core.createNamespacedPod({
      namespace: this.namespace,
      body: {
        metadata: { name: spec.name, labels: { ...spec.labels } },
        spec: {
          nodeName: this.nodeName,
          serviceAccountName: spec.serviceAccountName ?? 'default',
          // The agent reads its token from a file the harness writes (see service-account-token.ts).
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds ?? 30,
          containers: (spec.containers ?? ['activemq']).map((name, i) => ({
            name,
            image: 'activemq-ha/local-process',
            // The ports belong to the first container (the broker's).
            ...(i === 0
              ? {
                  ports: spec.containerPorts.map((p) => ({
                    name: p.name,
                    containerPort: p.containerPort,
                    protocol: 'TCP',
                  })),
                }
              : {}),
          })),
        },
      },
    });
    const state: PodState = {
      spec,
      containers,
      byName: new Map(),
      probe: undefined,
      timer: undefined,
      ready: false,
      successes: 0,
      failures: 0,
      terminating: false,
      dirty: false,
    };
    this.#pods.set(spec.name, state);
    const now = new Date();
    const podIP = this.#options.podIPs === 'loopback' ? spec.podIP : podIPForLocalHost(spec.podIP);
    await this.#patchStatus(spec.name, {
      phase: 'Running',
      hostIP: '127.0.0.1',
      hostIPs: [{ ip: '127.0.0.1' }],
      podIP,
      podIPs: [{ ip: podIP }],
      startTime: now,
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
        { type: 'Initialized', status: 'True', lastTransitionTime: now },
        ...readyConditions(false, now),
      ],
      containerStatuses: containerStatuses(state),
    });
  }

  /** The containers the pod's graceful deletion signals (replaced when a test restarts one). */
  setContainers(podName: string, containers: readonly LocalContainer[]): void {
    const state = this.#state(podName);
    state.containers = containers;
    state.dirty = true;
    void this.#flush(state);
  }

  /** restartCount of a container, as containerStatuses show it. */
  restartCount(podName: string, container: string): number {
    return this.#pods.get(podName)?.byName.get(container)?.restartCount ?? 0;
  }

  /**
   * Starts (or replaces) a container's liveness probe: after failureThreshold consecutive
   * failures the kubelet kills the container (SIGTERM, SIGKILL after the grace period) and, as
   * restartPolicy Always, starts it again (if it can be started, see LocalContainer.start).
   */
  setLivenessProbe(podName: string, probe: LivenessProbe): void {
    const state = this.#state(podName);
    const c = containerState(state, probe.container);
    clearTimeout(c.livenessTimer);
    c.liveness = probe;
    c.livenessFailures = 0;
    const tick = async () => {
      if (this.#stopped || state.terminating || c.liveness !== probe) return;
      const container = state.containers.find((x) => x.name === probe.container);
      // No probes while the container is down or being restarted.
      if (container?.running && !c.restarting && !c.killing) {
        const ok = await httpProbe(probe.url(), probe.timeoutMs ?? 1000);
        c.livenessFailures = ok ? 0 : c.livenessFailures + 1;
        if (c.livenessFailures >= (probe.failureThreshold ?? 3)) {
          c.livenessFailures = 0;
          await this.#killForRestart(state, container, c);
        }
      }
      if (this.#stopped || state.terminating || c.liveness !== probe) return;
      c.livenessTimer = setTimeout(() => void tick(), probe.periodMs ?? 10_000);
    };
    c.livenessTimer = setTimeout(() => void tick(), probe.periodMs ?? 10_000);
  }

  /** Starts (or replaces) the readiness probe of a pod; Ready follows the thresholds. */
  setReadinessProbe(podName: string, probe: ReadinessProbe): void {
    const state = this.#state(podName);
    clearTimeout(state.timer);
    state.probe = probe;
    state.successes = 0;
    state.failures = 0;
    // The kubelet runs the first probe at once (initialDelaySeconds: 0), then every period.
    const tick = async () => {
      if (this.#stopped || state.terminating || state.probe !== probe) return;
      await this.#runProbe(state, probe);
      if (this.#stopped || state.terminating || state.probe !== probe) return;
      state.timer = setTimeout(() => void tick(), probe.periodMs ?? 10_000);
    };
    void tick();
  }

  /** Calls `listener` after a pod's containers stopped and the pod was removed (a ReplicaSet's cue). */
  onPodRemoved(listener: (podName: string) => void): () => void {
    this.#removedListeners.add(listener);
    return () => this.#removedListeners.delete(listener);
  }

  /** Whether this kubelet runs `podName` (created it and has not removed or forgotten it). */
  manages(podName: string): boolean {
    return this.#pods.has(podName);
  }

  /**
   * Stops running `podName`: no more probes, restarts or graceful deletion by this kubelet, the
   * API object stays as it is. For a test that plays the kubelet for that pod itself.
   */
  forget(podName: string): void {
    const state = this.#pods.get(podName);
    if (!state) return;
    clearTimeout(state.timer);
    for (const c of state.byName.values()) clearTimeout(c.livenessTimer);
    state.terminating = true;
    this.#pods.delete(podName);
  }

  /** Resolves once `podName` was removed by this kubelet (its containers stopped, the pod deleted). */
  removal(podName: string): Promise<void> {
    return new Promise((resolve) => {
      const off = this.onPodRemoved((name) => {
        if (name !== podName) return;
        off();
        resolve();
      });
    });
  }

  /** Stops probing a pod; its Ready condition stays as last written. */
  stopProbe(podName: string): void {
    const state = this.#pods.get(podName);
    if (!state) return;
    clearTimeout(state.timer);
    state.probe = undefined;
  }

  /** Stops the watch and every probe; does not touch the processes or the API objects. */
  stop(): void {
    this.#stopped = true;
    this.#abort?.abort();
    clearTimeout(this.#relist);
    for (const s of this.#pods.values()) {
      clearTimeout(s.timer);
      for (const c of s.byName.values()) clearTimeout(c.livenessTimer);
    }
  }

  /** Kills a container the liveness probe gave up on; the relist loop restarts it. */
  async #killForRestart(
    state: PodState,
    container: LocalContainer,
    c: ContainerState,
  ): Promise<void> {
    c.killing = true;
    const grace = (state.spec.terminationGracePeriodSeconds ?? 30) * 1000;
    const deadline = setTimeout(() => void container.stop('SIGKILL'), grace);
    try {
      await container.stop('SIGTERM');
    } finally {
      clearTimeout(deadline);
      c.killing = false;
    }
    await this.#supervise(state);
  }

  /** Restarts exited containers after their back-off; re-sends a status that failed to write. */
  async #supervise(state: PodState): Promise<void> {
    if (this.#stopped || state.terminating) return;
    for (const container of state.containers) {
      const c = containerState(state, container.name);
      if (container.running || !container.start || c.restarting || c.killing) continue;
      c.restarting = true;
      const delay = restartDelayMs(c.restartCount, this.#options.restartBackOff);
      setTimeout(() => {
        if (this.#stopped || state.terminating) {
          c.restarting = false;
          return;
        }
        void (async () => {
          try {
            await container.start?.();
            c.restartCount++;
            state.dirty = true;
          } catch (error) {
            this.errors.push(error);
          } finally {
            c.restarting = false;
          }
          await this.#flush(state);
        })();
      }, delay);
    }
    await this.#flush(state);
  }

  /** Writes the pod's whole kubelet-owned status if it is dirty. */
  async #flush(state: PodState): Promise<void> {
    if (!state.dirty || state.terminating) return;
    state.dirty = false;
    const ok = await this.#patchStatus(state.spec.name, {
      conditions: readyConditions(state.ready, new Date()),
      containerStatuses: containerStatuses(state),
    });
    if (!ok) state.dirty = true;
  }

  #state(podName: string): PodState {
    const state = this.#pods.get(podName);
    if (!state) throw new Error(`pod ${podName} does not run on node ${this.nodeName}`);
    return state;
  }

  async #runProbe(state: PodState, probe: ReadinessProbe): Promise<void> {
    const ok = await httpProbe(probe.url(), probe.timeoutMs ?? 1000);
    if (ok) {
      state.successes++;
      state.failures = 0;
    } else {
      state.failures++;
      state.successes = 0;
    }
    const next = ok
      ? state.ready || state.successes >= (probe.successThreshold ?? 1)
      : state.ready && state.failures < (probe.failureThreshold ?? 3);
    if (next !== state.ready) {
      state.ready = next;
      state.dirty = true;
    }
    // Also retries a write that failed on an earlier tick (an API outage, an injected fault).
    await this.#flush(state);
  }

  /** Resolves whether the write went through; failures are kept in `errors`. */
  async #patchStatus(name: string, status: NonNullable<V1Pod['status']>): Promise<boolean> {
    try {
      await this.#core.patchNamespacedPodStatus(
        { name, namespace: this.namespace, body: { status } },
        SMP,
      );
      return true;
    } catch (error) {
      this.errors.push(error);
      return false;
    }
  }

  /** Starts the watch again after `delayMs`, and keeps trying while the API refuses the list. */
  #restartWatch(delayMs: number): void {
    setTimeout(() => {
      this.#startWatch().catch((e: unknown) => {
        this.errors.push(e);
        if (!this.#stopped) this.#restartWatch(500);
      });
    }, delayMs);
  }

  async #startWatch(): Promise<void> {
    if (this.#stopped) return;
    const list = await this.#core.listNamespacedPod({
      namespace: this.namespace,
      fieldSelector: `spec.nodeName=${this.nodeName}`,
    });
    const onEvent = (phase: string, pod: V1Pod) => {
      const name = pod.metadata?.name ?? '';
      const state = this.#pods.get(name);
      if (!state || state.terminating) return;
      if (phase === 'MODIFIED' && pod.metadata?.deletionTimestamp) void this.#terminate(state, pod);
      // Removed without a graceful phase (grace 0 or a force delete): the kubelet kills at once.
      else if (phase === 'DELETED') void this.#terminate(state, pod);
    };
    const onDone = (error: unknown) => {
      if (this.#stopped) return;
      if (error && (error as Error).name !== 'TimeoutError') this.errors.push(error);
      // Resume: a missed deletionTimestamp would leave a pod terminating for ever.
      this.#restartWatch(error ? 500 : 0);
    };
    const controller = await this.#watch.watch(
      `/api/v1/namespaces/${encodeURIComponent(this.namespace)}/pods`,
      {
        fieldSelector: `spec.nodeName=${this.nodeName}`,
        resourceVersion: list.metadata?.resourceVersion,
      },
      onEvent,
      onDone,
    );
    if (this.#stopped) controller.abort();
    else this.#abort = controller;
    // A deletion that happened between two watches shows in the list.
    for (const pod of list.items)
      onEvent(pod.metadata?.deletionTimestamp ? 'MODIFIED' : 'ADDED', pod);
  }

  async #terminate(state: PodState, pod: V1Pod): Promise<void> {
    state.terminating = true;
    clearTimeout(state.timer);
    for (const c of state.byName.values()) clearTimeout(c.livenessTimer);
    const graceSeconds =
      pod.metadata?.deletionGracePeriodSeconds ?? state.spec.terminationGracePeriodSeconds ?? 30;
    const deadline = setTimeout(() => {
      for (const c of state.containers) if (c.running) void c.stop('SIGKILL');
    }, graceSeconds * 1000);
    await Promise.all(state.containers.map((c) => c.stop('SIGTERM')));
    clearTimeout(deadline);
    this.#pods.delete(state.spec.name);
    const uid = pod.metadata?.uid;
    try {
      await this.#core.deleteNamespacedPod({
        name: state.spec.name,
        namespace: this.namespace,
        body: { gracePeriodSeconds: 0, ...(uid ? { preconditions: { uid } } : {}) },
      });
    } catch (error) {
      // Already gone (a force delete): nothing left to remove.
      if ((error as { code?: number }).code !== 404) this.errors.push(error);
    }
    for (const listener of [...this.#removedListeners]) listener(state.spec.name);
  }
}

function readyConditions(ready: boolean, now: Date): V1PodCondition[] {
  const status = ready ? 'True' : 'False';
  const reason = ready ? undefined : 'ContainersNotReady';
  return ['ContainersReady', 'Ready'].map((type) => ({
    type,
    status,
    lastTransitionTime: now,
    ...(reason ? { reason } : {}),
  }));
}

/** The kubelet's HTTP probe: any status in [200, 400) is success; no answer is failure. */
async function httpProbe(url: string | undefined, timeoutMs: number): Promise<boolean> {
  if (url === undefined) return false;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    await res.arrayBuffer();
    return res.status >= 200 && res.status < 400;
  } catch {
    return false;
  }
}

function containerState(state: PodState, name: string): ContainerState {
  let c = state.byName.get(name);
  if (!c) {
    c = {
      restartCount: 0,
      restarting: false,
      killing: false,
      liveness: undefined,
      livenessTimer: undefined,
      livenessFailures: 0,
    };
    state.byName.set(name, c);
  }
  return c;
}

/** containerStatuses as the kubelet reports them (no patch merge key: the list is replaced). */
function containerStatuses(state: PodState): NonNullable<V1Pod['status']>['containerStatuses'] {
  const now = new Date();
  return state.containers.map((container) => ({
    name: container.name,
    image: 'activemq-ha/local-process',
    imageID: '',
    ready: container.running && state.ready,
    started: container.running,
    restartCount: containerState(state, container.name).restartCount,
    state: container.running
      ? { running: { startedAt: now } }
      : { waiting: { reason: 'CrashLoopBackOff' } },
  }));
}
