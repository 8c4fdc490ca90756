import type { V1EndpointSlice, V1Pod } from '@kubernetes/client-node';
import { pollUntil } from '../broker/timing.js';

/** Pure readings of pods and EndpointSlices, shared by the one-shot checks and the pod watch. */

/** The label the agent writes and the Service selects (fixed by the generated manifests). */
export const LEADER_LABEL = 'leader';
export const LEADER_VALUE = 'yes';

export function podName(pod: V1Pod): string {
  return pod.metadata?.name ?? '';
}

export function isLeader(pod: V1Pod): boolean {
  return pod.metadata?.labels?.[LEADER_LABEL] === LEADER_VALUE;
}

/** The kubelet's verdict: the agent's readiness probe is `/readyz`, so this is its answer too. */
export function isReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

export function isTerminating(pod: V1Pod): boolean {
  return pod.metadata?.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null;
}

/** Pods of the group that are not being deleted. */
export function livePods(pods: readonly V1Pod[]): V1Pod[] {
  return pods.filter((p) => !isTerminating(p));
}

export function leaderNames(pods: readonly V1Pod[]): string[] {
  return pods.filter(isLeader).map(podName).sort();
}

/**
 * Pods the Service routes new connections to: endpoints whose `ready` is not false (the API says
 * an unset `ready` means ready).
 */
export function readyEndpointPods(slices: readonly V1EndpointSlice[]): string[] {
  const names = new Set<string>();
  for (const slice of slices) {
    for (const e of slice.endpoints ?? []) {
      if (e.conditions?.ready === false) continue;
      names.add(e.targetRef?.name ?? e.addresses.join(','));
    }
  }
  return [...names].sort();
}

/** `activemq-7c9-x2 leader=yes Ready, activemq-7c9-q1 leader=no Ready` — for failure messages. */
export function describePods(pods: readonly V1Pod[]): string {
  if (pods.length === 0) return '(no pods)';
  return pods
    .map((p) => {
      const label = p.metadata?.labels?.[LEADER_LABEL] ?? '(none)';
      const notReady = p.status?.containerStatuses
        ?.filter((c) => !c.ready)
        .map((c) => c.name)
        .join('+');
      const ready = isReady(p) ? 'Ready' : `NotReady${notReady ? `(${notReady})` : ''}`;
      return `${podName(p)} ${LEADER_LABEL}=${label} ${ready}${isTerminating(p) ? ' terminating' : ''}`;
    })
    .join(', ');
}

export interface PodPollOptions {
  readonly timeoutMs: number;
  readonly description: string;
  /** @default 500 */
  readonly intervalMs?: number;
  /** What to print about the last observation when the deadline passes. */
  readonly observed?: () => string;
}

/**
 * Re-evaluates `check` until it returns a value other than `undefined`/`false`, or the deadline
 * passes. For API state only a list can show (EndpointSlices); the pod watch is event-driven.
 */
export async function poll<T>(
  check: () => Promise<T | undefined | false>,
  o: PodPollOptions,
): Promise<T> {
  let lastError: unknown;
  return pollUntil(
    async () => {
      try {
        const value = await check();
        return value === false ? undefined : value;
      } catch (error) {
        // API hiccups are retried until the deadline; the last one is reported.
        lastError = error;
        return undefined;
      }
    },
    { timeoutMs: o.timeoutMs, intervalMs: o.intervalMs ?? 500 },
    () => {
      const seen = o.observed ? `; last seen: ${o.observed()}` : '';
      const err = lastError ? `; last error: ${String(lastError)}` : '';
      return new Error(
        `timed out after ${o.timeoutMs} ms waiting for ${o.description}${seen}${err}`,
      );
    },
  );
}
