import type { LeaderState } from './elector-policy.js';
import type { Readiness } from './readiness.js';

/** Why a reconcile ran. */
export type ReconcileTrigger = 'start' | 'transition' | 'probe' | 'watch' | 'resync' | 'retry';

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
  readonly trigger: ReconcileTrigger;
  readonly consecutiveErrors: number;
  readonly retryInMs: number;
}

export interface PodLabelerEvents {
  labelChanged: [change: LabelChange];
  fenced: [event: FenceEvent];
  fenceFailed: [event: { readonly pod: string; readonly error: Error }];
  conflict: [event: { readonly pod: string; readonly attempt: number }];
  reconciled: [report: ReconcileReport];
  /** A reconcile failed; it is retried after `retryInMs`. The label is not touched meanwhile. */
  apiError: [event: ApiErrorEvent];
  watch: [event: { readonly state: 'open' | 'closed'; readonly error?: Error }];
  readiness: [readiness: Readiness];
  /** A best-effort side effect (Event, Lease) failed. */
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
}
