// The kubelet's probe decisions as pure functions (pkg/kubelet/prober/worker.go doProbe and
// prober_manager.go UpdatePodStatus): when a worker probes, how a run of results turns into the
// reported result, when a liveness or startup failure kills the container, and how `started` and
// `ready` follow. The kubelet stand-in does the I/O (timers, the probe itself, the kill); these
// functions take the time as an argument so they are tested on a manual clock.

export type ProbeKind = 'readiness' | 'liveness' | 'startup';
export type ProbeResult = 'success' | 'failure';
/** What the results manager holds for a container: `unknown` is the startup probe's initial value. */
export type ProbeStatus = ProbeResult | 'unknown';

/** A probe's timing and thresholds, in milliseconds, after the API's defaults. */
export interface ProbeTiming {
  readonly initialDelayMs: number;
  readonly periodMs: number;
  readonly timeoutMs: number;
  readonly successThreshold: number;
  readonly failureThreshold: number;
}

/** The timing fields of a `v1.Probe` (all optional, as in the API). */
export interface ProbeTimingFields {
  readonly initialDelaySeconds?: number;
  readonly periodSeconds?: number;
  readonly timeoutSeconds?: number;
  readonly successThreshold?: number;
  readonly failureThreshold?: number;
}

/**
 * The API's defaults (pkg/apis/core/v1/defaults.go SetDefaults_Probe): period 10 s, timeout 1 s,
 * success 1, failure 3, no initial delay. Liveness and startup probes must have successThreshold
 * 1 (validation); a larger value is an error here as the API server would reject it.
 */
export function probeTiming(kind: ProbeKind, probe: ProbeTimingFields): ProbeTiming {
  const successThreshold = probe.successThreshold ?? 1;
  if (kind !== 'readiness' && successThreshold !== 1)
    throw new Error(`${kind} probe: successThreshold must be 1, got ${successThreshold}`);
  return {
    initialDelayMs: (probe.initialDelaySeconds ?? 0) * 1000,
    periodMs: (probe.periodSeconds ?? 10) * 1000,
    timeoutMs: (probe.timeoutSeconds ?? 1) * 1000,
    successThreshold,
    failureThreshold: probe.failureThreshold ?? 3,
  };
}

/** One worker's memory (worker.go: containerID, lastResult, resultRun, onHold) and its result. */
export interface ProbeWorkerState {
  /** The container instance the result belongs to; a new one resets the worker. */
  readonly containerId: number | undefined;
  readonly status: ProbeStatus;
  readonly lastResult: ProbeResult | undefined;
  readonly resultRun: number;
  /** After a liveness/startup kill: no probes until a new container instance. */
  readonly onHold: boolean;
}

/** What the worker sees of its container at a tick. */
export interface ProbedContainer {
  /** The instance id (the container ID); `undefined` while none was created. */
  readonly id: number | undefined;
  readonly running: boolean;
  /** When the running instance started (for initialDelaySeconds). */
  readonly startedAtMs: number | undefined;
  /** Whether the container counts as started (its startup probe succeeded, or it has none). */
  readonly started: boolean;
  /** The pod has a deletionTimestamp. */
  readonly terminating: boolean;
}

/** readiness starts failed, liveness succeeded, startup unknown (newWorker's initialValue). */
export function initialStatus(kind: ProbeKind): ProbeStatus {
  return kind === 'readiness' ? 'failure' : kind === 'liveness' ? 'success' : 'unknown';
}

export function newProbeWorkerState(): ProbeWorkerState {
  return {
    containerId: undefined,
    status: 'unknown',
    lastResult: undefined,
    resultRun: 0,
    onHold: false,
  };
}

export interface ProbeTick {
  readonly state: ProbeWorkerState;
  /** Run the probe now, then pass its result to `afterProbe`. */
  readonly probe: boolean;
  /** The worker ends (a liveness/startup worker at the pod's deletion). */
  readonly stop: boolean;
}

/** The part of doProbe before the probe runs: reset on a new container, skip, or probe. */
export function beforeProbe(
  kind: ProbeKind,
  timing: ProbeTiming,
  previous: ProbeWorkerState,
  container: ProbedContainer,
  nowMs: number,
): ProbeTick {
  if (container.id === undefined) return { state: previous, probe: false, stop: false };
  let state = previous;
  if (state.containerId !== container.id) {
    // A new container: its initial value, and probing resumes (onHold cleared).
    state = { ...state, containerId: container.id, status: initialStatus(kind), onHold: false };
  }
  if (state.onHold) return { state, probe: false, stop: false };
  if (!container.running)
    return { state: { ...state, status: 'failure' }, probe: false, stop: false };
  if (container.terminating && kind !== 'readiness') {
    // A quiet shutdown: liveness and startup report success and stop.
    return { state: { ...state, status: 'success' }, probe: false, stop: true };
  }
  if (nowMs - (container.startedAtMs ?? nowMs) < timing.initialDelayMs)
    return { state, probe: false, stop: false };
  // The startup probe stops once the container started; the others wait until then.
  if (container.started ? kind === 'startup' : kind !== 'startup')
    return { state, probe: false, stop: false };
  return { state, probe: true, stop: false };
}

export interface ProbeOutcome {
  readonly state: ProbeWorkerState;
  /** The reported status changed. */
  readonly changed: boolean;
  /** A liveness or startup probe gave up: kill the container (it restarts per restartPolicy). */
  readonly kill: boolean;
}

/** The part of doProbe after the probe: count the run, report at the thresholds, kill. */
export function afterProbe(
  kind: ProbeKind,
  timing: ProbeTiming,
  previous: ProbeWorkerState,
  result: ProbeResult,
): ProbeOutcome {
  const resultRun = previous.lastResult === result ? previous.resultRun + 1 : 1;
  const counted = { ...previous, lastResult: result, resultRun };
  const threshold = result === 'failure' ? timing.failureThreshold : timing.successThreshold;
  if (resultRun < threshold) return { state: counted, changed: false, kill: false };
  const changed = previous.status !== result;
  if (kind !== 'readiness' && result === 'failure') {
    // Held until a new container instance, so a dying container is not probed again.
    return {
      state: { ...counted, status: result, onHold: true, resultRun: 0 },
      changed,
      kill: true,
    };
  }
  return { state: { ...counted, status: result }, changed, kill: false };
}

/** UpdatePodStatus: started once the startup probe succeeded, or at once without one. */
export function containerStarted(running: boolean, startup: ProbeStatus | undefined): boolean {
  return running && (startup === undefined || startup === 'success');
}

/** UpdatePodStatus: ready once started and the readiness probe succeeded, or at once without one. */
export function containerReady(started: boolean, readiness: ProbeStatus | undefined): boolean {
  return started && (readiness === undefined || readiness === 'success');
}

/** The worker's status for container `id`: its initial value until the worker has seen that instance. */
export function statusFor(
  kind: ProbeKind,
  state: ProbeWorkerState,
  id: number | undefined,
): ProbeStatus {
  return id !== undefined && state.containerId === id ? state.status : initialStatus(kind);
}
