import { Backoff } from './backoff.js';
import { jittered, monotonicNow, settleBy, sleep, type TimerHandle } from './clock.js';
import { desiredLabel } from './desired-label.js';
import { FenceIncompleteError, isTransientError, WriteThrottledError } from './errors.js';
import { GroupLease, type LeaseStatus } from './group-lease.js';
import { GuardedEmitter } from './guarded-emitter.js';
import type { PodMeta, PodWatchEventType } from './kube-api.js';
import {
  type FenceOutcome,
  fencePod,
  type LabelWriteContext,
  listOtherLeaders,
  notRoutable,
  reconcileSelf,
  type SelfWrite,
  termOf,
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
import { WriteBudget } from './write-budget.js';

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
  #uid: string | undefined;
  #terminating = false;
  #labelObservedAt: number | undefined;
  #lastReconcileAt: number | undefined;
  #lastError: Error | undefined;
  #consecutiveErrors = 0;
  #lastTransition: Transition | undefined;
  #readiness: Readiness;
  readonly #lease: GroupLease | undefined;
  #leaseStatus: LeaseStatus | undefined;
  #splitBrain: boolean;
  #fencedAt: number | undefined;
  #dampingTimer: TimerHandle | undefined;
  readonly #budget: WriteBudget;

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
    this.#splitBrain = o.splitBrainAtStart;
    this.#budget = new WriteBudget(o.writesPerMinute, o.writeBurst);
    this.#lease = o.lease
      ? new GroupLease({
          api: o.api,
          namespace: o.namespace,
          name: o.lease.name,
          identity: o.podName,
          durationSeconds: o.lease.durationSeconds,
          renewIntervalMs: o.lease.renewIntervalMs,
          labels: o.lease.labels,
          clock: o.clock,
          monotonic: () => this.#mono(),
          serving: () => this.#running && this.#serving(),
          settled: () => this.#o.elector.state !== 'starting',
          watching: () => this.#splitBrain,
          onChange: () => this.#onLeaseRound(),
          onError: (error) => this.emit('warning', { what: 'lease', error }),
        })
      : undefined;
    this.#ctx = {
      api: o.api,
      namespace: o.namespace,
      podName: o.podName,
      labelKey: o.labelKey,
      leaderValue: o.leaderValue,
      standbyValue: o.standbyValue,
      leaderSinceAnnotation: o.leaderSinceAnnotation,
      fencedByAnnotation: o.fencedByAnnotation,
      termAnnotation: o.termAnnotation,
      podDeletionCost: o.podDeletionCost,
      term: () => this.#lease?.status.term,
      beforeWrite: (pod) => this.#spendWrite(pod),
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
      podUid: () => this.#uid,
      now: () => o.clock.now(),
      clock: o.clock,
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
      desired: this.#desired(),
      label: this.#label,
      labelObservedAt: this.#labelObservedAt,
      lastReconcileAt: this.#lastReconcileAt,
      lastError: this.#lastError,
      consecutiveErrors: this.#consecutiveErrors,
      watching: this.#watch?.open ?? false,
      readiness: this.#computeReadiness(),
      splitBrain: this.#splitBrain,
      lease: this.#lease?.status,
    };
  }

  start(): this {
    if (this.#running) return this;
    this.#running = true;
    this.#o.elector.on('transition', this.#onTransition);
    this.#o.elector.on('probe', this.#onProbe);
    this.#watch?.start();
    this.#lease?.start();
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
    for (const t of [this.#retryTimer, this.#resyncTimer, this.#dampingTimer]) {
      if (t !== undefined) this.#o.clock.clearTimeout(t);
    }
    this.#retryTimer = this.#resyncTimer = this.#dampingTimer = undefined;
    this.#watch?.stop();
    this.#announcer.stop();
    await this.#lease?.stop();
    // A reconcile in flight against a hung API can take several request timeouts.
    await settleBy(this.#o.clock, this.#loop, deadline);
    if (!options.release) return this.#label !== this.#o.leaderValue;
    const released = await this.#release(deadline);
    // The next leader need not wait the Lease out (best effort: it expires anyway).
    if (released) await settleBy(this.#o.clock, this.#lease?.release(), deadline);
    return released;
  }

  /**
   * The SIGTERM rule: the label is released only when the pod is terminating (the API says so)
   * or the local broker does not serve; when only the agent's container restarts, the broker
   * serves on and keeps its endpoint. Resolves whether a release was required and whether it
   * happened; `required && !released` is a failed hand-over.
   */
  async handOver(
    timeoutMs = 5000,
  ): Promise<{ readonly required: boolean; readonly released: boolean; readonly reason: string }> {
    const o = this.#o;
    let reason: string;
    if (!this.#serving()) {
      if (this.#label !== undefined && this.#label !== o.leaderValue) {
        await this.stop({ release: false, timeoutMs });
        return { required: false, released: false, reason: `not labelled ${o.leaderValue}` };
      }
      reason = `the local broker is ${o.elector.state}`;
    } else {
      // What the watch already told, else a fresh read (the kubelet signals right after the API
      // set deletionTimestamp; the watch event may still be on its way).
      if (!this.#terminating) {
        try {
          const pod = await o.api.readPod(o.namespace, o.podName, {
            signal: AbortSignal.timeout(Math.max(1, timeoutMs / 2)),
          });
          this.#observe(pod, 'read');
        } catch {
          // Cannot tell: the API is unreachable, so a release could not be written either; the
          // readiness probe (broker serving) decides routing meanwhile.
        }
      }
      if (!this.#terminating) {
        await this.stop({ release: false, timeoutMs });
        return {
          required: false,
          released: false,
          reason: 'broker serves and pod is not terminating',
        };
      }
      reason = 'pod is terminating';
    }
    const released = await this.stop({ release: true, timeoutMs });
    return { required: true, released, reason };
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
    this.#lease?.poke();
    this.#checkReadiness();
    this.#request('transition', true);
  };

  readonly #onProbe = (): void => {
    this.#checkReadiness();
    if (this.#awaitingFreshProbe && this.#probeFresh()) {
      this.#awaitingFreshProbe = false;
      this.#lease?.poke();
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
        if (error instanceof WriteThrottledError) {
          // Not an API failure: wait for the budget, without growing the backoff.
          this.emit('throttled', { pod: error.pod, retryInMs: error.retryInMs });
          if (!this.#running) return;
          this.#retryTimer = this.#o.clock.setTimeout(() => {
            this.#retryTimer = undefined;
            this.#request('retry', true);
          }, error.retryInMs);
          return;
        }
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
    // Claim only once every other leader-labelled pod is fenced or provably not routable: a
    // denied fence (a webhook, RBAC) must not leave two routable `leader=yes` pods.
    const self: PromiseSettledResult<Awaited<ReturnType<typeof reconcileSelf>>> =
      fence.status === 'rejected'
        ? { status: 'fulfilled', value: { kind: 'skipped' } }
        : await settle(reconcileSelf(this.#ctx, selfRead));
    const at = this.#o.clock.now();
    this.#lastReconcileAt = at;
    if (self.status === 'fulfilled' && self.value.kind === 'written') {
      this.#labelWritten(self.value, this.#o.elector.state, this.#lastTransition?.reason);
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
    const ours = this.#lease?.status.term;
    const ta = this.#o.termAnnotation;
    // A fence needs a term at least the target's: a pod stamped with a higher term won a later
    // Lease than the one we hold. Equal terms go to the Lease holder, which is us (we only get
    // here holding it), so the tie-break is deterministic.
    const outranks = (p: PodMeta) => {
      const theirs = termOf(p, ta);
      return ours === undefined || theirs === undefined || ours >= theirs;
    };
    const settled = await Promise.allSettled(
      others.map((p) =>
        outranks(p)
          ? fencePod(this.#ctx, p, stillLeader)
          : Promise.reject(
              new Error(`${p.name} carries term ${termOf(p, ta)}, higher than ours (${ours})`),
            ),
      ),
    );
    const fenced: string[] = [];
    const failed: string[] = [];
    const errors: Error[] = [];
    settled.forEach((s, i) => {
      const pod = others[i]!;
      if (s.status === 'fulfilled') {
        if (s.value.result === 'fenced') {
          fenced.push(pod.name);
          this.#fenced(s.value);
        }
      } else {
        const error = s.reason instanceof Error ? s.reason : new Error(String(s.reason));
        if (error instanceof WriteThrottledError) throw error;
        this.emit('fenceFailed', { pod: pod.name, error });
        // Provably out of the Service (NotReady, Terminating): no reason to hold the claim.
        if (notRoutable(pod)) return;
        failed.push(pod.name);
        errors.push(error);
      }
    });
    if (failed.length > 0) {
      this.emit('claimBlocked', {
        pods: failed,
        reason: 'could not fence them and they are routable (Ready, not terminating)',
      });
      throw new FenceIncompleteError(failed, errors);
    }
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
    const o = this.#o;
    const before = this.#label;
    this.#labelRv = pod.resourceVersion;
    this.#uid = pod.uid;
    if (pod.deletionTimestamp !== undefined && !this.#terminating) {
      this.#terminating = true;
      this.emit('terminating', { deletionTimestamp: pod.deletionTimestamp });
    }
    this.#label = pod.labels[o.labelKey];
    this.#labelObservedAt = o.clock.now();
    const by = o.fencedByAnnotation ? pod.annotations[o.fencedByAnnotation] : undefined;
    if (
      before === o.leaderValue &&
      this.#label === o.standbyValue &&
      by !== undefined &&
      by !== o.podName
    ) {
      this.#fencedByPeer(by);
    }
    this.#checkReadiness();
  }

  /** Damping: after a peer fenced us, no claim back for `fenceBackoffMs`. */
  #fencedByPeer(by: string): void {
    const o = this.#o;
    this.#fencedAt = this.#mono();
    this.emit('fencedByPeer', { by, at: o.clock.now() });
    if (o.fenceBackoffMs <= 0) return;
    if (this.#dampingTimer !== undefined) o.clock.clearTimeout(this.#dampingTimer);
    this.#dampingTimer = o.clock.setTimeout(() => {
      this.#dampingTimer = undefined;
      this.#request('damping', true);
    }, o.fenceBackoffMs);
  }

  #recentlyFenced(): boolean {
    return this.#fencedAt !== undefined && this.#mono() - this.#fencedAt < this.#o.fenceBackoffMs;
  }

  #mono(): number {
    return monotonicNow(this.#o.clock);
  }

  /** The local broker serves: the elector says leader and a fresh `ok` probe backs it. */
  #serving(): boolean {
    return this.#o.elector.state === 'leader' && this.#probeFresh();
  }

  #spendWrite(pod: string): void {
    const now = this.#mono();
    const wait = this.#budget.waitMs(now);
    if (wait > 0) throw new WriteThrottledError(pod, wait);
    this.#budget.take(now);
  }

  /** After every Lease round: latch or clear the split brain, reconcile on any change. */
  #onLeaseRound(): void {
    if (!this.#lease || !this.#running) return;
    const status = this.#lease.status;
    const at = this.#o.clock.now();
    if (status.splitBrain && !this.#splitBrain) {
      this.#splitBrain = true;
      this.emit('splitBrain', { holder: status.otherHolder ?? '?', at });
      this.#announcer.splitBrain(status.otherHolder ?? '?');
    } else if (this.#splitBrain && status.otherHolder === undefined && this.#leaseRead()) {
      this.#splitBrain = false;
      this.emit('splitBrainCleared', { at });
    }
    const prev = this.#leaseStatus;
    this.#leaseStatus = status;
    this.#checkReadiness();
    if (
      !prev ||
      prev.held !== status.held ||
      prev.term !== status.term ||
      prev.otherHolder !== status.otherHolder
    ) {
      this.emit('lease', status);
      this.#request('lease', true);
    }
  }

  /** At least one Lease round got an answer (a cleared split brain needs evidence, not silence). */
  #leaseRead(): boolean {
    return this.#lease?.seen ?? false;
  }

  #desired(): string | undefined {
    const o = this.#o;
    return desiredLabel({
      state: o.elector.state,
      probeFresh: this.#probeFresh(),
      lease: !this.#lease ? 'absent' : this.#lease.status.held ? 'held' : 'not-held',
      splitBrain: this.#splitBrain,
      recentlyFenced: this.#recentlyFenced(),
      onUnknown: o.onUnknown,
      leaderValue: o.leaderValue,
      standbyValue: o.standbyValue,
    });
  }

  /** The desired label; remembers to reconcile again once a fresh `ok` probe arrives. */
  #desiredNow(): string | undefined {
    const desired = this.#desired();
    if (this.#o.elector.state === 'leader' && !this.#probeFresh()) this.#awaitingFreshProbe = true;
    return desired;
  }

  #probeFresh(): boolean {
    const last = this.#o.elector.lastProbe;
    return (
      last !== undefined &&
      last.result.status === 'ok' &&
      this.#mono() - last.monotonicAt <= this.#o.probeFreshnessMs
    );
  }

  #computeReadiness(): Readiness {
    return computeReadiness(
      this.#label,
      this.#o.leaderValue,
      this.#o.elector.state,
      this.#splitBrain,
    );
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
