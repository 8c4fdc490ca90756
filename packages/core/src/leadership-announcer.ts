import type { PodApi, PodMeta } from './kube-api.js';

export interface AnnouncerOptions {
  readonly api: PodApi;
  readonly namespace: string;
  readonly podName: string;
  readonly labelKey: string;
  readonly leaderValue: string;
  readonly events: boolean;
  readonly reportingController: string;
  /** Lease name, or undefined when the Lease is off. */
  readonly leaseName: string | undefined;
  readonly leaseLabels: Readonly<Record<string, string>> | undefined;
  readonly now: () => number;
  /** Best-effort failures end up here; they never block labelling. */
  readonly onFailure: (what: string, error: Error) => void;
}

export type LeadershipEventReason = 'BecameLeader' | 'BecameStandby' | 'Demoted' | 'Fenced';

/**
 * Kubernetes Events and the optional Lease: observability only, fire-and-forget. Nothing here
 * is awaited by the label path.
 */
export class LeadershipAnnouncer {
  #leaseWrittenFor: number | undefined;

  constructor(private readonly o: AnnouncerOptions) {}

  event(
    regarding: PodMeta,
    reason: LeadershipEventReason,
    note: string,
    type: 'Normal' | 'Warning' = 'Normal',
  ): void {
    if (!this.o.events) return;
    const action = reason === 'Fenced' ? 'Fence' : reason === 'Demoted' ? 'Demote' : 'Label';
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

  /**
   * Names this pod in the Lease once per leadership term (`since` identifies the term), so a
   * steady leader does not write it again on every resync.
   */
  lease(since: number): void {
    const name = this.o.leaseName;
    if (!name || this.#leaseWrittenFor === since) return;
    this.#leaseWrittenFor = since;
    this.o.api
      .writeLeaseHolder({
        namespace: this.o.namespace,
        name,
        holderIdentity: this.o.podName,
        acquiredAt: since,
        ...(this.o.leaseLabels ? { labels: this.o.leaseLabels } : {}),
      })
      .catch((err: Error) => {
        // Try again at the next reconcile of this term.
        if (this.#leaseWrittenFor === since) this.#leaseWrittenFor = undefined;
        this.o.onFailure('lease', err);
      });
  }
}
