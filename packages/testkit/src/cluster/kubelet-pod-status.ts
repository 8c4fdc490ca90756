// The pod status the kubelet writes, from what it knows of each container (pkg/kubelet
// kubelet_pods.go generateAPIPodStatus, getPhase; pkg/kubelet/status/generate.go): phase, the
// Initialized/ContainersReady/Ready conditions with their reasons, and container statuses with
// state running/waiting/terminated, lastState, ready, started and restartCount. Pure, so the
// stand-in's status is checked without an API.
import type {
  V1ContainerState,
  V1ContainerStatus,
  V1PodCondition,
  V1PodStatus,
} from '@kubernetes/client-node';

export interface TerminatedState {
  readonly exitCode: number;
  readonly reason: string;
  readonly message?: string | undefined;
  readonly startedAt: Date | undefined;
  readonly finishedAt: Date;
}

/** What the kubelet knows of one container when it writes the status. */
export interface ContainerView {
  readonly name: string;
  readonly image: string;
  /** The instance id (the container ID); `undefined` while none was created. */
  readonly id: number | undefined;
  readonly running: boolean;
  readonly startedAt: Date | undefined;
  readonly waiting: { readonly reason: string; readonly message?: string } | undefined;
  /** The current state when the last instance exited (and was not started again yet). */
  readonly terminated: TerminatedState | undefined;
  readonly lastTerminated: TerminatedState | undefined;
  readonly restartCount: number;
  readonly started: boolean;
  readonly ready: boolean;
}

export interface PodView {
  readonly initContainers: readonly ContainerView[];
  readonly containers: readonly ContainerView[];
  /** Every init container completed. */
  readonly initialized: boolean;
  readonly podIP: string;
  readonly startTime: Date;
}

/** Condition type → its status and when it last changed, kept across writes. */
export type ConditionClock = Map<string, { status: string; time: Date }>;

function containerState(c: ContainerView): V1ContainerState {
  if (c.running) return { running: { startedAt: c.startedAt ?? new Date() } };
  if (c.terminated && !c.waiting) return { terminated: terminatedOf(c.terminated) };
  return {
    waiting: {
      reason: c.waiting?.reason ?? 'ContainerCreating',
      ...(c.waiting?.message ? { message: c.waiting.message } : {}),
    },
  };
}

function terminatedOf(t: TerminatedState) {
  return {
    exitCode: t.exitCode,
    reason: t.reason,
    ...(t.message ? { message: t.message } : {}),
    finishedAt: t.finishedAt,
    ...(t.startedAt ? { startedAt: t.startedAt } : {}),
  };
}

function containerStatus(c: ContainerView): V1ContainerStatus {
  return {
    name: c.name,
    image: c.image,
    imageID: c.id === undefined ? '' : `local-process://${c.image}`,
    ...(c.id === undefined ? {} : { containerID: `local-process://${c.name}-${c.id}` }),
    ready: c.ready,
    started: c.started,
    restartCount: c.restartCount,
    state: containerState(c),
    lastState: c.lastTerminated ? { terminated: terminatedOf(c.lastTerminated) } : {},
  };
}

/**
 * getPhase, for restartPolicy Always: Pending until the init containers completed and each
 * container was started once; Running after.
 */
export function podPhase(view: PodView): 'Pending' | 'Running' {
  if (!view.initialized) return 'Pending';
  return view.containers.every((c) => c.id !== undefined) ? 'Running' : 'Pending';
}

export function podReady(view: PodView): boolean {
  return view.initialized && view.containers.every((c) => c.ready);
}

export function podStatus(view: PodView, clock: ConditionClock, now: Date): V1PodStatus {
  const ready = podReady(view);
  const unready = view.containers.filter((c) => !c.ready).map((c) => c.name);
  const pendingInit = view.initContainers
    .filter((c) => c.terminated?.exitCode !== 0)
    .map((c) => c.name);
  const condition = (
    type: string,
    ok: boolean,
    reason: string,
    message: string,
  ): V1PodCondition => {
    const status = ok ? 'True' : 'False';
    const last = clock.get(type);
    const time = last && last.status === status ? last.time : now;
    clock.set(type, { status, time });
    return { type, status, lastTransitionTime: time, ...(ok ? {} : { reason, message }) };
  };
  return {
    phase: podPhase(view),
    hostIP: '127.0.0.1',
    hostIPs: [{ ip: '127.0.0.1' }],
    podIP: view.podIP,
    podIPs: [{ ip: view.podIP }],
    startTime: view.startTime,
    conditions: [
      condition('PodScheduled', true, '', ''),
      condition(
        'Initialized',
        view.initialized,
        'ContainersNotInitialized',
        `containers with incomplete status: [${pendingInit.join(' ')}]`,
      ),
      condition(
        'ContainersReady',
        ready,
        'ContainersNotReady',
        `containers with unready status: [${unready.join(' ')}]`,
      ),
      condition(
        'Ready',
        ready,
        'ContainersNotReady',
        `containers with unready status: [${unready.join(' ')}]`,
      ),
    ],
    ...(view.initContainers.length > 0
      ? { initContainerStatuses: view.initContainers.map(containerStatus) }
      : {}),
    containerStatuses: view.containers.map(containerStatus),
  };
}
