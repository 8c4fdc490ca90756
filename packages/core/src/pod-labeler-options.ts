import type { BackoffOptions } from './backoff.js';
import { type Clock, systemClock } from './clock.js';
import type { LeaderState } from './elector-policy.js';
import { InvalidOptionError } from './errors.js';
import type { PodApi } from './kube-api.js';
import { dnsSubdomainProblem, labelValueProblem, qualifiedNameProblem } from './label-syntax.js';
import type { ProbeEvent, Transition } from './leader-elector.js';

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
  /** Label key, a Kubernetes qualified name (`[prefix/]name`). @default 'leader' */
  readonly labelKey?: string;
  /** Label value of the leader: non-empty, at most 63 of `A-Za-z0-9-_.`. @default 'yes' */
  readonly leaderValue?: string;
  /** Label value of every other pod: like `leaderValue`, and different from it. @default 'no' */
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
   * The group's coordination.k8s.io/v1 Lease: taken once the broker serves, renewed, released
   * when it stops; its `leaseTransitions` is the leadership term stamped on the pod and compared
   * before a fence, and a pod that renews it while our broker serves proves a split brain.
   * Undefined: no Lease (no terms, no split-brain detection).
   */
  readonly lease?: {
    /** A DNS-1123 subdomain, unique per broker group (e.g. `orders-leader`). */
    readonly name: string;
    /** `leaseDurationSeconds` (2..300). @default 8 */
    readonly durationSeconds?: number;
    /** Time between renewals, in ms; at most a third of the duration. @default 2000 */
    readonly renewIntervalMs?: number;
    /** Labels for a Lease this labeler creates. */
    readonly labels?: Readonly<Record<string, string>>;
  };
  /**
   * Set `controller.kubernetes.io/pod-deletion-cost: "1000"` on the leader's pod (removed on
   * demotion), so scale-downs and rollouts replace it last. @default true
   */
  readonly podDeletionCost?: boolean;
  /** Annotation holding the own leadership term; `null` disables it. @default 'activemq-ha.io/term' */
  readonly termAnnotation?: string | null;
  /**
   * After a peer fenced this pod, how long (ms) it does not claim the label back even if its
   * broker serves: damping against two agents relabelling each other. 0 disables. @default 10000
   */
  readonly fenceBackoffMs?: number;
  /** Label writes (own and fences) per minute, after `writeBurst`. @default 10 */
  readonly writesPerMinute?: number;
  /** @default 5 */
  readonly writeBurst?: number;
  /**
   * Start as if a split brain had been detected (the agent restarted while its stop marker is
   * still there): not ready, label standby, until no other pod holds a live Lease.
   */
  readonly splitBrainAtStart?: boolean;
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

/** Options with defaults applied and checked. */
export type ResolvedLabelerOptions = ReturnType<typeof resolveLabelerOptions>;

export function resolveLabelerOptions(o: PodLabelerOptions) {
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
    lease: o.lease
      ? {
          name: o.lease.name,
          durationSeconds: o.lease.durationSeconds ?? 8,
          renewIntervalMs: o.lease.renewIntervalMs ?? 2000,
          labels: o.lease.labels,
        }
      : undefined,
    termAnnotation:
      o.termAnnotation === null ? undefined : (o.termAnnotation ?? 'activemq-ha.io/term'),
    fenceBackoffMs: o.fenceBackoffMs ?? 10_000,
    podDeletionCost: o.podDeletionCost ?? true,
    writesPerMinute: o.writesPerMinute ?? 10,
    writeBurst: o.writeBurst ?? 5,
    splitBrainAtStart: o.splitBrainAtStart ?? false,
    maxConflictRetries: o.maxConflictRetries ?? 5,
    clock: o.clock ?? systemClock,
    random: o.random ?? Math.random,
  };
  for (const k of ['namespace', 'podName'] as const) {
    if (!r[k]) throw new InvalidOptionError(k, 'must be a non-empty string');
  }
  const keys = [
    'labelKey',
    'leaderSinceAnnotation',
    'fencedByAnnotation',
    'termAnnotation',
  ] as const;
  for (const k of keys) {
    const key = r[k];
    if (key === undefined) continue;
    const problem = typeof key === 'string' ? qualifiedNameProblem(key) : 'must be a string';
    if (problem) throw new InvalidOptionError(k, `${JSON.stringify(key)} ${problem}`);
  }
  for (const k of ['leaderValue', 'standbyValue'] as const) {
    const value = r[k];
    const problem = typeof value === 'string' ? labelValueProblem(value) : 'must be a string';
    if (problem) throw new InvalidOptionError(k, `${JSON.stringify(value)} ${problem}`);
  }
  if (typeof r.groupSelector !== 'string') {
    throw new InvalidOptionError('groupSelector', "must be a label selector string ('' for all)");
  }
  if (r.leaderValue === r.standbyValue) {
    throw new InvalidOptionError('standbyValue', 'must differ from leaderValue');
  }
  if (!(r.resyncIntervalMs > 0)) throw new InvalidOptionError('resyncIntervalMs', 'must be > 0');
  if (!(r.probeFreshnessMs > 0)) throw new InvalidOptionError('probeFreshnessMs', 'must be > 0');
  if (r.lease) {
    const { name, durationSeconds: d, renewIntervalMs: renew } = r.lease;
    const problem = dnsSubdomainProblem(name);
    if (problem) throw new InvalidOptionError('lease.name', `${JSON.stringify(name)} ${problem}`);
    if (!Number.isInteger(d) || d < 2 || d > 300) {
      throw new InvalidOptionError('lease.durationSeconds', 'must be an integer from 2 to 300');
    }
    if (!(renew >= 100) || renew > (d * 1000) / 3) {
      throw new InvalidOptionError(
        'lease.renewIntervalMs',
        `must be from 100 to a third of the duration (${Math.floor((d * 1000) / 3)} ms)`,
      );
    }
  }
  if (!(r.fenceBackoffMs >= 0)) throw new InvalidOptionError('fenceBackoffMs', 'must be >= 0');
  if (!(r.writesPerMinute >= 1)) throw new InvalidOptionError('writesPerMinute', 'must be >= 1');
  if (!Number.isInteger(r.writeBurst) || r.writeBurst < 2) {
    // Two: a takeover fences one peer and claims its own label at once.
    throw new InvalidOptionError('writeBurst', 'must be an integer >= 2');
  }
  if (!Number.isInteger(r.maxConflictRetries) || r.maxConflictRetries < 1) {
    throw new InvalidOptionError('maxConflictRetries', 'must be an integer >= 1');
  }
  return r;
}
