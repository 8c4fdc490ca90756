import { Backoff } from './backoff.js';
import { jittered, settleBy, sleep, type TimerHandle } from './clock.js';
import type { LeaderState } from './elector-policy.js';
import { FenceIncompleteError, isTransientError } from './errors.js';
import { GuardedEmitter } from './guarded-emitter.js';
import type { PodMeta, PodWatchEventType } from './kube-api.js';
import {
  type FenceOutcome,
  fencePod,
  type LabelWriteContext,
  listOtherLeaders,
  reconcileSelf,
  type SelfWrite,
} from './label-writes.js';
import type { Transition } from './leader-elector.js';
import { LeadershipAnnouncer } from './leadership-announcer.js';
import type {
  LabelChange,
  LabelerStatus,
  PodLabelerEvents,
  ReconcileTrigger,
} from './pod-labeler-events.js';
import {
  type PodLabelerOptions,
  type ResolvedLabelerOptions,
  resolveLabelerOptions,
} from './pod-labeler-options.js';
import { PodWatchKeeper } from './pod-watch-keeper.js';
import { computeReadiness, type Readiness } from './readiness.js';

/**
 * Keeps the own pod's leader label equal to the elector's state, fences other pods of the group
 * that still carry it, and reports readiness. Writes only when something differs.
 */
export class PodLabeler extends GuardedEmitter<PodLabelerEvents> {
  readonly #o: ResolvedLabelerOptions;
  readonly #ctx: LabelWriteContext;
  readonly #announcer: LeadershipAnnouncer;
  readonly #backoff: Backoff;
  readonly #watch: PodWatchKeeper | undefined;
  #running = false;
  #dirty = false;
  #trigger: ReconcileTrigger = 'start';
  #loop: Promise<void> | undefined;
  #retryTimer: TimerHandle | undefined;
  #resyncTimer: TimerHandle | undefined;
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
    this.#o = resolveLabelerOptions(options);
    const o = this.#o;
    this.#backoff = new Backoff(options.backoff, o.random);
    this.#watch = o.watch
      ? new PodWatchKeeper({
          api: o.api,
          namespace: o.namespace,
          labelSelector: o.groupSelector,
          timeoutSeconds: o.watchTimeoutSeconds,
          backoff: options.backoff,
          clock: o.clock,
          random: o.random,
          onEvent: (type, pod) => this.#onWatchEvent(type, pod),
          onState: (state, error) => this.emit('watch', { state, ...(error ? { error } : {}) }),
        })
      : undefined;
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
      // A reconcile still in flight after stop() must not write any more (a release may be
      // under way): it re-evaluates this after every read.
      desired: () => (this.#running ? this.#desiredNow() : undefined),
      observeSelf: (pod, source) => this.#observe(pod, source),
      onConflict: (pod, attempt) => this.emit('conflict', { pod, attempt }),
    };
    this.#announcer = new LeadershipAnnouncer({
      api: o.api,
      namespace: o.namespace,
      podName: o.podName,
      labelKey: o.labelKey,
      leaderValue: o.leaderValue,
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
      watching: this.#watch?.open ?? false,
      readiness: this.#computeReadiness(),
    };
  }

  start(): this {
    if (this.#running) return this;
    this.#running = true;
    this.#o.elector.on('transition', this.#onTransition);
    this.#o.elector.on('probe', this.#onProbe);
    this.#watch?.start();
    this.#scheduleResync();
    this.#request('start', true);
    return this;
  }

  /**
   * Stops reconciling. With `release`, then writes the standby value on the own pod if it still
   * carries the leader label (SIGTERM hand-over), retrying with backoff. `timeoutMs` (default
   * 5000) counts from this call and bounds everything: the wait for a reconcile in flight, the
   * retries and every request (when the PodApi honours `signal`, as KubeClient does; otherwise
   * at most one request more). Resolves whether the pod is known to be without the leader label:
   * false when that could not be done in time.
   */
  async stop(options: { release?: boolean; timeoutMs?: number } = {}): Promise<boolean> {
    const deadline = this.#o.clock.now() + (options.timeoutMs ?? 5000);
    this.#running = false;
    this.#o.elector.off('transition', this.#onTransition);
    this.#o.elector.off('probe', this.#onProbe);
    for (const t of [this.#retryTimer, this.#resyncTimer]) {
      if (t !== undefined) this.#o.clock.clearTimeout(t);
    }
    this.#retryTimer = this.#resyncTimer = undefined;
    this.#watch?.stop();
    // A reconcile in flight against a hung API can take several request timeouts.
    await settleBy(this.#o.clock, this.#loop, deadline);
    if (!options.release) return this.#label !== this.#o.leaderValue;
    return this.#release(deadline);
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
    this.#loop = this.#run()
      .catch((err: unknown) => {
        // Not expected (errors of a round are handled in #run): report it, never reject.
        const error = err instanceof Error ? err : new Error(String(err));
        this.emit('warning', { what: 'reconcile loop', error });
      })
      .finally(() => {
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
          transient: isTransientError(error),
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
    // The own pod is read while fencing runs: the claim still waits for the fence, but one round
    // trip less stands between a takeover and the label (a stale read ends in 409 and a re-read).
    const selfRead = this.#o.api.readPod(this.#o.namespace, this.#o.podName);
    selfRead.catch(() => undefined); // observed through reconcileSelf
    const fence: PromiseSettledResult<string[]> =
      desired === this.#o.leaderValue
        ? await settle(this.#fenceOthers())
        : { status: 'fulfilled', value: [] };
    const self = await settle(reconcileSelf(this.#ctx, selfRead));
    const at = this.#o.clock.now();
    this.#lastReconcileAt = at;
    if (self.status === 'fulfilled') {
      const outcome = self.value;
      if (outcome.kind === 'written') {
        this.#labelWritten(outcome, this.#o.elector.state, this.#lastTransition?.reason);
      }
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
          this.#fenced(s.value);
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

  #labelWritten(w: SelfWrite, cause: LabelChange['cause'], reason: string | undefined): void {
    const at = this.#o.clock.now();
    const t = this.#lastTransition;
    this.emit('labelChanged', {
      pod: this.#o.podName,
      from: w.from,
      to: w.to,
      cause,
      reason,
      at,
      durationMs: w.durationMs,
      sinceTransitionMs: t ? at - t.at : undefined,
    });
    this.#announcer.labelWritten(w.pod, w.from, w.to, reason);
  }

  #fenced(f: FenceOutcome): void {
    this.emit('fenced', {
      pod: f.pod.name,
      at: this.#o.clock.now(),
      durationMs: f.durationMs,
      attempts: f.attempts,
    });
    this.#announcer.fenced(f.pod);
  }

  /** Writes the standby value on the own pod, retrying until `deadline`; true when done. */
  async #release(deadline: number): Promise<boolean> {
    const o = this.#o;
    const backoff = new Backoff(o.backoffOptions, o.random);
    const abort = new AbortController();
    const timer = o.clock.setTimeout(
      () => abort.abort(new Error('release deadline passed')),
      Math.max(0, deadline - o.clock.now()),
    );
    const ctx = { ...this.#ctx, desired: () => o.standbyValue, signal: abort.signal };
    let error = new Error('release deadline passed before the first attempt');
    try {
      let last = false;
      while (o.clock.now() < deadline) {
        try {
          const outcome = await reconcileSelf(ctx);
          if (outcome.kind === 'written') this.#labelWritten(outcome, 'released', 'agent stopping');
          return true;
        } catch (err) {
          error = err instanceof Error ? err : new Error(String(err));
          const remaining = deadline - o.clock.now();
          if (last || remaining <= 0) break;
          const delay = backoff.next();
          // When the next retry would reach the deadline, make a last one halfway through what
          // is left: an attempt at the deadline would have no time to get an answer.
          last = delay >= remaining;
          await sleep(o.clock, last ? remaining / 2 : delay);
        }
      }
      this.emit('warning', { what: 'release', error });
      return false;
    } finally {
      o.clock.clearTimeout(timer);
    }
  }

  #onWatchEvent(type: PodWatchEventType, pod: PodMeta): void {
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
        this.#watch?.ensure();
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
