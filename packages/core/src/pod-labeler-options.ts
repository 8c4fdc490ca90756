import type { BackoffOptions } from './backoff.js';
import { type Clock, systemClock } from './clock.js';
import type { LeaderState } from './elector-policy.js';
import { InvalidOptionError } from './errors.js';
import type { PodApi } from './kube-api.js';
import { labelValueProblem, qualifiedNameProblem } from './label-syntax.js';
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
    leaseName: o.leaseName,
    leaseLabels: o.leaseLabels,
    maxConflictRetries: o.maxConflictRetries ?? 5,
    clock: o.clock ?? systemClock,
    random: o.random ?? Math.random,
  };
  for (const k of ['namespace', 'podName'] as const) {
    if (!r[k]) throw new InvalidOptionError(k, 'must be a non-empty string');
  }
  const keys = ['labelKey', 'leaderSinceAnnotation', 'fencedByAnnotation'] as const;
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
  if (!Number.isInteger(r.maxConflictRetries) || r.maxConflictRetries < 1) {
    throw new InvalidOptionError('maxConflictRetries', 'must be an integer >= 1');
  }
  return r;
}
