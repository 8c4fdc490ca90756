import { describe, expect, it } from 'vitest';
import { type ContainerView, type PodView, podPhase, podStatus } from './kubelet-pod-status.js';

const at = new Date('2026-01-01T00:00:00Z');
const later = new Date('2026-01-01T00:01:00Z');

function container(over: Partial<ContainerView> = {}): ContainerView {
  return {
    name: 'broker',
    image: 'activemq:6',
    id: 1,
    running: true,
    startedAt: at,
    waiting: undefined,
    terminated: undefined,
    lastTerminated: undefined,
    restartCount: 0,
    started: true,
    ready: true,
    ...over,
  };
}

function pod(over: Partial<PodView> = {}): PodView {
  return {
    initContainers: [],
    containers: [container()],
    initialized: true,
    podIP: '10.244.0.5',
    startTime: at,
    ...over,
  };
}

describe('podStatus (what the kubelet writes)', () => {
  it('Running and Ready when every container is ready', () => {
    const s = podStatus(pod(), new Map(), at);
    expect(s.phase).toBe('Running');
    expect(s.conditions?.map((c) => [c.type, c.status])).toEqual([
      ['PodScheduled', 'True'],
      ['Initialized', 'True'],
      ['ContainersReady', 'True'],
      ['Ready', 'True'],
    ]);
    expect(s.containerStatuses?.[0]).toMatchObject({
      ready: true,
      started: true,
      state: { running: { startedAt: at } },
      containerID: 'local-process://broker-1',
    });
  });

  it('names the unready containers and keeps transition times until a condition changes', () => {
    const clock = new Map();
    podStatus(pod(), clock, at);
    const s = podStatus(
      pod({ containers: [container(), container({ name: 'agent', ready: false })] }),
      clock,
      later,
    );
    expect(s.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ContainersNotReady',
      message: 'containers with unready status: [agent]',
      lastTransitionTime: later,
    });
    expect(s.conditions?.find((c) => c.type === 'Initialized')?.lastTransitionTime).toBe(at);
  });

  it('Pending while init containers run or a container never started; waiting and lastState shown', () => {
    const init = container({
      name: 'check-store',
      running: false,
      terminated: { exitCode: 1, reason: 'Error', startedAt: at, finishedAt: later },
      waiting: { reason: 'CrashLoopBackOff' },
      restartCount: 2,
      lastTerminated: { exitCode: 1, reason: 'Error', startedAt: at, finishedAt: later },
      ready: false,
      started: false,
    });
    const waiting = container({
      id: undefined,
      running: false,
      waiting: { reason: 'PodInitializing' },
      ready: false,
      started: false,
    });
    const view = pod({ initContainers: [init], containers: [waiting], initialized: false });
    expect(podPhase(view)).toBe('Pending');
    const s = podStatus(view, new Map(), at);
    expect(s.initContainerStatuses?.[0]).toMatchObject({
      restartCount: 2,
      state: { waiting: { reason: 'CrashLoopBackOff' } },
      lastState: { terminated: { exitCode: 1, reason: 'Error' } },
    });
    expect(s.containerStatuses?.[0]?.state).toEqual({ waiting: { reason: 'PodInitializing' } });
    expect(s.conditions?.find((c) => c.type === 'Initialized')).toMatchObject({
      status: 'False',
      reason: 'ContainersNotInitialized',
      message: 'containers with incomplete status: [check-store]',
    });
    expect(podPhase(pod({ containers: [waiting] }))).toBe('Pending');
  });
});
