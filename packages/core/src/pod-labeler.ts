import { EventEmitter } from 'eventemitter3';
import { Backoff, type BackoffOptions } from './backoff.js';
import { type Clock, jittered, systemClock, type TimerHandle } from './clock.js';
import type { LeaderState } from './elector-policy.js';
import { FenceIncompleteError, InvalidOptionError } from './errors.js';
import type { PodApi, PodMeta, PodWatchEventType, WatchHandle } from './kube-api.js';
import {
  type FenceOutcome,
  fencePod,
  type LabelWriteContext,
  listOtherLeaders,
  reconcileSelf,
} from './label-writes.js';
import type { ProbeEvent, Transition } from './leader-elector.js';
import { LeadershipAnnouncer } from './leadership-announcer.js';
import { computeReadiness, type Readiness } from './readiness.js';

/** What the labeler needs from the elector: a `LeaderElector` or anything shaped like it. */
export interface LeadershipSource {
  readonly state: LeaderState;
  readonly lastProbe: ProbeEvent | undefined;
  on(event: 'transition', fn: (t: Transition) => void): unknown;
  on(event: 'probe', fn: (p: ProbeEvent) => void): unknown;
  off(event: 'transition', fn: (t: Transition) => void): unknown;
  off(event: 'probe', fn: (p: ProbeEvent) => void): unknown;
}

export interface PodLabelerOptions {
  readonly api: PodApi;
  readonly elector: LeadershipSource;
  readonly namespace: string;
  /** The own pod (the agent gets it from the Downward API). */
  readonly podName: string;
  /**
   * Label selector of the group's pods, e.g. `app.kubernetes.io/name=activemq`; fencing demotes
   * every other pod it matches that still carries the leader label. `''` means every pod of the
   * namespace.
   */
  readonly groupSelector: string;
  /** @default 'leader' */
  readonly labelKey?: string;
  /** @default 'yes' */
  readonly leaderValue?: string;
  /** @default 'no' */
  readonly standbyValue?: string;
  /**
   * What to label while the elector is `unknown` (probes time out): `'demote'` writes the standby
   * value, because a broker that does not answer must not receive traffic; `'keep'` leaves the
   * label (readiness still turns false).
   * @default 'demote'
   */
  readonly onUnknown?: 'demote' | 'keep';
  /** Period of the read-compare-(write) resync, in ms (±10 % jitter). @default 10000 */
  readonly resyncIntervalMs?: number;
  /**
   * Maximum age of the last `ok` probe for writing the leader label, in ms: a process that was
   * frozen (stopped container, stuck node) wakes with a stale `leader` state and must re-probe
   * before it claims the label again.
   * @default 3000
   */
  readonly probeFreshnessMs?: number;
  /** Retry policy for failed reconciles and watch restarts. */
  readonly backoff?: BackoffOptions;
  /** Watch the group's pods to react when someone else changes a label. @default true */
  readonly watch?: boolean;
  /** Server-side lifetime of one watch request, in s (then it is restarted). @default 300 */
  readonly watchTimeoutSeconds?: number;
  /** Annotation holding the ISO time the pod became leader; `null` disables it. @default 'activemq-ha.io/leader-since' */
  readonly leaderSinceAnnotation?: string | null;
  /** Annotation naming the pod that fenced this one; `null` disables it. @default 'activemq-ha.io/fenced-by' */
  readonly fencedByAnnotation?: string | null;
  /** Record events.k8s.io/v1 Events (best effort). @default true */
  readonly events?: boolean;
  /** @default 'activemq-ha.io/agent' */
  readonly reportingController?: string;
  /**
   * Name of a coordination.k8s.io/v1 Lease whose holderIdentity is set to the leader pod
   * (informational: `kubectl get lease`; not a lock). Off when undefined.
   * @default undefined
   */
  readonly leaseName?: string;
  /** Labels for a Lease this labeler creates. */
  readonly leaseLabels?: Readonly<Record<string, string>>;
  /**
   * The own label as known before the first API read, e.g. from the Downward API labels file,
   * so `readiness()` is right even when the API is down at start-up.
   */
  readonly initialLabel?: string;
  /** 409 Conflicts tolerated per write before the round fails (and is retried). @default 5 */
  readonly maxConflictRetries?: number;
  /** @default systemClock */
  readonly clock?: Clock;
  /** @default Math.random */
  readonly random?: () => number;
}

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

/**
 * Keeps the own pod's leader label equal to the elector's state, fences other pods of the group
 * that still carry it, and reports readiness. Writes only when something differs.
 */
export class PodLabeler extends EventEmitter<PodLabelerEvents> {
  readonly #o: Resolved;
  readonly #ctx: LabelWriteContext;
  readonly #announcer: LeadershipAnnouncer;
  readonly #backoff: Backoff;
  readonly #watchBackoff: Backoff;
  #running = false;
  #dirty = false;
  #trigger: ReconcileTrigger = 'start';
  #loop: Promise<void> | undefined;
  #retryTimer: TimerHandle | undefined;
  #resyncTimer: TimerHandle | undefined;
  #watchTimer: TimerHandle | undefined;
  #watch: WatchHandle | undefined;
  #watchStarting = false;
  #awaitingFreshProbe = false;
  #label: string | undefined;
  #labelRv: string | undefined;
  #labelObservedAt: number | undefined;
  #lastReconcileAt: number | undefined;
  #lastError: Error | undefined;
  #consecutiveErrors = 0;
  #lastTransition: Transition | undefined;
  #readiness: Readiness;
  #leaderSince: number | undefined;

  constructor(options: PodLabelerOptions) {
    super();
    this.#o = resolve(options);
    const o = this.#o;
    this.#backoff = new Backoff(options.backoff, o.random);
    this.#watchBackoff = new Backoff(options.backoff, o.random);
    this.#label = options.initialLabel;
    this.#ctx = {
      api: o.api,
      namespace: o.namespace,
      podName: o.podName,
      labelKey: o.labelKey,
      leaderValue: o.leaderValue,
      standbyValue: o.standbyValue,
      leaderSinceAnnotation: o.leaderSinceAnnotation,
      fencedByAnnotation: o.fencedByAnnotation,
      maxConflictRetries: o.maxConflictRetries,
      now: () => o.clock.now(),
      desired: () => this.#desiredNow(),
      observeSelf: (pod, source) => this.#observe(pod, source),
      onConflict: (pod, attempt) => this.emit('conflict', { pod, attempt }),
    };
    this.#announcer = new LeadershipAnnouncer({
      api: o.api,
      namespace: o.namespace,
      podName: o.podName,
      events: o.events,
      reportingController: o.reportingController,
      leaseName: o.leaseName,
      leaseLabels: o.leaseLabels,
      now: () => o.clock.now(),
      onFailure: (what, error) => this.emit('warning', { what, error }),
    });
    this.#readiness = this.#computeReadiness();
  }

  /** True unless this pod is labelled leader while its broker does not serve. */
  readiness(): boolean {
    return this.#computeReadiness().ready;
  }

  get status(): LabelerStatus {
    return {
      running: this.#running,
      desired: this.#desired(this.#o.elector.state),
      label: this.#label,
      labelObservedAt: this.#labelObservedAt,
      lastReconcileAt: this.#lastReconcileAt,
      lastError: this.#lastError,
      consecutiveErrors: this.#consecutiveErrors,
      watching: this.#watch !== undefined,
      readiness: this.#computeReadiness(),
    };
  }

  start(): this {
    if (this.#running) return this;
    this.#running = true;
    this.#o.elector.on('transition', this.#onTransition);
    this.#o.elector.on('probe', this.#onProbe);
    if (this.#o.watch) void this.#startWatch();
    this.#scheduleResync();
    this.#request('start', true);
    return this;
  }

  /**
   * Stops reconciling. With `release`, then writes the standby value on the own pod if it still
   * carries the leader label (SIGTERM hand-over), retrying until `timeoutMs`; resolves whether
   * the pod ends up without the leader label.
   */
  async stop(options: { release?: boolean; timeoutMs?: number } = {}): Promise<boolean> {
    this.#running = false;
    this.#o.elector.off('transition', this.#onTransition);
    this.#o.elector.off('probe', this.#onProbe);
    for (const t of [this.#retryTimer, this.#resyncTimer, this.#watchTimer]) {
      if (t !== undefined) this.#o.clock.clearTimeout(t);
    }
    this.#retryTimer = this.#resyncTimer = this.#watchTimer = undefined;
    this.#watch?.close();
    this.#watch = undefined;
    await this.#loop;
    if (!options.release) return this.#label !== this.#o.leaderValue;
    return this.#release(options.timeoutMs ?? 5000);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** Asks for a reconcile now (e.g. from an admin endpoint). */
  resync(): void {
    this.#request('resync', true);
  }

  readonly #onTransition = (t: Transition): void => {
    this.#lastTransition = t;
    if (t.to === 'leader') this.#leaderSince = t.at;
    this.#checkReadiness();
    this.#request('transition', true);
  };

  readonly #onProbe = (): void => {
    this.#checkReadiness();
    if (this.#awaitingFreshProbe && this.#probeFresh()) {
      this.#awaitingFreshProbe = false;
      this.#request('probe', true);
    }
  };

  /** Schedules a reconcile. Urgent requests cut a pending retry wait short. */
  #request(trigger: ReconcileTrigger, urgent: boolean): void {
    if (!this.#running) return;
    if (!this.#dirty) this.#trigger = trigger;
    this.#dirty = true;
    if (this.#loop) return;
    if (this.#retryTimer !== undefined) {
      if (!urgent) return;
      this.#o.clock.clearTimeout(this.#retryTimer);
      this.#retryTimer = undefined;
    }
    this.#kick();
  }

  #kick(): void {
    this.#loop = this.#run().finally(() => {
      this.#loop = undefined;
      // A request that arrived while the loop was winding down would otherwise be lost.
      if (this.#dirty && this.#running && this.#retryTimer === undefined) this.#kick();
    });
  }

  async #run(): Promise<void> {
    while (this.#dirty && this.#running) {
      this.#dirty = false;
      const trigger = this.#trigger;
      try {
        await this.#reconcile(trigger);
        this.#backoff.reset();
        this.#consecutiveErrors = 0;
        this.#lastError = undefined;
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        this.#consecutiveErrors++;
        this.#lastError = error;
        const retryInMs = this.#backoff.next();
        this.emit('apiError', {
          error,
          trigger,
          consecutiveErrors: this.#consecutiveErrors,
          retryInMs,
        });
        if (!this.#running) return;
        this.#retryTimer = this.#o.clock.setTimeout(() => {
          this.#retryTimer = undefined;
          this.#request('retry', true);
        }, retryInMs);
        return;
      }
    }
  }

  async #reconcile(trigger: ReconcileTrigger): Promise<void> {
    const started = this.#o.clock.now();
    const desired = this.#desiredNow();
    if (desired === undefined) return;
    // Fence first, then claim: with brokers that honour the lock, at most one pod carries the
    // leader label at any moment. A failed fence does not hold up the own label (it is retried).
    const fence: PromiseSettledResult<string[]> =
      desired === this.#o.leaderValue
        ? await settle(this.#fenceOthers())
        : { status: 'fulfilled', value: [] };
    const self = await settle(reconcileSelf(this.#ctx));
    const at = this.#o.clock.now();
    this.#lastReconcileAt = at;
    if (self.status === 'fulfilled') {
      const outcome = self.value;
      if (outcome.kind === 'written')
        this.#announceWrite(outcome.pod, outcome.from, outcome.to, outcome.durationMs);
      if (
        outcome.kind !== 'skipped' &&
        outcome.pod.labels[this.#o.labelKey] === this.#o.leaderValue
      ) {
        this.#announcer.lease(this.#leaderSince ?? at);
      }
    }
    this.emit('reconciled', {
      trigger,
      desired,
      label: this.#label,
      changed: self.status === 'fulfilled' && self.value.kind === 'written',
      fenced: fence.status === 'fulfilled' ? fence.value : [],
      at,
      durationMs: at - started,
    });
    if (self.status === 'rejected') throw self.reason;
    if (fence.status === 'rejected') throw fence.reason;
  }

  /** Fences every other leader-labelled pod independently and in parallel. */
  async #fenceOthers(): Promise<string[]> {
    const others = await listOtherLeaders(this.#ctx, this.#o.groupSelector);
    if (others.length === 0) return [];
    const stillLeader = () => this.#running && this.#desiredNow() === this.#o.leaderValue;
    const settled = await Promise.allSettled(
      others.map((p) => fencePod(this.#ctx, p, stillLeader)),
    );
    const fenced: string[] = [];
    const failed: string[] = [];
    const errors: Error[] = [];
    settled.forEach((s, i) => {
      const name = others[i]!.name;
      if (s.status === 'fulfilled') {
        if (s.value.result === 'fenced') {
          fenced.push(name);
          this.#announceFence(s.value);
        }
      } else {
        const error = s.reason instanceof Error ? s.reason : new Error(String(s.reason));
        failed.push(name);
        errors.push(error);
        this.emit('fenceFailed', { pod: name, error });
      }
    });
    if (failed.length > 0) throw new FenceIncompleteError(failed, errors);
    return fenced;
  }

  #announceWrite(pod: PodMeta, from: string | undefined, to: string, durationMs: number): void {
    const o = this.#o;
    const t = this.#lastTransition;
    const at = o.clock.now();
    const change: LabelChange = {
      pod: o.podName,
      from,
      to,
      cause: o.elector.state,
      reason: t?.reason,
      at,
      durationMs,
      sinceTransitionMs: t ? at - t.at : undefined,
    };
    this.emit('labelChanged', change);
    const why = t ? ` (${t.reason})` : '';
    if (to === o.leaderValue) {
      this.#announcer.event(
        pod,
        'BecameLeader',
        `broker serves: labelled ${o.labelKey}=${to}${why}`,
      );
    } else if (from === o.leaderValue) {
      this.#announcer.event(
        pod,
        'Demoted',
        `broker ${o.elector.state}: labelled ${o.labelKey}=${to}${why}`,
      );
    } else {
      this.#announcer.event(pod, 'BecameStandby', `labelled ${o.labelKey}=${to}${why}`);
    }
  }

  #announceFence(f: FenceOutcome): void {
    const o = this.#o;
    this.emit('fenced', {
      pod: f.pod.name,
      at: o.clock.now(),
      durationMs: f.durationMs,
      attempts: f.attempts,
    });
    this.#announcer.event(
      f.pod,
      'Fenced',
      `${o.podName} is leader: removed stale ${o.labelKey}=${o.leaderValue}`,
      'Warning',
    );
  }

  async #release(timeoutMs: number): Promise<boolean> {
    const o = this.#o;
    const deadline = o.clock.now() + timeoutMs;
    const backoff = new Backoff(o.backoffOptions, o.random);
    const t = this.#lastTransition;
    for (;;) {
      try {
        const outcome = await reconcileSelf({
          ...this.#ctx,
          desired: () => o.standbyValue,
        });
        if (outcome.kind === 'written') {
          const at = o.clock.now();
          this.emit('labelChanged', {
            pod: o.podName,
            from: outcome.from,
            to: outcome.to,
            cause: 'released',
            reason: 'agent stopping',
            at,
            durationMs: outcome.durationMs,
            sinceTransitionMs: t ? at - t.at : undefined,
          });
          if (outcome.from === o.leaderValue) {
            this.#announcer.event(
              outcome.pod,
              'Demoted',
              `agent stopping: labelled ${o.labelKey}=${outcome.to}`,
            );
          }
        }
        return true;
      } catch (err) {
        const delay = backoff.next();
        if (o.clock.now() + delay >= deadline) {
          this.emit('warning', { what: 'release', error: err as Error });
          return false;
        }
        await new Promise<void>((r) => o.clock.setTimeout(r, delay));
      }
    }
  }

  async #startWatch(): Promise<void> {
    if (!this.#running || this.#watch || this.#watchStarting) return;
    this.#watchStarting = true;
    const o = this.#o;
    try {
      const handle = await o.api.watchPods(
        o.namespace,
        {
          ...(o.groupSelector ? { labelSelector: o.groupSelector } : {}),
          timeoutSeconds: Math.round(jittered(o.watchTimeoutSeconds, 0.1, o.random)),
        },
        {
          onEvent: (type, pod) => this.#onWatchEvent(type, pod),
          onClose: (error) => {
            this.#watch = undefined;
            this.emit('watch', { state: 'closed', ...(error ? { error } : {}) });
            this.#restartWatch(error ? this.#watchBackoff.next() : 0);
          },
        },
      );
      if (!this.#running) {
        handle.close();
        return;
      }
      this.#watch = handle;
      this.emit('watch', { state: 'open' });
    } catch (err) {
      this.emit('watch', { state: 'closed', error: err as Error });
      this.#restartWatch(this.#watchBackoff.next());
    } finally {
      this.#watchStarting = false;
    }
  }

  #restartWatch(delayMs: number): void {
    if (!this.#running || this.#watchTimer !== undefined) return;
    this.#watchTimer = this.#o.clock.setTimeout(() => {
      this.#watchTimer = undefined;
      void this.#startWatch();
    }, delayMs);
  }

  #onWatchEvent(type: PodWatchEventType, pod: PodMeta): void {
    this.#watchBackoff.reset();
    if (type === 'DELETED') return;
    const o = this.#o;
    const desired = this.#desiredNow();
    if (pod.name === o.podName) {
      this.#observe(pod, 'watch');
      // Someone else changed the own label: put it back (after a fresh read).
      if (desired !== undefined && pod.labels[o.labelKey] !== desired)
        this.#request('watch', false);
    } else if (desired === o.leaderValue && pod.labels[o.labelKey] === o.leaderValue) {
      this.#request('watch', false);
    }
  }

  #scheduleResync(): void {
    if (!this.#running) return;
    const o = this.#o;
    this.#resyncTimer = o.clock.setTimeout(
      () => {
        this.#resyncTimer = undefined;
        this.#request('resync', false);
        // The resync doubles as the watch watchdog.
        if (o.watch && !this.#watch && this.#watchTimer === undefined) void this.#startWatch();
        this.#scheduleResync();
      },
      jittered(o.resyncIntervalMs, 0.1, o.random),
    );
  }

  #observe(pod: PodMeta, source: 'read' | 'write' | 'watch'): void {
    // A watch event can arrive after a newer read or write; never step back in time.
    if (source === 'watch' && isOlder(pod.resourceVersion, this.#labelRv)) return;
    this.#labelRv = pod.resourceVersion;
    this.#label = pod.labels[this.#o.labelKey];
    this.#labelObservedAt = this.#o.clock.now();
    this.#checkReadiness();
  }

  #desired(state: LeaderState): string | undefined {
    if (state === 'leader') return this.#o.leaderValue;
    if (state === 'standby') return this.#o.standbyValue;
    if (state === 'unknown')
      return this.#o.onUnknown === 'demote' ? this.#o.standbyValue : undefined;
    return undefined;
  }

  /** The desired label, holding back the leader value until a fresh `ok` probe backs it. */
  #desiredNow(): string | undefined {
    const desired = this.#desired(this.#o.elector.state);
    if (desired === this.#o.leaderValue && !this.#probeFresh()) {
      this.#awaitingFreshProbe = true;
      return undefined;
    }
    return desired;
  }

  #probeFresh(): boolean {
    const last = this.#o.elector.lastProbe;
    return (
      last !== undefined &&
      last.result.status === 'ok' &&
      this.#o.clock.now() - last.at <= this.#o.probeFreshnessMs
    );
  }

  #computeReadiness(): Readiness {
    return computeReadiness(this.#label, this.#o.leaderValue, this.#o.elector.state);
  }

  #checkReadiness(): void {
    const r = this.#computeReadiness();
    if (r.ready !== this.#readiness.ready) {
      this.#readiness = r;
      this.emit('readiness', r);
    }
  }
}

async function settle<T>(p: Promise<T>): Promise<PromiseSettledResult<T>> {
  const [result] = await Promise.allSettled([p]);
  return result!;
}

/** resourceVersions are opaque, but numeric in practice; compare only when both are. */
function isOlder(rv: string, than: string | undefined): boolean {
  if (than === undefined || !/^\d+$/.test(rv) || !/^\d+$/.test(than)) return false;
  return BigInt(rv) < BigInt(than);
}

type Resolved = ReturnType<typeof resolve>;

function resolve(o: PodLabelerOptions) {
  const r = {
    api: o.api,
    elector: o.elector,
    namespace: o.namespace,
    podName: o.podName,
    groupSelector: o.groupSelector,
    labelKey: o.labelKey ?? 'leader',
    leaderValue: o.leaderValue ?? 'yes',
    standbyValue: o.standbyValue ?? 'no',
    onUnknown: o.onUnknown ?? 'demote',
    resyncIntervalMs: o.resyncIntervalMs ?? 10_000,
    probeFreshnessMs: o.probeFreshnessMs ?? 3000,
    backoffOptions: o.backoff ?? {},
    watch: o.watch ?? true,
    watchTimeoutSeconds: o.watchTimeoutSeconds ?? 300,
    leaderSinceAnnotation:
      o.leaderSinceAnnotation === null
        ? undefined
        : (o.leaderSinceAnnotation ?? 'activemq-ha.io/leader-since'),
    fencedByAnnotation:
      o.fencedByAnnotation === null
        ? undefined
        : (o.fencedByAnnotation ?? 'activemq-ha.io/fenced-by'),
    events: o.events ?? true,
    reportingController: o.reportingController ?? 'activemq-ha.io/agent',
    leaseName: o.leaseName,
    leaseLabels: o.leaseLabels,
    maxConflictRetries: o.maxConflictRetries ?? 5,
    clock: o.clock ?? systemClock,
    random: o.random ?? Math.random,
  };
  for (const k of ['namespace', 'podName', 'labelKey', 'leaderValue', 'standbyValue'] as const) {
    if (!r[k]) throw new InvalidOptionError(k, 'must be a non-empty string');
  }
  if (typeof r.groupSelector !== 'string') {
    throw new InvalidOptionError('groupSelector', "must be a label selector string ('' for all)");
  }
  if (r.leaderValue === r.standbyValue) {
    throw new InvalidOptionError('standbyValue', 'must differ from leaderValue');
  }
  if (!(r.resyncIntervalMs > 0)) throw new InvalidOptionError('resyncIntervalMs', 'must be > 0');
  if (!(r.probeFreshnessMs > 0)) throw new InvalidOptionError('probeFreshnessMs', 'must be > 0');
  if (!Number.isInteger(r.maxConflictRetries) || r.maxConflictRetries < 1) {
    throw new InvalidOptionError('maxConflictRetries', 'must be an integer >= 1');
  }
  return r;
}
