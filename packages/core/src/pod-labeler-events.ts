import type { LeaderState } from './elector-policy.js';
import type { LeaseStatus } from './group-lease.js';
import type { ListenerErrorEvents } from './guarded-emitter.js';
import type { Readiness } from './readiness.js';

/** Why a reconcile ran. */
export type ReconcileTrigger =
  | 'start'
  | 'transition'
  | 'probe'
  | 'watch'
  | 'resync'
  | 'retry'
  | 'lease'
  | 'damping';

export interface LabelChange {
  readonly pod: string;
  readonly from: string | undefined;
  readonly to: string;
  /** The elector state that asked for it, or `released` from `stop({ release: true })`. */
  readonly cause: LeaderState | 'released';
  /** The elector's last transition reason, when there is one. */
  readonly reason: string | undefined;
  readonly at: number;
  /** Time the write took, in ms. */
  readonly durationMs: number;
  /** Time from the elector's transition to the label being written, in ms. */
  readonly sinceTransitionMs: number | undefined;
}

export interface FenceEvent {
  readonly pod: string;
  readonly at: number;
  readonly durationMs: number;
  readonly attempts: number;
}

export interface ReconcileReport {
  readonly trigger: ReconcileTrigger;
  readonly desired: string | undefined;
  readonly label: string | undefined;
  readonly changed: boolean;
  readonly fenced: readonly string[];
  readonly at: number;
  readonly durationMs: number;
}

export interface ApiErrorEvent {
  readonly error: Error;
  /**
   * Whether the error is one that retrying can cure by itself (no answer, 401, 403, 404, 409, 429,
   * 5xx). False for the rest — 400, 422 (an admission webhook, a bad label), bugs: still retried,
   * since someone may fix the cause, but worth logging as an error.
   */
  readonly transient: boolean;
  readonly trigger: ReconcileTrigger;
  readonly consecutiveErrors: number;
  readonly retryInMs: number;
}

export interface PodLabelerEvents extends ListenerErrorEvents {
  labelChanged: [change: LabelChange];
  fenced: [event: FenceEvent];
  fenceFailed: [event: { readonly pod: string; readonly error: Error }];
  conflict: [event: { readonly pod: string; readonly attempt: number }];
  reconciled: [report: ReconcileReport];
  /** A reconcile failed; it is retried after `retryInMs`. The label is not touched meanwhile. */
  apiError: [event: ApiErrorEvent];
  watch: [event: { readonly state: 'open' | 'closed'; readonly error?: Error }];
  readiness: [readiness: Readiness];
  /** Our broker serves while `holder` renews the group Lease: we demote and go NotReady. */
  splitBrain: [event: { readonly holder: string; readonly at: number }];
  /** No other pod holds a live Lease any more: the split brain is over (the stop marker may go). */
  splitBrainCleared: [event: { readonly at: number }];
  /** A peer (`by`) demoted our pod; we do not claim back for `fenceBackoffMs`. */
  fencedByPeer: [event: { readonly by: string; readonly at: number }];
  /** The label claim waits: these leader-labelled peers could not be fenced and are routable. */
  claimBlocked: [event: { readonly pods: readonly string[]; readonly reason: string }];
  /** A write was held back by the write budget. */
  throttled: [event: { readonly pod: string; readonly retryInMs: number }];
  /** The own pod got a deletionTimestamp: SIGTERM will release the label. */
  terminating: [event: { readonly deletionTimestamp: string }];
  /** The Lease status changed (held, term, other holder). */
  lease: [status: LeaseStatus];
  /** A best-effort side effect (Event, Lease) failed, or `stop({ release })` ran out of time. */
  warning: [event: { readonly what: string; readonly error: Error }];
}

export interface LabelerStatus {
  readonly running: boolean;
  readonly desired: string | undefined;
  /** The own label as last observed (read, watched) or written; undefined before the first. */
  readonly label: string | undefined;
  readonly labelObservedAt: number | undefined;
  readonly lastReconcileAt: number | undefined;
  readonly lastError: Error | undefined;
  readonly consecutiveErrors: number;
  readonly watching: boolean;
  readonly readiness: Readiness;
  /** Split brain detected and not yet cleared. */
  readonly splitBrain: boolean;
  /** The group Lease as last seen; undefined without a Lease. */
  readonly lease: LeaseStatus | undefined;
}
