/**
 * What the opt-in real-cluster suite (`pnpm test:cluster`) runs against, read from the
 * environment. Nothing here has a safe default for "which cluster", so without `KUBECONFIG` the
 * whole suite is skipped; the namespace is kubectl's: the current context's, else `default`.
 */
export interface ClusterSettings {
  /** Path from `KUBECONFIG`; its current context is the cluster under test. */
  readonly kubeconfig: string;
  /**
   * Namespace the overlay was deployed to: `ACTIVEMQ_HA_CLUSTER_NAMESPACE`, else the current
   * context's namespace, else `default` (as kubectl picks it).
   */
  readonly namespace: string;
  /** Where `namespace` came from, for the run's header. */
  readonly namespaceFrom:
    | 'ACTIVEMQ_HA_CLUSTER_NAMESPACE'
    | 'the current context'
    | "kubectl's default";
  /** The client Service (`ACTIVEMQ_HA_CLUSTER_SERVICE`). @default 'activemq' */
  readonly service: string;
  /** Label selector of the broker pods (`ACTIVEMQ_HA_CLUSTER_SELECTOR`). @default 'app.kubernetes.io/name=activemq' */
  readonly groupSelector: string;
  /** Delete the leader pod (`ACTIVEMQ_HA_CLUSTER_DESTRUCTIVE=1`). @default false */
  readonly destructive: boolean;
  /**
   * Run a producer and a consumer through `@activemq-ha/client` across the deletion
   * (`ACTIVEMQ_HA_CLUSTER_CLIENT=1`); the runner must reach pod IPs. @default false
   */
  readonly client: boolean;
  /** STOMP login (`ACTIVEMQ_HA_CLUSTER_LOGIN`, else `ACTIVEMQ_USERNAME` as in the overlay's `credentials.env`). */
  readonly login: string | undefined;
  /** STOMP passcode (`ACTIVEMQ_HA_CLUSTER_PASSCODE`, else `ACTIVEMQ_PASSWORD`). */
  readonly passcode: string | undefined;
  /** Longest time from deleting the leader pod to another pod labelled leader (`ACTIVEMQ_HA_CLUSTER_TAKEOVER_TIMEOUT_MS`). @default 30000 */
  readonly takeoverTimeoutMs: number;
  /** Longest time for the Deployment to bring the group back to strength (`ACTIVEMQ_HA_CLUSTER_RESTORE_TIMEOUT_MS`). @default 300000 */
  readonly restoreTimeoutMs: number;
}

export type ClusterSettingsResult =
  | { readonly settings: ClusterSettings; readonly skipReason?: undefined }
  | { readonly settings?: undefined; readonly skipReason: string };

/**
 * Reads the settings; a present but malformed variable throws (a typo must not pass silently).
 * `contextNamespace` reads the namespace of the kubeconfig's current context (asked only when
 * `ACTIVEMQ_HA_CLUSTER_NAMESPACE` is unset).
 */
export function readClusterSettings(
  env: NodeJS.ProcessEnv,
  contextNamespace: () => string | undefined = () => undefined,
): ClusterSettingsResult {
  const kubeconfig = nonEmpty(env.KUBECONFIG);
  if (!kubeconfig) {
    return {
      skipReason:
        'KUBECONFIG not set: the cluster suite needs a real cluster with the generated overlay deployed (see docs/operations.md, "Testing against a real cluster")',
    };
  }
  const explicit = nonEmpty(env.ACTIVEMQ_HA_CLUSTER_NAMESPACE);
  const fromContext = explicit ? undefined : nonEmpty(contextNamespace());
  return {
    settings: {
      kubeconfig,
      namespace: explicit ?? fromContext ?? 'default',
      namespaceFrom: explicit
        ? 'ACTIVEMQ_HA_CLUSTER_NAMESPACE'
        : fromContext
          ? 'the current context'
          : "kubectl's default",
      service: nonEmpty(env.ACTIVEMQ_HA_CLUSTER_SERVICE) ?? 'activemq',
      groupSelector:
        nonEmpty(env.ACTIVEMQ_HA_CLUSTER_SELECTOR) ?? 'app.kubernetes.io/name=activemq',
      destructive: flag(env, 'ACTIVEMQ_HA_CLUSTER_DESTRUCTIVE'),
      client: flag(env, 'ACTIVEMQ_HA_CLUSTER_CLIENT'),
      login: nonEmpty(env.ACTIVEMQ_HA_CLUSTER_LOGIN) ?? nonEmpty(env.ACTIVEMQ_USERNAME),
      passcode: nonEmpty(env.ACTIVEMQ_HA_CLUSTER_PASSCODE) ?? nonEmpty(env.ACTIVEMQ_PASSWORD),
      takeoverTimeoutMs: milliseconds(env, 'ACTIVEMQ_HA_CLUSTER_TAKEOVER_TIMEOUT_MS', 30_000),
      restoreTimeoutMs: milliseconds(env, 'ACTIVEMQ_HA_CLUSTER_RESTORE_TIMEOUT_MS', 300_000),
    },
  };
}

/** One line saying what the suite will do, for the run's header. */
export function describeSettings(result: ClusterSettingsResult): string {
  const s = result.settings;
  if (!s) return `[cluster] every test skipped: ${result.skipReason}`;
  const parts = [
    `namespace ${s.namespace}${s.namespaceFrom === 'ACTIVEMQ_HA_CLUSTER_NAMESPACE' ? '' : ` (${s.namespaceFrom}; ACTIVEMQ_HA_CLUSTER_NAMESPACE sets another)`}`,
    `service ${s.service}`,
    `selector ${s.groupSelector}`,
    s.destructive
      ? 'DESTRUCTIVE: deletes the leader pod'
      : 'non-destructive (ACTIVEMQ_HA_CLUSTER_DESTRUCTIVE=1 deletes the leader pod)',
    !s.client
      ? 'client traffic off (ACTIVEMQ_HA_CLUSTER_CLIENT=1, needs pod network access)'
      : s.destructive
        ? 'client traffic on'
        : 'client traffic off: it runs across the deletion, so it needs ACTIVEMQ_HA_CLUSTER_DESTRUCTIVE=1 too',
  ];
  return `[cluster] against ${s.kubeconfig}: ${parts.join('; ')}`;
}

function nonEmpty(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const v = nonEmpty(env[name])?.toLowerCase();
  if (v === undefined || v === '0' || v === 'false' || v === 'no') return false;
  if (v === '1' || v === 'true' || v === 'yes') return true;
  throw new Error(`${name} must be 1/true/yes or 0/false/no, got ${JSON.stringify(env[name])}`);
}

function milliseconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const v = nonEmpty(env[name]);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`${name} must be a positive integer (ms), got ${JSON.stringify(v)}`);
  }
  return n;
}
