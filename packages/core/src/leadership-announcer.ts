import type { PodApi, PodMeta } from './kube-api.js';

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
  /** Best-effort failures end up here; they never block labelling. */
  readonly onFailure: (what: string, error: Error) => void;
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
  constructor(private readonly o: AnnouncerOptions) {}

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
    this.o.api
      .createPodEvent({
        regarding: { name: regarding.name, namespace: regarding.namespace, uid: regarding.uid },
        type,
        reason,
        action,
        note,
        reportingController: this.o.reportingController,
        reportingInstance: this.o.podName,
        at: this.o.now(),
      })
      .catch((err: Error) => this.o.onFailure(`event ${reason}`, err));
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
