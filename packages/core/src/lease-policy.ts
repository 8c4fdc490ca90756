import type { LeaseRecord, LeaseSpecWrite } from './kube-api.js';

/**
 * What one look at the group's Lease tells, judged the way client-go's leaderelection judges it:
 * a record is live for `leaseDurationSeconds` after *we first saw this version of it* (local
 * monotonic time), never after its `renewTime` — the holder's clock may be off.
 */
export interface LeaseView {
  /** The record as last read or written; undefined: there is no Lease. */
  readonly record: LeaseRecord | undefined;
  /** Monotonic ms when this resourceVersion was first seen. */
  readonly observedAt: number;
  /**
   * True once we saw the same other holder write a new version (a renewal) while our broker
   * served: proof that its agent sees its own broker serving too.
   */
  readonly otherRenewedWhileServing: boolean;
  /** Our broker served when this version was first seen. */
  readonly servingWhenObserved: boolean;
}

export type LeaseStep =
  /** No Lease yet: create it naming us (term 0). */
  | { readonly kind: 'create'; readonly spec: LeaseSpecWrite }
  /** We hold it: renew (same term). */
  | { readonly kind: 'renew'; readonly spec: LeaseSpecWrite }
  /** Released or expired: take it over, one term higher. */
  | { readonly kind: 'acquire'; readonly spec: LeaseSpecWrite }
  /** We hold it but our broker does not serve: hand it back (client-go's ReleaseOnCancel). */
  | { readonly kind: 'release'; readonly spec: LeaseSpecWrite }
  /** Another pod holds a live Lease; `splitBrain` when it renews while our broker serves. */
  | { readonly kind: 'held-by-other'; readonly holder: string; readonly splitBrain: boolean }
  /** Nothing to write. */
  | { readonly kind: 'idle' };

export interface LeaseStepInput {
  readonly view: LeaseView;
  readonly identity: string;
  /** Our broker serves (elector `leader` backed by a fresh `ok` probe). */
  readonly serving: boolean;
  /**
   * The probes gave a first verdict on our broker (the elector left `starting`). Until then
   * "not serving" only means "not known yet": an agent restarted beside a serving broker must not
   * hand back the Lease it holds (and take it again one term higher) before its first probe.
   * @default true
   */
  readonly settled?: boolean;
  readonly durationSeconds: number;
  /** Monotonic ms now. */
  readonly monotonicNow: number;
  /** Wall-clock epoch ms now, for the timestamps written. */
  readonly wallNow: number;
}

/** True while another pod's claim on the Lease has not run out (local time since first seen). */
export function heldLiveByOther(
  view: LeaseView,
  identity: string,
  monotonicNow: number,
  defaultDurationSeconds: number,
): string | undefined {
  const left = otherHoldingLeftMs(view, identity, monotonicNow, defaultDurationSeconds);
  return left !== undefined && left > 0 ? view.record?.holderIdentity : undefined;
}

/**
 * How long another pod's claim has left (ms, local monotonic time since this version was first
 * seen; 0 or less: run out); undefined when no other pod claims it.
 */
export function otherHoldingLeftMs(
  view: LeaseView,
  identity: string,
  monotonicNow: number,
  defaultDurationSeconds: number,
): number | undefined {
  const r = view.record;
  const holder = r?.holderIdentity;
  if (!r || !holder || holder === identity) return undefined;
  const durationMs = 1000 * (r.leaseDurationSeconds ?? defaultDurationSeconds);
  return view.observedAt + durationMs - monotonicNow;
}

/** The next write on the Lease, as a pure function of what was last seen. */
export function nextLeaseStep(i: LeaseStepInput): LeaseStep {
  const r = i.view.record;
  const mine = r?.holderIdentity === i.identity;
  const spec = (holderIdentity: string, transitions: number, acquireTime: number) => ({
    holderIdentity,
    leaseDurationSeconds: i.durationSeconds,
    acquireTime,
    renewTime: i.wallNow,
    leaseTransitions: transitions,
  });
  if (!i.serving) {
    // Release with holder "" and the shortest duration, as client-go does, so the next pod need
    // not wait out the duration. The term is kept: the next holder counts on from it.
    if (r && mine && i.settled !== false) {
      return {
        kind: 'release',
        spec: {
          ...spec('', r.leaseTransitions, r.acquireTime ?? i.wallNow),
          leaseDurationSeconds: 1,
        },
      };
    }
    return { kind: 'idle' };
  }
  if (!r) return { kind: 'create', spec: spec(i.identity, 0, i.wallNow) };
  if (mine) {
    return {
      kind: 'renew',
      spec: spec(i.identity, r.leaseTransitions, r.acquireTime ?? i.wallNow),
    };
  }
  const other = heldLiveByOther(i.view, i.identity, i.monotonicNow, i.durationSeconds);
  if (other !== undefined) {
    return { kind: 'held-by-other', holder: other, splitBrain: i.view.otherRenewedWhileServing };
  }
  return { kind: 'acquire', spec: spec(i.identity, r.leaseTransitions + 1, i.wallNow) };
}

/** The first look again at a Lease another pod holds while our broker serves, then ×1.5. */
const CONTENDED_LEASE_FIRST_RETRY_MS = 50;

/**
 * How long until the next round on the Lease. A Lease held by another pod while our broker
 * serves is nearly always a hand-over in progress: the old holder's agent releases it once its
 * own probes see its broker gone (two refused probes, ~200 ms after a kill), and with a warm
 * standby our broker can take the store lock before that. Waiting a whole renew interval would
 * then add up to that interval (2 s by default) to the takeover; looking again soon and backing
 * off to the renew interval costs five reads in the first second of a contended takeover.
 * A real split brain is still called only on a renewal by the other holder (observeLease).
 *
 * @param contendedRounds consecutive rounds, this one included, that found the Lease held by
 *   another pod while our broker served (0 when this round did not).
 * @param otherHoldingLeftMs what that other pod's claim has left (otherHoldingLeftMs).
 */
export function nextLeaseRoundInMs(
  contendedRounds: number,
  renewIntervalMs: number,
  otherHoldingLeftMs?: number,
): number {
  if (contendedRounds <= 0) return renewIntervalMs;
  const backoff = Math.min(
    renewIntervalMs,
    Math.round(CONTENDED_LEASE_FIRST_RETRY_MS * 1.5 ** (contendedRounds - 1)),
  );
  // A holder that never hands it back (its agent died or stalls) is waited out to the ms: the
  // next look comes when its claim runs out, not up to a backoff step later.
  return otherHoldingLeftMs === undefined
    ? backoff
    : Math.max(0, Math.min(backoff, Math.ceil(otherHoldingLeftMs)));
}

/**
 * Folds a freshly read record into the view. A new version by the same other holder seen while
 * we serve counts as its renewal; a change of holder starts the evidence afresh.
 */
export function observeLease(
  view: LeaseView | undefined,
  record: LeaseRecord | undefined,
  serving: boolean,
  monotonicNow: number,
): LeaseView {
  const previous = view?.record;
  if (previous && record && previous.resourceVersion === record.resourceVersion) {
    return view!;
  }
  const sameHolder =
    previous !== undefined &&
    record !== undefined &&
    record.holderIdentity !== undefined &&
    previous.holderIdentity === record.holderIdentity;
  // Two versions by one holder, both seen while our broker served: it wrote in between.
  const renewed = sameHolder && serving && view!.servingWhenObserved;
  return {
    record,
    observedAt: monotonicNow,
    otherRenewedWhileServing: sameHolder && serving && (renewed || view!.otherRenewedWhileServing),
    servingWhenObserved: serving,
  };
}
