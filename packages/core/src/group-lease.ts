import type { Clock, TimerHandle } from './clock.js';
import { KubeApiError } from './errors.js';
import type { LeaseRecord, LeaseSpecWrite, PodApi } from './kube-api.js';
import {
  heldLiveByOther,
  type LeaseStep,
  type LeaseView,
  nextLeaseRoundInMs,
  nextLeaseStep,
  observeLease,
  otherHoldingLeftMs,
} from './lease-policy.js';

export interface GroupLeaseOptions {
  readonly api: PodApi;
  readonly namespace: string;
  readonly name: string;
  /** The own pod's name: what `holderIdentity` says. */
  readonly identity: string;
  readonly durationSeconds: number;
  readonly renewIntervalMs: number;
  readonly labels: Readonly<Record<string, string>> | undefined;
  readonly clock: Clock;
  readonly monotonic: () => number;
  /** Whether the local broker serves right now (elector leader, fresh `ok`). */
  readonly serving: () => boolean;
  /** Whether the probes gave a first verdict yet: before it, a held Lease is not released. */
  readonly settled: () => boolean;
  /** Keep reading the Lease although the broker does not serve (a split brain is being watched). */
  readonly watching: () => boolean;
  /** Called after every round whose outcome may change a decision. */
  readonly onChange: () => void;
  readonly onError: (error: Error) => void;
}

export interface LeaseStatus {
  /** We hold the Lease by a write of ours younger than its duration (monotonic). */
  readonly held: boolean;
  /** The term (leaseTransitions) of our holding, while `held`. */
  readonly term: number | undefined;
  /** Another pod holding a live Lease, if one was seen. */
  readonly otherHolder: string | undefined;
  /** Our broker served while that other holder kept renewing. */
  readonly splitBrain: boolean;
}

/**
 * The group's coordination.k8s.io Lease, kept as client-go's leaderelection keeps one: created
 * or taken over (one term higher) once the broker serves, renewed every `renewIntervalMs`,
 * released when it stops serving. Unlike client-go it never *demotes* on a failed renewal: the
 * broker's store lock is the authority; the Lease numbers the terms and exposes a second server
 * that serves while the first still renews (a split brain).
 */
export class GroupLease {
  readonly #o: GroupLeaseOptions;
  #view: LeaseView | undefined;
  #heldAt: number | undefined;
  #heldTerm: number | undefined;
  #splitBrain = false;
  #running = false;
  #busy: Promise<void> | undefined;
  #again = false;
  #mustRead = false;
  /** Consecutive rounds that found another live holder while our broker served. */
  #contended = 0;
  #timer: TimerHandle | undefined;

  constructor(options: GroupLeaseOptions) {
    this.#o = options;
  }

  get status(): LeaseStatus {
    const o = this.#o;
    const now = o.monotonic();
    const held =
      this.#heldAt !== undefined &&
      this.#view?.record?.holderIdentity === o.identity &&
      now - this.#heldAt < o.durationSeconds * 1000;
    const other = this.#view
      ? heldLiveByOther(this.#view, o.identity, now, o.durationSeconds)
      : undefined;
    return {
      held,
      term: held ? this.#heldTerm : undefined,
      otherHolder: other,
      splitBrain: other !== undefined && this.#splitBrain,
    };
  }

  /** At least one read or write got an answer. */
  get seen(): boolean {
    return this.#view !== undefined;
  }

  /** Hands the Lease back now if we hold it (SIGTERM on a terminating pod). */
  async release(): Promise<void> {
    await this.#busy;
    const view = this.#view;
    if (view?.record?.holderIdentity !== this.#o.identity) return;
    const step = nextLeaseStep({
      view,
      identity: this.#o.identity,
      serving: false,
      durationSeconds: this.#o.durationSeconds,
      monotonicNow: this.#o.monotonic(),
      wallNow: this.#o.clock.now(),
    });
    if (step.kind === 'release') await this.#write(step, view.record).catch(() => undefined);
  }

  start(): void {
    this.#running = true;
    this.poke();
  }

  /** Waits for a round in flight; no more rounds after. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer !== undefined) this.#o.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#busy;
  }

  /** Runs a round now (or right after the one in flight). */
  poke(): void {
    if (!this.#running) return;
    if (this.#busy) {
      this.#again = true;
      return;
    }
    if (this.#timer !== undefined) this.#o.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#busy = this.#round()
      .catch((err: unknown) => this.#o.onError(err instanceof Error ? err : new Error(String(err))))
      .finally(() => {
        this.#busy = undefined;
        this.#o.onChange();
        if (this.#again) {
          this.#again = false;
          this.poke();
        } else this.#schedule();
      });
  }

  #schedule(): void {
    const o = this.#o;
    if (!this.#running) return;
    const mine = this.#view?.record?.holderIdentity === o.identity;
    if (!(o.serving() || mine || o.watching())) return;
    this.#timer = o.clock.setTimeout(() => {
      this.#timer = undefined;
      this.poke();
    }, this.#nextRoundInMs());
  }

  #nextRoundInMs(): number {
    const o = this.#o;
    const left = this.#view
      ? otherHoldingLeftMs(this.#view, o.identity, o.monotonic(), o.durationSeconds)
      : undefined;
    return nextLeaseRoundInMs(this.#contended, o.renewIntervalMs, left);
  }

  async #round(): Promise<void> {
    const o = this.#o;
    const serving = o.serving();
    const settled = o.settled();
    // While we hold it, write straight on the version we wrote (one request per renewal); a
    // 409 then sends us through a fresh read.
    if (this.#mustRead || this.#view?.record?.holderIdentity !== o.identity) {
      this.#mustRead = false;
      const record = await o.api.readLease(o.namespace, o.name);
      this.#view = observeLease(this.#view, record, serving, o.monotonic());
    }
    const view = this.#view!;
    const step = nextLeaseStep({
      view,
      identity: o.identity,
      serving,
      settled,
      durationSeconds: o.durationSeconds,
      monotonicNow: o.monotonic(),
      wallNow: o.clock.now(),
    });
    this.#splitBrain = step.kind === 'held-by-other' && step.splitBrain;
    this.#contended = step.kind === 'held-by-other' && serving ? this.#contended + 1 : 0;
    if (step.kind === 'held-by-other' || step.kind === 'idle') return;
    await this.#write(step, view.record);
  }

  async #write(
    step: Extract<LeaseStep, { spec: LeaseSpecWrite }>,
    current: LeaseRecord | undefined,
  ): Promise<void> {
    const o = this.#o;
    const sentAt = o.monotonic();
    try {
      const written =
        step.kind === 'create'
          ? await o.api.createLease(o.namespace, o.name, step.spec, o.labels)
          : await o.api.updateLease(o.namespace, o.name, current!.resourceVersion, step.spec);
      this.#view = observeLease(this.#view, written, o.serving(), o.monotonic());
      if (step.kind === 'release') {
        this.#heldAt = this.#heldTerm = undefined;
      } else {
        // Held from when the request left, not when the answer came: conservative.
        this.#heldAt = sentAt;
        this.#heldTerm = written.leaseTransitions;
      }
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 409) {
        // Someone else wrote (or created) it first: re-read at once and decide again.
        this.#mustRead = true;
        this.#again = true;
        return;
      }
      throw err;
    }
  }
}
