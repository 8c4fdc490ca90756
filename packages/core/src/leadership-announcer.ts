import type { Clock, TimerHandle } from './clock.js';
import {
  EventSeries,
  type EventSeriesOptions,
  eventSeriesKey,
  type SeriesWrite,
} from './event-series.js';
import type { PodApi, PodEventSpec, PodMeta } from './kube-api.js';

export interface AnnouncerOptions {
  readonly api: PodApi;
  readonly namespace: string;
  readonly podName: string;
  readonly labelKey: string;
  readonly leaderValue: string;
  readonly events: boolean;
  readonly reportingController: string;
  /** The own pod's uid as last seen (Events name it). */
  readonly podUid: () => string | undefined;
  readonly now: () => number;
  /** Timers of the series flush. */
  readonly clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  /** Best-effort failures end up here; they never block labelling. */
  readonly onFailure: (what: string, error: Error) => void;
  /** Repeats of one Event become a series (count) instead of new objects. @default its defaults */
  readonly series?: EventSeriesOptions;
}

export type LeadershipEventReason =
  | 'BecameLeader'
  | 'BecameStandby'
  | 'Demoted'
  | 'Fenced'
  | 'SplitBrain';

/**
 * Kubernetes Events: observability only, fire-and-forget. Nothing here is awaited by the label
 * path.
 */
export class LeadershipAnnouncer {
  readonly #series: EventSeries;
  #flushTimer: TimerHandle | undefined;
  #stopped = false;

  constructor(private readonly o: AnnouncerOptions) {
    this.#series = new EventSeries(o.series);
  }

  /** Writes the counts still pending and stops the flush timer. */
  stop(): void {
    this.#stopped = true;
    if (this.#flushTimer !== undefined) this.o.clock.clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    for (const s of this.#series.due(Number.POSITIVE_INFINITY)) this.#writeSeries(s);
  }

  event(
    regarding: PodMeta,
    reason: LeadershipEventReason,
    note: string,
    type: 'Normal' | 'Warning' = 'Normal',
  ): void {
    if (!this.o.events) return;
    const action =
      reason === 'Fenced'
        ? 'Fence'
        : reason === 'Demoted' || reason === 'SplitBrain'
          ? 'Demote'
          : 'Label';
    const spec: PodEventSpec = {
      regarding: { name: regarding.name, namespace: regarding.namespace, uid: regarding.uid },
      type,
      reason,
      action,
      note,
      reportingController: this.o.reportingController,
      reportingInstance: this.o.podName,
      at: this.o.now(),
    };
    const key = eventSeriesKey(spec);
    const decision = this.#series.observe(key, spec.at);
    if (decision.kind === 'create') {
      this.o.api.createPodEvent(spec).then(
        (name) => {
          this.#series.created(key, name);
          this.#schedule();
        },
        (err: Error) => this.o.onFailure(`event ${reason}`, err),
      );
    } else if (decision.kind === 'write') this.#writeSeries(decision.series);
    else this.#schedule();
  }

  #writeSeries(s: SeriesWrite): void {
    if (s.name === undefined) return;
    this.o.api
      .updatePodEventSeries(this.o.namespace, s.name, s)
      .catch((err: Error) => this.o.onFailure(`event series ${s.name}`, err));
  }

  /** One timer for the next pending count (a refresh interval after the last write). */
  #schedule(): void {
    if (this.#stopped || this.#flushTimer !== undefined) return;
    const at = this.#series.nextDueAt();
    if (at === undefined) return;
    this.#flushTimer = this.o.clock.setTimeout(
      () => {
        this.#flushTimer = undefined;
        for (const s of this.#series.due(this.o.now())) this.#writeSeries(s);
        this.#schedule();
      },
      Math.max(0, at - this.o.now()),
    );
  }

  /** The own label was written: BecameLeader, Demoted or BecameStandby. */
  labelWritten(
    pod: PodMeta,
    from: string | undefined,
    to: string,
    reason: string | undefined,
  ): void {
    const what = `labelled ${this.o.labelKey}=${to}${reason ? ` (${reason})` : ''}`;
    if (to === this.o.leaderValue) this.event(pod, 'BecameLeader', `broker serves: ${what}`);
    else if (from === this.o.leaderValue) this.event(pod, 'Demoted', what);
    else this.event(pod, 'BecameStandby', what);
  }

  /** Another pod lost its stale leader label to us. */
  fenced(pod: PodMeta): void {
    const { podName, labelKey, leaderValue } = this.o;
    this.event(
      pod,
      'Fenced',
      `${podName} is leader: removed stale ${labelKey}=${leaderValue}`,
      'Warning',
    );
  }

  /** Our broker serves while `holder` renews the group Lease. */
  splitBrain(holder: string): void {
    const self: PodMeta = {
      name: this.o.podName,
      namespace: this.o.namespace,
      uid: this.o.podUid() ?? '',
      resourceVersion: '',
      labels: {},
      annotations: {},
    };
    this.event(
      self,
      'SplitBrain',
      `the local broker serves while ${holder} holds and renews the group Lease: two brokers serve (store locks are not working); labelled ${this.o.labelKey} standby and not ready`,
      'Warning',
    );
  }
}
