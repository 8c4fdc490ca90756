import { KubeApiError, LabelConflictError } from './errors.js';
import type { MetadataPatch, PodApi, PodMeta } from './kube-api.js';

export const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

/** What the writers need to know; the labeler supplies it. */
export interface LabelWriteContext {
  readonly api: PodApi;
  readonly namespace: string;
  readonly podName: string;
  readonly labelKey: string;
  readonly leaderValue: string;
  readonly standbyValue: string;
  readonly leaderSinceAnnotation: string | undefined;
  readonly fencedByAnnotation: string | undefined;
  /** Annotation stamped with the leadership term on a leader claim; undefined: none. */
  readonly termAnnotation: string | undefined;
  /** Keep `controller.kubernetes.io/pod-deletion-cost` high on the leader (replaced last). */
  readonly podDeletionCost: boolean;
  /** The own term (the group Lease's leaseTransitions while we hold it). */
  readonly term: () => number | undefined;
  /** Called before every label patch; throws `WriteThrottledError` when the budget is spent. */
  readonly beforeWrite: (pod: string) => void;
  readonly maxConflictRetries: number;
  readonly now: () => number;
  /** Re-evaluated after every read: the elector may have moved while the request was out. */
  readonly desired: () => string | undefined;
  /** Reports every fresh view of the own pod (read or written). */
  readonly observeSelf: (pod: PodMeta, source: 'read' | 'write') => void;
  readonly onConflict: (pod: string, attempt: number) => void;
  /** Ends the own-pod requests early (a shutdown deadline); undefined: the API's timeout only. */
  readonly signal?: AbortSignal;
}

export interface SelfWrite {
  readonly pod: PodMeta;
  readonly from: string | undefined;
  readonly to: string;
  readonly durationMs: number;
}

export type SelfOutcome =
  | { readonly kind: 'unchanged'; readonly pod: PodMeta }
  | { readonly kind: 'skipped' }
  | ({ readonly kind: 'written' } & SelfWrite);

/**
 * Read the own pod, compare, and write the one label only if it differs — conditional on the
 * resourceVersion just read. On 409 re-read and re-decide: a stalled process waking up must not
 * overwrite what happened meanwhile.
 */
export async function reconcileSelf(
  ctx: LabelWriteContext,
  /** A read of the own pod already under way (the labeler starts it while it fences). */
  firstRead?: Promise<PodMeta>,
): Promise<SelfOutcome> {
  const options = ctx.signal ? { signal: ctx.signal } : undefined;
  for (let attempt = 1; attempt <= ctx.maxConflictRetries; attempt++) {
    ctx.signal?.throwIfAborted();
    const pod = await (attempt === 1 && firstRead
      ? firstRead
      : ctx.api.readPod(ctx.namespace, ctx.podName, options));
    ctx.observeSelf(pod, 'read');
    const desired = ctx.desired();
    if (desired === undefined) return { kind: 'skipped' };
    const from = pod.labels[ctx.labelKey];
    if (from === desired) return { kind: 'unchanged', pod };
    const started = ctx.now();
    ctx.signal?.throwIfAborted();
    ctx.beforeWrite(ctx.podName);
    try {
      const written = await ctx.api.patchPodMetadata(
        ctx.namespace,
        ctx.podName,
        labelPatch(ctx, pod, desired, undefined),
        options,
      );
      ctx.observeSelf(written, 'write');
      return { kind: 'written', pod: written, from, to: desired, durationMs: ctx.now() - started };
    } catch (err) {
      if (!isStatus(err, 409)) throw err;
      ctx.onConflict(ctx.podName, attempt);
    }
  }
  throw new LabelConflictError(ctx.podName, ctx.maxConflictRetries);
}

export interface FenceOutcome {
  readonly pod: PodMeta;
  readonly result: 'fenced' | 'gone' | 'changed' | 'abandoned';
  readonly durationMs: number;
  readonly attempts: number;
}

/**
 * Demote one other pod still labelled leader, conditional on the resourceVersion last seen.
 * `changed`: someone else relabelled it meanwhile; `gone`: deleted; `abandoned`: we stopped being
 * leader while fencing, so we leave it.
 */
export async function fencePod(
  ctx: LabelWriteContext,
  target: PodMeta,
  stillLeader: () => boolean,
): Promise<FenceOutcome> {
  const started = ctx.now();
  let pod = target;
  for (let attempt = 1; attempt <= ctx.maxConflictRetries; attempt++) {
    const done = (result: FenceOutcome['result']): FenceOutcome => ({
      pod,
      result,
      durationMs: ctx.now() - started,
      attempts: attempt,
    });
    if (!stillLeader()) return done('abandoned');
    if (pod.labels[ctx.labelKey] !== ctx.leaderValue) return done('changed');
    ctx.beforeWrite(pod.name);
    try {
      pod = await ctx.api.patchPodMetadata(
        ctx.namespace,
        pod.name,
        labelPatch(ctx, pod, ctx.standbyValue, ctx.podName),
      );
      return done('fenced');
    } catch (err) {
      if (isStatus(err, 404)) return done('gone');
      if (!isStatus(err, 409)) throw err;
      ctx.onConflict(pod.name, attempt);
      try {
        pod = await ctx.api.readPod(ctx.namespace, pod.name);
      } catch (readErr) {
        if (isStatus(readErr, 404)) return done('gone');
        throw readErr;
      }
    }
  }
  throw new LabelConflictError(target.name, ctx.maxConflictRetries);
}

/** Lists the group's pods labelled leader, other than the own pod. */
export async function listOtherLeaders(
  ctx: LabelWriteContext,
  groupSelector: string,
): Promise<PodMeta[]> {
  const selector = [groupSelector, `${ctx.labelKey}=${ctx.leaderValue}`]
    .filter((s) => s.length > 0)
    .join(',');
  const pods = await ctx.api.listPods(ctx.namespace, selector);
  return pods.filter((p) => p.name !== ctx.podName && p.labels[ctx.labelKey] === ctx.leaderValue);
}

/** The merge patch for one label (+ bookkeeping annotations), never the whole label map. */
function labelPatch(
  ctx: LabelWriteContext,
  pod: PodMeta,
  value: string,
  fencedBy: string | undefined,
): MetadataPatch {
  const annotations: Record<string, string | null> = {};
  if (ctx.leaderSinceAnnotation) {
    const since = ctx.leaderSinceAnnotation;
    if (value === ctx.leaderValue) annotations[since] = new Date(ctx.now()).toISOString();
    else if (since in pod.annotations) annotations[since] = null;
  }
  if (ctx.termAnnotation) {
    const key = ctx.termAnnotation;
    const term = ctx.term();
    if (value === ctx.leaderValue && term !== undefined) annotations[key] = String(term);
    else if (value !== ctx.leaderValue && key in pod.annotations) annotations[key] = null;
  }
  if (ctx.podDeletionCost) {
    // The ReplicaSet controller deletes pods with a lower cost first (scale-down, rollouts):
    // the leader's pod goes last, so a rollout moves the lock once, at the end.
    if (value === ctx.leaderValue) annotations[POD_DELETION_COST] = '1000';
    else if (POD_DELETION_COST in pod.annotations) annotations[POD_DELETION_COST] = null;
  }
  if (ctx.fencedByAnnotation) {
    const by = ctx.fencedByAnnotation;
    if (fencedBy !== undefined) annotations[by] = fencedBy;
    else if (by in pod.annotations) annotations[by] = null;
  }
  return {
    resourceVersion: pod.resourceVersion,
    labels: { [ctx.labelKey]: value },
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
  };
}

/** The term a pod's annotation claims; undefined when it carries none (or garbage). */
export function termOf(pod: PodMeta, termAnnotation: string | undefined): number | undefined {
  const raw = termAnnotation ? pod.annotations[termAnnotation] : undefined;
  if (raw === undefined || !/^\d{1,15}$/.test(raw)) return undefined;
  return Number(raw);
}

/** A pod no Service routes to: terminating, or its Ready condition is false. */
export function notRoutable(pod: PodMeta): boolean {
  return pod.deletionTimestamp !== undefined || pod.ready === false;
}

export function isStatus(err: unknown, status: number): boolean {
  return err instanceof KubeApiError && err.status === status;
}
