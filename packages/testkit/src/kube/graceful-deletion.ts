// How the API server decides what a DELETE does to an object that supports graceful deletion
// (pods): read from k8s.io/apiserver registry/rest/delete.go (BeforeDelete) and
// pkg/registry/core/pod/strategy.go (CheckGracefulDelete). The store then writes the object with
// deletionTimestamp/deletionGracePeriodSeconds (a MODIFIED event) and removes it at once only
// when the grace period is 0 (registry/generic/registry/store.go, Delete and
// updateForGracefulDeletionAndFinalizers). Pure: the registry applies the plan.
import { asString } from './json.js';
import type { KubeObject } from './types.js';
import { nowTime } from './write-strategy.js';

/** What a DELETE does. */
export type DeletePlan =
  /** No graceful strategy, or a graceful deletion already at 0: remove from storage now. */
  | { readonly kind: 'now' }
  /** A graceful deletion with an equal or shorter period is under way: answer with the object, write nothing. */
  | { readonly kind: 'pending' }
  /**
   * Write these metadata fields (MODIFIED), then remove the object at once when
   * `gracePeriodSeconds` is 0; otherwise it stays until someone deletes it with grace 0.
   */
  | {
      readonly kind: 'graceful';
      readonly gracePeriodSeconds: number;
      readonly deletionTimestamp: string;
    };

/** The DeleteOptions fields that decide the plan. */
export interface DeleteRequest {
  /** `gracePeriodSeconds` of DeleteOptions (body, or the query when there is no body). */
  readonly gracePeriodSeconds?: number;
}

/** metav1.Time of `at` + `seconds`, truncated to whole seconds as the server serialises it. */
function timeAfter(at: Date, seconds: number): string {
  return nowTime(new Date(Math.floor(at.getTime() / 1000) * 1000 + seconds * 1000));
}

/** podStrategy.CheckGracefulDelete: the pod's grace period for this request. */
function podGracePeriod(pod: KubeObject, requested: number | undefined): number {
  const spec = pod.spec ?? {};
  let period =
    requested ??
    (typeof spec.terminationGracePeriodSeconds === 'number'
      ? spec.terminationGracePeriodSeconds
      : 0);
  // Not scheduled: no kubelet will ever finish it, so it goes at once.
  if (!asString(spec.nodeName)) period = 0;
  const phase = pod.status?.phase;
  if (phase === 'Failed' || phase === 'Succeeded') period = 0;
  if (period < 0) period = 1;
  return period;
}

/** BeforeDelete for `resource`; only pods delete gracefully here (as in Kubernetes' core API). */
export function planDelete(
  resource: string,
  obj: KubeObject,
  request: DeleteRequest,
  now: Date = new Date(),
): DeletePlan {
  if (resource !== 'pods') return { kind: 'now' };
  // Negative values are treated as 1 s on the delete path.
  const requested =
    request.gracePeriodSeconds !== undefined && request.gracePeriodSeconds < 0
      ? 1
      : request.gracePeriodSeconds;
  const meta = obj.metadata;
  if (meta.deletionTimestamp !== undefined) {
    const current = meta.deletionGracePeriodSeconds;
    // Deleting already with no (or a zero) period left: finish the job.
    if (current === undefined || current === 0) return { kind: 'now' };
    // Only a shorter grace period may be asked for; the deadline moves with it.
    if (requested === undefined || requested >= current) return { kind: 'pending' };
    const started = Date.parse(meta.deletionTimestamp) - current * 1000;
    return {
      kind: 'graceful',
      gracePeriodSeconds: requested,
      deletionTimestamp: timeAfter(new Date(started), requested),
    };
  }
  const period = podGracePeriod(obj, requested);
  return {
    kind: 'graceful',
    gracePeriodSeconds: period,
    deletionTimestamp: timeAfter(now, period),
  };
}
