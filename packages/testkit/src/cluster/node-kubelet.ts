// A kubelet stand-in that talks to the API server only through @kubernetes/client-node, so it runs
// against a real kube-apiserver as well as the emulator. It does what a kubelet does for the pods of
// its node, with local processes as the containers (local-container.ts):
// - registers the Node; binds the namespace's unscheduled pods to it with the pods/binding
//   subresource, as the scheduler would (there is no kube-scheduler here);
// - runs a pod's init containers one after the other, then its containers, from the `images` map
//   (an unknown image is ErrImagePull, then ImagePullBackOff), or from the processes a test hands
//   over with `createPod`;
// - runs the probes of the pod spec (httpGet, tcpSocket, exec; startup gating liveness and
//   readiness) with the kubelet's decisions (probe-worker.ts), kills a container whose liveness or
//   startup probe gave up, and restarts exited containers after the crash-loop back-off;
// - writes pods/status (phase, podIP(s), conditions, container statuses; kubelet-pod-status.ts),
//   retrying a failed write on the next tick as the status manager re-syncs;
// - deletes gracefully: when a deletionTimestamp appears it SIGTERMs the containers, deletes the
//   pod with grace 0 once they exited, and SIGKILLs them at the end of the grace period
//   (pkg/kubelet/kuberuntime killContainer, pkg/kubelet/status/status_manager.go).
import {
  CoreV1Api,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Container,
  type V1Pod,
  type V1PodStatus,
  type V1Probe,
  Watch,
} from '@kubernetes/client-node';
import {
  type ConditionClock,
  type ContainerView,
  podStatus,
  type TerminatedState,
} from './kubelet-pod-status.js';
import { containerEnv, type LocalContainer, type LocalImages } from './local-container.js';
import { podIPForLocalHost } from './pod-network.js';
import { type ProbeHandler, runProbe } from './probe-runner.js';
import {
  afterProbe,
  beforeProbe,
  containerReady,
  containerStarted,
  newProbeWorkerState,
  type ProbeKind,
  type ProbeTiming,
  type ProbeWorkerState,
  probeTiming,
  statusFor,
} from './probe-worker.js';

export type { LocalContainer } from './local-container.js';

/**
 * An `httpGet` probe given by URL, in milliseconds. The API's periodSeconds cannot go below 1 s;
 * the fast test profiles probe every 500 ms, so they set their probes through these setters. The
 * probe then runs in the same worker as a probe of the pod spec.
 */
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

export interface ReadinessProbe extends HttpProbe {
  /** @default the pod's first container */
  readonly container?: string;
}

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
  /** The ports of the first container (the broker's). */
  readonly containerPorts: readonly { name: string; containerPort: number }[];
  /** @default 30 (the API's default) */
  readonly terminationGracePeriodSeconds?: number;
  /** @default 'default' */
  readonly serviceAccountName?: string;
  /**
   * The containers of the pod spec: names (the LocalContainers play them), or whole container
   * specs with their probes. @default the names of the containers createPod is given, or
   * ['activemq']
   */
  readonly containers?: readonly (string | V1Container)[];
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
  /** @default the kubelet's (10 s doubling to 300 s); also the image pull back-off */
  readonly restartBackOff?: RestartBackOff;
  /** How often exited containers are noticed (the PLEG relist period). @default 1000 */
  readonly relistPeriodMs?: number;
  /** The container runtime's images, for pods this kubelet did not create. @default {} */
  readonly images?: LocalImages;
  /**
   * The local address the processes of a pod run from `images` bind (its sandbox's IP).
   * @default '127.0.0.1'
   */
  readonly podHost?: (pod: V1Pod) => string;
}

const SMP = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

interface Worker {
  readonly kind: ProbeKind;
  readonly timing: ProbeTiming;
  readonly handler: ProbeHandler;
  state: ProbeWorkerState;
  timer: NodeJS.Timeout | undefined;
  busy: boolean;
  stopped: boolean;
}

/** One container of a pod (init or regular) and what the kubelet tracks of it. */
interface ContainerRun {
  readonly name: string;
  readonly spec: V1Container | undefined;
  readonly init: boolean;
  instance: LocalContainer | undefined;
  /** A createPod container the test did not hand over: the test plays it, it counts as running. */
  playedByTest: boolean;
  /** The process was handed over by the test (createPod, setContainers), not started from an image. */
  handedOver: boolean;
  /** A new instance the relist has not looked at yet. */
  fresh: boolean;
  /** How a new instance starts (an image, or the handed-over process's start()). */
  start: (() => Promise<LocalContainer | undefined>) | undefined;
  id: number | undefined;
  seenRunning: boolean;
  startedAt: Date | undefined;
  startedAtMs: number | undefined;
  restartCount: number;
  waiting: { reason: string; message?: string } | undefined;
  terminated: TerminatedState | undefined;
  lastTerminated: TerminatedState | undefined;
  /** A start is scheduled or under way. */
  starting: boolean;
  /** A probe killed it: the next start is a restart even while `running` lags. */
  killing: boolean;
  pullFailures: number;
  readonly workers: Map<ProbeKind, Worker>;
}

interface PodState {
  readonly name: string;
  readonly uid: string | undefined;
  pod: V1Pod;
  /** Where the pod's processes listen on this machine. */
  readonly podHost: string;
  /** What the API shows as the pod IP. */
  readonly podIP: string;
  readonly startTime: Date;
  readonly initContainers: ContainerRun[];
  readonly containers: ContainerRun[];
  initialized: boolean;
  /**
   * A createPod pod whose readiness probe the test sets later (setReadinessProbe): not Ready
   * until then, rather than Ready at once as a pod without any readiness probe would be.
   */
  awaitingReadinessProbe: boolean;
  terminating: boolean;
  /** The last status write failed (or something changed): write the whole status again. */
  dirty: boolean;
  readonly conditions: ConditionClock;
  /** The first status write (createPod waits for it). */
  firstWrite: Promise<boolean>;
  /** Status writes go out one after the other, so an older view never lands last. */
  writes: Promise<unknown>;
  syncing: boolean;
  resync: boolean;
}

let containerIds = 0;

export class NodeKubelet {
  readonly nodeName: string;
  readonly namespace: string;
  readonly #core: CoreV1Api;
  readonly #watch: Watch;
  readonly #pods = new Map<string, PodState>();
  /** Processes `createPod` hands over, until the pod is adopted. */
  readonly #handedOver = new Map<string, readonly LocalContainer[]>();
  /** createPod's own spec (its loopback podIP), by pod name. */
  readonly #created = new Map<string, NodePodSpec>();
  readonly #binding = new Set<string>();
  /** Pods a test took over (forget): never adopted again, never deleted by this kubelet. */
  readonly #forgotten = new Set<string>();
  #abort: AbortController | undefined;
  #stopped = false;
  readonly #removedListeners = new Set<(podName: string) => void>();
  /** Errors of background work (status writes, deletes, starts), for failure messages. */
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

  /** Registers the Node (Ready, InternalIP 127.0.0.1) and starts watching the namespace's pods. */
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
      for (const state of this.#pods.values()) this.#requestSync(state);
      this.#relist = setTimeout(relist, this.#options.relistPeriodMs ?? 1000);
    };
    relist();
  }

  /**
   * Creates the pod bound to this node, its containers played by `containers` (processes the
   * test started; a name without one is played by the test and counts as running), and
   * resolves once its first status (Running, not yet Ready) was written.
   */
  async createPod(spec: NodePodSpec, containers: readonly LocalContainer[] = []): Promise<void> {
    this.#handedOver.set(spec.name, containers);
    this.#created.set(spec.name, spec);
    // Without names, the processes handed over are the pod's containers.
    const names =
      spec.containers ?? (containers.length > 0 ? containers.map((c) => c.name) : ['activemq']);
    const created = await this.#core.createNamespacedPod({
      namespace: this.namespace,
      body: {
        metadata: { name: spec.name, labels: { ...spec.labels } },
        spec: {
          nodeName: this.nodeName,
          serviceAccountName: spec.serviceAccountName ?? 'default',
          // The agent reads its token from a file the harness writes (see service-account-token.ts).
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds ?? 30,
          containers: names.map((c, i) => ({
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
            ...(typeof c === 'string' ? { name: c } : c),
          })),
        },
      },
    });
    const state = this.#pods.get(spec.name) ?? this.#adopt(created);
    await state.firstWrite;
  }

  /** The containers the pod's graceful deletion signals (replaced when a test restarts one). */
  setContainers(podName: string, containers: readonly LocalContainer[]): void {
    const state = this.#state(podName);
    for (const container of containers) {
      const run = state.containers.find((r) => r.name === container.name);
      if (!run || run.instance === container) continue;
      run.instance = container;
      run.playedByTest = false;
      run.handedOver = true;
      run.start = handedOverStart(container);
      run.fresh = true;
    }
    state.dirty = true;
    this.#requestSync(state);
  }

  /** restartCount of a container, as containerStatuses show it. */
  restartCount(podName: string, container: string): number {
    const state = this.#pods.get(podName);
    return (
      [...(state?.initContainers ?? []), ...(state?.containers ?? [])].find(
        (r) => r.name === container,
      )?.restartCount ?? 0
    );
  }

  /**
   * Starts (or replaces) a container's liveness probe given by URL: after failureThreshold
   * consecutive failures the kubelet kills the container (SIGTERM, SIGKILL after the grace
   * period) and, as restartPolicy Always, starts it again.
   */
  setLivenessProbe(podName: string, probe: LivenessProbe): void {
    const state = this.#state(podName);
    this.#setWorker(
      state,
      this.#run(state, probe.container),
      'liveness',
      urlProbe(probe),
      timingOf(probe),
    );
  }

  /** Starts (or replaces) a readiness probe given by URL; Ready follows the thresholds. */
  setReadinessProbe(podName: string, probe: ReadinessProbe): void {
    const state = this.#state(podName);
    const run = probe.container ? this.#run(state, probe.container) : state.containers[0];
    if (!run) throw new Error(`pod ${podName} has no container`);
    state.awaitingReadinessProbe = false;
    this.#setWorker(state, run, 'readiness', urlProbe(probe), timingOf(probe));
  }

  /** Stops the readiness probes of a pod; its Ready condition stays as last written. */
  stopProbe(podName: string): void {
    const state = this.#pods.get(podName);
    if (!state) return;
    for (const run of state.containers) {
      const w = run.workers.get('readiness');
      if (w) stopWorker(w);
    }
  }

  /** Calls `listener` after a pod's containers stopped and the pod was removed (a ReplicaSet's cue). */
  onPodRemoved(listener: (podName: string) => void): () => void {
    this.#removedListeners.add(listener);
    return () => this.#removedListeners.delete(listener);
  }

  /** Whether this kubelet runs `podName` (and has not removed or forgotten it). */
  manages(podName: string): boolean {
    return this.#pods.has(podName);
  }

  /** The names of the pods this kubelet runs. */
  podNames(): string[] {
    return [...this.#pods.keys()];
  }

  /** The process playing `container` of `podName` now, if one runs or ran. */
  container(podName: string, container: string): LocalContainer | undefined {
    const state = this.#pods.get(podName);
    return [...(state?.initContainers ?? []), ...(state?.containers ?? [])].find(
      (r) => r.name === container,
    )?.instance;
  }

  /**
   * Stops running `podName`: no more probes, restarts or graceful deletion by this kubelet, the
   * API object stays as it is. For a test that plays the kubelet for that pod itself.
   */
  forget(podName: string): void {
    const state = this.#pods.get(podName);
    if (!state) return;
    stopWorkers(state);
    state.terminating = true;
    if (state.uid) this.#forgotten.add(state.uid);
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

  /** Stops the watch and every probe; does not touch the processes or the API objects. */
  stop(): void {
    this.#stopped = true;
    this.#abort?.abort();
    clearTimeout(this.#relist);
    for (const s of this.#pods.values()) stopWorkers(s);
  }

  /**
   * Stops the watch and probes, then every process of every pod this kubelet started from an
   * image (SIGTERM, SIGKILL after `graceMs`). Processes handed over by createPod stay.
   */
  async stopAndKill(graceMs = 5000): Promise<void> {
    this.stop();
    const runs = [...this.#pods.values()].flatMap((s) => [...s.initContainers, ...s.containers]);
    await Promise.all(
      runs
        .filter((r) => r.instance?.running && !r.handedOver)
        .map((r) => stopWithGrace(r.instance as LocalContainer, graceMs)),
    );
  }

  #state(podName: string): PodState {
    const state = this.#pods.get(podName);
    if (!state) throw new Error(`pod ${podName} does not run on node ${this.nodeName}`);
    return state;
  }

  #run(state: PodState, name: string): ContainerRun {
    const run = state.containers.find((r) => r.name === name);
    if (!run) throw new Error(`pod ${state.name} has no container ${name}`);
    return run;
  }

  // ---- pods from the API -------------------------------------------------------------------

  #onPodEvent(phase: string, pod: V1Pod): void {
    const name = pod.metadata?.name ?? '';
    const state = this.#pods.get(name);
    if (phase === 'DELETED') {
      // Removed without a graceful phase (grace 0 or a force delete): the kubelet kills at once.
      if (state && !state.terminating && state.uid === pod.metadata?.uid)
        void this.#terminate(state, pod);
      return;
    }
    if (!pod.spec?.nodeName) {
      if (!pod.metadata?.deletionTimestamp) void this.#bind(pod);
      return;
    }
    if (pod.spec.nodeName !== this.nodeName) return;
    if (this.#forgotten.has(pod.metadata?.uid ?? '')) return;
    if (state && state.uid !== pod.metadata?.uid) return; // an old pod of that name is still stopping
    if (!state) {
      if (pod.metadata?.deletionTimestamp) {
        // Deleted before it ran here: nothing to stop.
        void this.#deleteNow(name, pod.metadata.uid).then(() => this.#notifyRemoved(name));
        return;
      }
      try {
        this.#adopt(pod);
      } catch (error) {
        // The runtime could not set the pod up (no sandbox); the next relist of the watch retries.
        this.errors.push(error);
      }
      return;
    }
    if (state.terminating) return;
    state.pod = pod;
    if (pod.metadata?.deletionTimestamp) void this.#terminate(state, pod);
  }

  /** The scheduler's part: POST pods/<name>/binding to this node. */
  async #bind(pod: V1Pod): Promise<void> {
    const name = pod.metadata?.name ?? '';
    if (this.#binding.has(name)) return;
    this.#binding.add(name);
    try {
      await this.#core.createNamespacedPodBinding({
        name,
        namespace: this.namespace,
        body: {
          metadata: { name, ...(pod.metadata?.uid ? { uid: pod.metadata.uid } : {}) },
          target: { apiVersion: 'v1', kind: 'Node', name: this.nodeName },
        },
      });
    } catch (error) {
      // 409: bound meanwhile (or deleted); the watch shows what happened.
      if ((error as { code?: number }).code !== 409) this.errors.push(error);
    } finally {
      this.#binding.delete(name);
    }
  }

  /** Starts running a pod bound to this node: containers, probes, the first status write. */
  #adopt(pod: V1Pod): PodState {
    const name = pod.metadata?.name ?? '';
    const handed = this.#handedOver.get(name);
    const created = this.#created.get(name);
    const podHost = created?.podIP ?? this.#options.podHost?.(pod) ?? '127.0.0.1';
    const podIP = this.#options.podIPs === 'loopback' ? podHost : podIPForLocalHost(podHost);
    const runOf = (spec: V1Container, init: boolean): ContainerRun => {
      const instance = handed?.find((c) => c.name === spec.name);
      const run: ContainerRun = {
        name: spec.name,
        spec,
        init,
        instance,
        playedByTest: handed !== undefined && instance === undefined,
        handedOver: instance !== undefined,
        fresh: instance !== undefined,
        start: undefined,
        id: undefined,
        seenRunning: false,
        startedAt: undefined,
        startedAtMs: undefined,
        restartCount: 0,
        waiting: undefined,
        terminated: undefined,
        lastTerminated: undefined,
        starting: false,
        killing: false,
        pullFailures: 0,
        workers: new Map(),
      };
      run.start = handed
        ? instance
          ? handedOverStart(instance)
          : undefined
        : this.#imageStart(state, run);
      return run;
    };
    const state: PodState = {
      name,
      uid: pod.metadata?.uid,
      pod,
      podHost,
      podIP,
      startTime: new Date(),
      initContainers: [],
      containers: [],
      initialized: (pod.spec?.initContainers ?? []).length === 0,
      awaitingReadinessProbe:
        handed !== undefined && !(pod.spec?.containers ?? []).some((c) => c.readinessProbe),
      terminating: false,
      dirty: true,
      conditions: new Map(),
      firstWrite: Promise.resolve(false),
      writes: Promise.resolve(),
      syncing: false,
      resync: false,
    };
    for (const c of pod.spec?.initContainers ?? []) state.initContainers.push(runOf(c, true));
    for (const c of pod.spec?.containers ?? []) state.containers.push(runOf(c, false));
    this.#pods.set(name, state);
    this.#handedOver.delete(name);
    this.#created.delete(name);
    for (const run of state.containers) {
      for (const kind of ['startup', 'readiness', 'liveness'] as const) {
        const probe = run.spec?.[`${kind}Probe`] as V1Probe | undefined;
        if (probe) this.#setWorker(state, run, kind, probe, probeTiming(kind, probe));
      }
    }
    state.firstWrite = this.#flush(state);
    this.#requestSync(state);
    return state;
  }

  /** How a container of an image-run pod starts: look the image up, resolve its env, run it. */
  #imageStart(state: PodState, run: ContainerRun): () => Promise<LocalContainer | undefined> {
    return async () => {
      const spec = run.spec as V1Container;
      const image = spec.image ?? '';
      const factory = this.#options.images?.[image];
      if (!factory) {
        run.pullFailures++;
        run.waiting = {
          reason: 'ErrImagePull',
          message: `failed to pull and unpack image "${image}": not found in the stand-in runtime's images`,
        };
        return undefined;
      }
      run.pullFailures = 0;
      return factory({
        pod: state.pod,
        container: spec,
        init: run.init,
        env: containerEnv(state.pod, spec, state.podIP),
        podHost: state.podHost,
        restartCount: run.restartCount,
      });
    };
  }

  // ---- the pod worker: observe containers, run init containers, (re)start, write status -------

  #requestSync(state: PodState): void {
    if (state.syncing) {
      state.resync = true;
      return;
    }
    state.syncing = true;
    void (async () => {
      try {
        do {
          state.resync = false;
          await this.#sync(state);
        } while (state.resync && !this.#stopped && !state.terminating);
      } catch (error) {
        this.errors.push(error);
      } finally {
        state.syncing = false;
      }
    })();
  }

  async #sync(state: PodState): Promise<void> {
    if (this.#stopped || state.terminating) return;
    for (const run of [...state.initContainers, ...state.containers]) this.#observe(state, run);
    if (!state.initialized) {
      const next = state.initContainers.find((r) => r.terminated?.exitCode !== 0);
      if (!next) {
        state.initialized = true;
        state.dirty = true;
      } else if (!next.instance?.running && !next.starting && !next.killing) {
        this.#startContainer(state, next);
        for (const r of state.containers) if (!r.waiting) r.waiting = { reason: 'PodInitializing' };
      }
    }
    if (state.initialized) {
      for (const run of state.containers) {
        if (run.playedByTest || run.starting || run.killing || run.instance?.running) continue;
        if (!run.start) continue; // nobody can start it (again)
        if (run.id !== undefined && !this.#restarts(state, run)) continue;
        if (run.waiting?.reason === 'PodInitializing') run.waiting = undefined;
        this.#startContainer(state, run);
      }
    }
    await this.#flush(state);
  }

  /** restartPolicy: Always restarts every exit, OnFailure a non-zero one, Never none. */
  #restarts(state: PodState, run: ContainerRun): boolean {
    const policy = state.pod.spec?.restartPolicy ?? 'Always';
    if (policy === 'Always') return true;
    return policy === 'OnFailure' && (run.terminated?.exitCode ?? 1) !== 0;
  }

  /** What the relist (PLEG) sees: a container that started, or one that exited. */
  #observe(state: PodState, run: ContainerRun): void {
    const running = run.instance?.running === true;
    // A new instance (it may have exited already: an init container that is done at once), or a
    // handed-over process the test started again itself.
    if (run.fresh || (running && !run.seenRunning)) {
      run.fresh = false;
      run.seenRunning = true;
      run.id = ++containerIds;
      run.startedAt = new Date();
      run.startedAtMs = performance.now();
      run.waiting = undefined;
      if (run.terminated) run.lastTerminated = run.terminated;
      run.terminated = undefined;
      state.dirty = true;
      // A new container: its probes run at once (the prober manager's manual trigger).
      for (const w of run.workers.values()) this.#trigger(state, run, w);
    }
    if (!running && run.seenRunning) {
      run.seenRunning = false;
      const exitCode = run.instance?.exitCode ?? (run.killing ? 137 : 1);
      run.terminated = {
        exitCode,
        reason: exitCode === 0 ? 'Completed' : 'Error',
        message: run.instance?.terminationMessage?.slice(-4096),
        startedAt: run.startedAt,
        finishedAt: new Date(),
      };
      state.dirty = true;
    }
  }

  /** Starts a container now (first start) or after its back-off (restart, failed pull). */
  #startContainer(state: PodState, run: ContainerRun): void {
    run.starting = true;
    const firstStart = run.id === undefined && run.pullFailures === 0;
    const backOff = this.#options.restartBackOff;
    const delay =
      run.pullFailures > 0
        ? restartDelayMs(run.pullFailures, backOff)
        : firstStart
          ? 0
          : restartDelayMs(run.restartCount, backOff);
    if (delay > 0) {
      run.waiting =
        run.pullFailures > 0
          ? {
              reason: 'ImagePullBackOff',
              message: `Back-off pulling image "${run.spec?.image ?? ''}"`,
            }
          : {
              reason: 'CrashLoopBackOff',
              message: `back-off ${Math.round(delay / 1000)}s restarting failed container=${run.name} pod=${state.name}`,
            };
      state.dirty = true;
    }
    setTimeout(() => {
      if (this.#stopped || state.terminating) {
        run.starting = false;
        return;
      }
      void (async () => {
        try {
          if (run.instance?.running) return; // started by the test meanwhile
          const instance = await run.start?.();
          if (instance) {
            if (run.id !== undefined) run.restartCount++;
            run.instance = instance;
            run.fresh = true;
            // Seen at once: no status shows the new restartCount with the old container's state.
            this.#observe(state, run);
          }
          state.dirty = true;
          // A failed pull shows as ErrImagePull before the next sync turns it into the back-off.
          if (!instance) await this.#flush(state);
        } catch (error) {
          this.errors.push(error);
          run.waiting = { reason: 'RunContainerError', message: String(error) };
          state.dirty = true;
        } finally {
          run.starting = false;
        }
        this.#requestSync(state);
      })();
    }, delay);
  }

  // ---- probes -------------------------------------------------------------------------------

  #setWorker(
    state: PodState,
    run: ContainerRun,
    kind: ProbeKind,
    handler: ProbeHandler,
    timing: ProbeTiming,
  ): void {
    const old = run.workers.get(kind);
    if (old) stopWorker(old);
    const worker: Worker = {
      kind,
      timing,
      handler,
      state: newProbeWorkerState(),
      timer: undefined,
      busy: false,
      stopped: false,
    };
    run.workers.set(kind, worker);
    // The kubelet's worker probes at once, then every period.
    this.#trigger(state, run, worker);
  }

  /** Runs the worker's tick now (unless one is under way) and schedules the next. */
  #trigger(state: PodState, run: ContainerRun, worker: Worker): void {
    if (worker.stopped || worker.busy) return;
    clearTimeout(worker.timer);
    worker.busy = true;
    void this.#tick(state, run, worker)
      .catch((error: unknown) => this.errors.push(error))
      .finally(() => {
        worker.busy = false;
        if (worker.stopped || this.#stopped) return;
        worker.timer = setTimeout(() => this.#trigger(state, run, worker), worker.timing.periodMs);
      });
  }

  async #tick(state: PodState, run: ContainerRun, worker: Worker): Promise<void> {
    if (this.#stopped) return;
    this.#observe(state, run);
    const view = {
      id: run.playedByTest ? 0 : run.id,
      running: run.playedByTest || run.instance?.running === true,
      startedAtMs: run.startedAtMs,
      started: this.#started(run),
      terminating: state.terminating,
    };
    const tick = beforeProbe(worker.kind, worker.timing, worker.state, view, performance.now());
    if (tick.state.status !== worker.state.status) state.dirty = true;
    worker.state = tick.state;
    if (tick.stop) {
      stopWorker(worker);
      return;
    }
    if (!tick.probe) {
      await this.#flush(state);
      return;
    }
    const result = await runProbe(
      worker.handler,
      {
        container: run.instance ?? { name: run.name, running: true, stop: async () => undefined },
        spec: run.spec,
        podHost: state.podHost,
      },
      worker.timing.timeoutMs,
    );
    if (worker.stopped || state.terminating) return;
    const wasStarted = this.#started(run);
    const out = afterProbe(worker.kind, worker.timing, worker.state, result);
    worker.state = out.state;
    if (out.changed) state.dirty = true;
    if (!wasStarted && this.#started(run)) {
      // Started: readiness and liveness run now rather than a period later.
      for (const w of run.workers.values()) if (w !== worker) this.#trigger(state, run, w);
    }
    if (out.kill && run.instance) void this.#kill(state, run, run.instance);
    await this.#flush(state);
  }

  #started(run: ContainerRun): boolean {
    const id = run.playedByTest ? 0 : run.id;
    const running = run.playedByTest || run.instance?.running === true;
    const startup = run.workers.get('startup');
    return containerStarted(running, startup ? statusFor('startup', startup.state, id) : undefined);
  }

  #ready(state: PodState, run: ContainerRun): boolean {
    if (state.awaitingReadinessProbe) return false;
    const id = run.playedByTest ? 0 : run.id;
    const readiness = run.workers.get('readiness');
    return containerReady(
      this.#started(run),
      readiness ? statusFor('readiness', readiness.state, id) : undefined,
    );
  }

  /** Kills a container a liveness or startup probe gave up on; the pod worker restarts it. */
  async #kill(state: PodState, run: ContainerRun, container: LocalContainer): Promise<void> {
    run.killing = true;
    const grace = (state.pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000;
    try {
      await stopWithGrace(container, grace);
    } finally {
      this.#observe(state, run);
      run.killing = false;
    }
    this.#requestSync(state);
  }

  // ---- status -------------------------------------------------------------------------------

  #view(state: PodState, run: ContainerRun): ContainerView {
    const running = run.playedByTest || run.instance?.running === true;
    return {
      name: run.name,
      image: run.spec?.image ?? 'activemq-ha/local-process',
      id: run.playedByTest ? 0 : run.id,
      running,
      startedAt: run.playedByTest ? undefined : run.startedAt,
      waiting: running ? undefined : run.waiting,
      terminated: run.terminated,
      // Waiting to start again: the exit that is being backed off is the last state.
      lastTerminated: run.waiting && run.terminated ? run.terminated : run.lastTerminated,
      restartCount: run.restartCount,
      started: run.init ? false : this.#started(run),
      ready: run.init ? run.terminated?.exitCode === 0 : this.#ready(state, run),
    };
  }

  /** Writes the pod's whole kubelet-owned status if it is dirty; resolves whether it went out. */
  #flush(state: PodState): Promise<boolean> {
    const write = state.writes.then(() => this.#write(state));
    state.writes = write;
    return write;
  }

  async #write(state: PodState): Promise<boolean> {
    if (!state.dirty || state.terminating) return false;
    state.dirty = false;
    const status = podStatus(
      {
        initContainers: state.initContainers.map((r) => this.#view(state, r)),
        containers: state.containers.map((r) => this.#view(state, r)),
        initialized: state.initialized,
        podIP: state.podIP,
        startTime: state.startTime,
      },
      state.conditions,
      new Date(),
    );
    const ok = await this.#patchStatus(state.name, status);
    if (!ok) state.dirty = true;
    return ok;
  }

  /** Resolves whether the write went through; failures are kept in `errors`. */
  async #patchStatus(name: string, status: V1PodStatus): Promise<boolean> {
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

  // ---- the watch ----------------------------------------------------------------------------

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
    // The namespace's pods, not only this node's: unscheduled ones are this kubelet's to bind.
    const list = await this.#core.listNamespacedPod({ namespace: this.namespace });
    const onDone = (error: unknown) => {
      if (this.#stopped) return;
      if (error && (error as Error).name !== 'TimeoutError') this.errors.push(error);
      // Resume: a missed deletionTimestamp would leave a pod terminating for ever.
      this.#restartWatch(error ? 500 : 0);
    };
    const controller = await this.#watch.watch(
      `/api/v1/namespaces/${encodeURIComponent(this.namespace)}/pods`,
      { resourceVersion: list.metadata?.resourceVersion },
      (phase: string, pod: V1Pod) => this.#onPodEvent(phase, pod),
      onDone,
    );
    if (this.#stopped) controller.abort();
    else this.#abort = controller;
    // A deletion (or a new pod) that happened between two watches shows in the list.
    for (const pod of list.items) this.#onPodEvent('MODIFIED', pod);
  }

  async #terminate(state: PodState, pod: V1Pod): Promise<void> {
    state.terminating = true;
    stopWorkers(state);
    const graceSeconds =
      pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
    const instances = [...state.initContainers, ...state.containers]
      .map((r) => r.instance)
      .filter((c): c is LocalContainer => c !== undefined);
    await Promise.all(instances.map((c) => stopWithGrace(c, graceSeconds * 1000)));
    this.#pods.delete(state.name);
    await this.#deleteNow(state.name, pod.metadata?.uid);
    this.#notifyRemoved(state.name);
  }

  async #deleteNow(name: string, uid: string | undefined): Promise<void> {
    try {
      await this.#core.deleteNamespacedPod({
        name,
        namespace: this.namespace,
        body: { gracePeriodSeconds: 0, ...(uid ? { preconditions: { uid } } : {}) },
      });
    } catch (error) {
      // Already gone (a force delete), or a new pod of that name: nothing left to remove.
      const code = (error as { code?: number }).code;
      if (code !== 404 && code !== 409) this.errors.push(error);
    }
  }

  #notifyRemoved(name: string): void {
    for (const listener of [...this.#removedListeners]) listener(name);
  }
}

/** SIGTERM, then SIGKILL if it is still running after `graceMs`; resolves once it exited. */
async function stopWithGrace(container: LocalContainer, graceMs: number): Promise<void> {
  const deadline = setTimeout(() => void container.stop('SIGKILL').catch(() => undefined), graceMs);
  try {
    await container.stop('SIGTERM');
  } catch {
    // It did not stop the polite way in the process's own time: it is killed now.
    if (container.running) await container.stop('SIGKILL').catch(() => undefined);
  } finally {
    clearTimeout(deadline);
  }
}

/** A handed-over process restarts itself (if it can). */
function handedOverStart(container: LocalContainer): (() => Promise<LocalContainer>) | undefined {
  const start = container.start?.bind(container);
  return start
    ? async () => {
        await start();
        return container;
      }
    : undefined;
}

function urlProbe(probe: HttpProbe): ProbeHandler {
  return { url: probe.url };
}

function timingOf(probe: HttpProbe): ProbeTiming {
  return {
    initialDelayMs: 0,
    periodMs: probe.periodMs ?? 10_000,
    timeoutMs: probe.timeoutMs ?? 1000,
    successThreshold: probe.successThreshold ?? 1,
    failureThreshold: probe.failureThreshold ?? 3,
  };
}

function stopWorker(worker: Worker): void {
  worker.stopped = true;
  clearTimeout(worker.timer);
}

function stopWorkers(state: PodState): void {
  for (const run of [...state.initContainers, ...state.containers])
    for (const w of run.workers.values()) stopWorker(w);
}
