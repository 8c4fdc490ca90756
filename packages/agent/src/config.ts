import { parseArgs } from 'node:util';
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { ConfigError } from './errors.js';

/**
 * Every setting of the agent, once: its flag, its environment variable, its schema and its help
 * text. Flags win over the environment; the downward API supplies POD_NAME and POD_NAMESPACE.
 */
// zod/mini, not zod's full API: the same checks and English messages, ~0.7 MB less code in the
// image bundle (about 8 MiB of the agent's RSS). Mini carries no messages of its own.
z.config(en());
const int = (min: number, max: number) =>
  z.coerce.number().check(z.int(), z.minimum(min), z.maximum(max));
const port = int(1, 65535);
const positiveMs = z.coerce.number().check(z.int(), z.minimum(1));
const text = z.string().check(z.minLength(1));
const PROBES = ['tcp', 'stomp', 'openwire'] as const;

const settings = {
  podName: {
    flag: 'pod-name',
    env: 'POD_NAME',
    schema: text,
    help: 'Name of the pod this agent runs in (downward API).',
  },
  namespace: {
    flag: 'namespace',
    env: 'POD_NAMESPACE',
    schema: z.optional(text),
    help: 'Namespace of the pod (downward API); in-cluster default: the service account namespace.',
  },
  groupSelector: {
    flag: 'group-selector',
    env: 'ACTIVEMQ_HA_GROUP_SELECTOR',
    schema: z._default(text, 'app.kubernetes.io/name=activemq'),
    help: 'Label selector of the pods of this broker group (fencing scope).',
  },
  labelKey: {
    flag: 'label-key',
    env: 'ACTIVEMQ_HA_LABEL_KEY',
    schema: z._default(text, 'leader'),
    help: 'Label the Service selects on.',
  },
  leaderValue: {
    flag: 'leader-value',
    env: 'ACTIVEMQ_HA_LEADER_VALUE',
    schema: z._default(text, 'yes'),
    help: "Label value of the active broker's pod.",
  },
  standbyValue: {
    flag: 'standby-value',
    env: 'ACTIVEMQ_HA_STANDBY_VALUE',
    schema: z._default(text, 'no'),
    help: 'Label value of every other pod.',
  },
  brokerHost: {
    flag: 'broker-host',
    env: 'ACTIVEMQ_HA_BROKER_HOST',
    schema: z._default(text, '127.0.0.1'),
    help: 'Address of the local broker.',
  },
  probe: {
    flag: 'probe',
    env: 'ACTIVEMQ_HA_PROBE',
    schema: z._default(z.string(), 'openwire'),
    help: `Comma-separated probes that must all pass: ${PROBES.join(', ')}.`,
  },
  openwirePort: {
    flag: 'openwire-port',
    env: 'ACTIVEMQ_HA_OPENWIRE_PORT',
    schema: z._default(port, 61616),
    help: 'Local broker OpenWire port.',
  },
  stompPort: {
    flag: 'stomp-port',
    env: 'ACTIVEMQ_HA_STOMP_PORT',
    schema: z._default(port, 61613),
    help: 'Local broker STOMP port.',
  },
  probeTls: {
    flag: 'probe-tls',
    env: 'ACTIVEMQ_HA_PROBE_TLS',
    schema: z._default(z.stringbool(), false),
    help: "Probe the ports above over TLS (ActiveMQ's ssl:// and stomp+ssl:// connectors); the certificate is not verified, the probe only asks whether the local broker serves.",
  },
  stompLogin: {
    flag: 'stomp-login',
    env: 'ACTIVEMQ_HA_STOMP_LOGIN',
    schema: z.optional(z.string()),
    help: 'STOMP probe login, if the broker requires one.',
  },
  stompPasscode: {
    flag: 'stomp-passcode',
    env: 'ACTIVEMQ_HA_STOMP_PASSCODE',
    schema: z.optional(z.string()),
    help: 'STOMP probe passcode (prefer the environment variable).',
  },
  probeIntervalMs: {
    flag: 'probe-interval-ms',
    env: 'ACTIVEMQ_HA_PROBE_INTERVAL_MS',
    schema: z._default(positiveMs, 100),
    help: 'Time between probes; it bounds what the agent adds to a takeover, and a waiting slave only costs a refused loopback connect.',
  },
  standbyProbeIntervalMs: {
    flag: 'standby-probe-interval-ms',
    env: 'ACTIVEMQ_HA_STANDBY_PROBE_INTERVAL_MS',
    schema: z._default(positiveMs, 25),
    help: 'Time between probes while not leader: a waiting broker opens no ports, so each is one refused loopback connect, and the new master is found sooner.',
  },
  probeTimeoutMs: {
    flag: 'probe-timeout-ms',
    env: 'ACTIVEMQ_HA_PROBE_TIMEOUT_MS',
    schema: z._default(positiveMs, 1000),
    help: 'Time a probe may take before it counts as a timeout.',
  },
  resyncIntervalMs: {
    flag: 'resync-interval-ms',
    env: 'ACTIVEMQ_HA_RESYNC_INTERVAL_MS',
    schema: z._default(positiveMs, 10_000),
    help: 'How often labels are re-read and repaired.',
  },
  httpPort: {
    flag: 'http-port',
    env: 'ACTIVEMQ_HA_HTTP_PORT',
    schema: z._default(int(0, 65535), 8080),
    help: 'Port of /healthz, /readyz and /metrics (0 picks a free one).',
  },
  httpHost: {
    flag: 'http-host',
    env: 'ACTIVEMQ_HA_HTTP_HOST',
    schema: z.optional(text),
    help: 'Address the HTTP server binds to; default: every address, IPv6 and IPv4 (kubelet probes the pod IP, which is IPv6 on single-stack IPv6 clusters).',
  },
  kubeconfig: {
    flag: 'kubeconfig',
    env: 'KUBECONFIG',
    schema: z.optional(z.string()),
    help: 'Kubeconfig file; default: in-cluster service account.',
  },
  tokenFile: {
    flag: 'token-file',
    env: 'ACTIVEMQ_HA_TOKEN_FILE',
    schema: z.optional(z.string()),
    help: 'Bearer token file re-read when it rotates; in-cluster default: the projected service account token.',
  },
  leaseName: {
    flag: 'lease-name',
    env: 'ACTIVEMQ_HA_LEASE_NAME',
    schema: z._default(
      z
        .string()
        .check(
          z.maxLength(253),
          z.regex(
            /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
            'must be a DNS subdomain (lowercase alphanumerics, "-" and ".")',
          ),
        ),
      'activemq-leader',
    ),
    help: "Name of the broker group's coordination.k8s.io Lease (one per group: set it when two groups share a namespace). Its leaseTransitions number the leadership terms.",
  },
  leaseDurationSeconds: {
    flag: 'lease-duration-seconds',
    env: 'ACTIVEMQ_HA_LEASE_DURATION_SECONDS',
    schema: z._default(int(2, 300), 8),
    help: 'leaseDurationSeconds: how long another pod waits before taking over a Lease nobody renews (an agent that died without releasing it), 2..300.',
  },
  leaseRenewIntervalMs: {
    flag: 'lease-renew-interval-ms',
    env: 'ACTIVEMQ_HA_LEASE_RENEW_INTERVAL_MS',
    schema: z._default(int(100, 100_000), 2000),
    help: 'Time between Lease renewals by the serving pod; at most a third of the duration. It also bounds how fast a split brain is seen.',
  },
  splitBrainStopBroker: {
    flag: 'split-brain-stop-broker',
    env: 'ACTIVEMQ_HA_SPLIT_BRAIN_STOP_BROKER',
    schema: z._default(z.stringbool(), true),
    help: "On a split brain, create the stop marker so the broker container's liveness probe stops the local broker ('false': only demote and go NotReady).",
  },
  stopMarker: {
    flag: 'stop-marker',
    env: 'ACTIVEMQ_HA_STOP_MARKER',
    schema: z._default(text, '/var/run/activemq-ha/stop-broker'),
    help: "File (in an emptyDir shared with the broker container) whose existence fails the broker's liveness probe. Removed once no other pod holds a live Lease.",
  },
  brokerLog: {
    flag: 'broker-log',
    env: 'ACTIVEMQ_HA_BROKER_LOG',
    schema: z.optional(text),
    help: "The broker's own log file (ActiveMQ's activemq.log, from an emptyDir mounted read-only). When set, a standby is Ready only once that log shows its broker waiting for the store lock (or holding it).",
  },
  brokerProcess: {
    flag: 'broker-process',
    env: 'ACTIVEMQ_HA_BROKER_PROCESS',
    schema: z._default(text, 'activemq.jar'),
    help: "With --broker-log: a substring of one of the broker JVM's arguments, to find it in the pod's shared process list (shareProcessNamespace).",
  },
  fenceBackoffMs: {
    flag: 'fence-backoff-ms',
    env: 'ACTIVEMQ_HA_FENCE_BACKOFF_MS',
    schema: z._default(int(0, 600_000), 10_000),
    help: 'After a peer fenced this pod, how long it does not claim the label back (damping).',
  },
  writesPerMinute: {
    flag: 'label-writes-per-minute',
    env: 'ACTIVEMQ_HA_LABEL_WRITES_PER_MINUTE',
    schema: z._default(int(1, 600), 10),
    help: 'Label writes (own and fences) this agent may make per minute after a burst of 5.',
  },
  probeFreshnessMs: {
    flag: 'probe-freshness-ms',
    env: 'ACTIVEMQ_HA_PROBE_FRESHNESS_MS',
    schema: z._default(int(200, 60_000), 3000),
    help: 'Maximum age (monotonic) of the last ok probe for claiming or renewing; a process that was frozen re-probes first.',
  },
  successThreshold: {
    flag: 'success-threshold',
    env: 'ACTIVEMQ_HA_SUCCESS_THRESHOLD',
    schema: z._default(int(1, 20), 1),
    help: 'Consecutive ok probes before the broker counts as serving.',
  },
  failureThreshold: {
    flag: 'failure-threshold',
    env: 'ACTIVEMQ_HA_FAILURE_THRESHOLD',
    schema: z._default(int(1, 100), 2),
    help: 'Consecutive failed probes before a serving broker counts as down (raise it to ride out GC pauses: pauses up to about threshold x (interval + timeout) are tolerated).',
  },
  onUnknown: {
    flag: 'on-unknown',
    env: 'ACTIVEMQ_HA_ON_UNKNOWN',
    schema: z._default(z.enum(['demote', 'keep']), 'demote'),
    help: "While probes time out: 'demote' writes the standby label, 'keep' leaves it (readiness still fails).",
  },
  shutdownTimeoutMs: {
    flag: 'shutdown-timeout-ms',
    env: 'ACTIVEMQ_HA_SHUTDOWN_TIMEOUT_MS',
    schema: z._default(positiveMs, 5000),
    help: 'Longest time SIGTERM waits for the demotion to be written.',
  },
  logLevel: {
    flag: 'log-level',
    env: 'ACTIVEMQ_HA_LOG_LEVEL',
    schema: z._default(z.enum(['debug', 'info', 'warn', 'error']), 'info'),
    help: 'Log level.',
  },
} as const;

type Settings = typeof settings;
export type AgentConfig = { readonly [K in keyof Settings]: z.output<Settings[K]['schema']> } & {
  readonly probes: readonly (typeof PROBES)[number][];
};

/** Parses flags and environment; throws a ConfigError naming every bad setting. */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv): AgentConfig {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: Object.fromEntries(
        Object.values(settings).map((s) => [
          s.flag,
          { type: 'boolean' in s ? ('boolean' as const) : ('string' as const) },
        ]),
      ),
    }).values;
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}; see --help`);
  }

  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(settings)) {
    const fromFlag = values[s.flag];
    const raw = fromFlag === undefined ? env[s.env] || undefined : String(fromFlag);
    const parsed = (s.schema as z.ZodMiniType).safeParse(raw);
    if (parsed.success) out[key] = parsed.data;
    else {
      const source = fromFlag === undefined ? `${s.env} (or --${s.flag})` : `--${s.flag}`;
      const got = raw === undefined ? 'it is not set' : `got "${raw}"`;
      problems.push(
        `${source}: ${parsed.error.issues[0]?.message ?? 'invalid'}; ${got}. ${s.help}`,
      );
    }
  }

  const renew = Number(out.leaseRenewIntervalMs);
  const duration = Number(out.leaseDurationSeconds);
  if (renew > (duration * 1000) / 3) {
    problems.push(
      `ACTIVEMQ_HA_LEASE_RENEW_INTERVAL_MS (or --lease-renew-interval-ms): ${renew} ms is more than a third of the Lease duration (${duration} s); a holder must renew several times per duration.`,
    );
  }
  const probes = String(out.probe ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const unknown = probes.filter((p) => !(PROBES as readonly string[]).includes(p));
  if (probes.length === 0 || unknown.length > 0) {
    problems.push(
      `ACTIVEMQ_HA_PROBE (or --probe): unknown probe "${unknown.join(',') || '(empty)'}"; use a comma-separated list of ${PROBES.join(', ')}.`,
    );
  }
  if (problems.length > 0) {
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`, problems);
  }
  return { ...out, probes } as unknown as AgentConfig;
}

export function configHelp(): string {
  const lines = Object.values(settings).map((s) => {
    const dflt =
      'def' in s.schema && s.schema.def.type === 'default'
        ? ` (default: ${String((s.schema as z.ZodMiniDefault).def.defaultValue)})`
        : '';
    return `  --${s.flag.padEnd(22)} ${s.env.padEnd(32)} ${s.help}${dflt}`;
  });
  return `Usage: activemq-ha-agent [flags]
       activemq-ha-agent check-store <dir>   (init container: can this uid create, lock and write the store?)

Labels this pod ${'`leader=yes`'} while its local ActiveMQ broker holds the shared-store lock and
serves clients, and ${'`leader=no`'} otherwise. Every flag can also be set by its environment variable.

  flag                     environment variable             meaning
${lines.join('\n')}
  --help, -h               print this help
  --version, -v            print the agent's version

Exit codes: 0 after a clean shutdown, 1 on a runtime failure or when SIGTERM had to release the
label (pod terminating or broker down) and could not, 2 on a configuration error.
`;
}
