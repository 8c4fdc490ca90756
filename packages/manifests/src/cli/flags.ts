import { DEFAULT_BROKER_VERSION } from '../broker/broker-version.js';

/** Thrown for anything the user typed wrong; the CLI exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type FlagKind = 'string' | 'int' | 'boolean' | 'list' | 'pairs';

export interface Flag {
  readonly name: string;
  readonly short?: string;
  readonly kind: FlagKind;
  /** Where the value goes in the parsed result: `base.<option path>`, `overlay.…`, `cli.…`. */
  readonly target: string;
  /** Placeholder of the value in the help. */
  readonly value?: string;
  /** Repeatable: `pairs` merge, `string` values collect into a list. */
  readonly multiple?: boolean;
  /** Commands the flag applies to; all when omitted. */
  readonly commands?: readonly ('init' | 'render')[];
  readonly help: string;
}

const f = (
  name: string,
  kind: FlagKind,
  target: string,
  help: string,
  extra: Partial<Pick<Flag, 'short' | 'value' | 'multiple' | 'commands'>> = {},
): Flag => ({ name, kind, target, help, ...extra });

const init = { commands: ['init'] } as const;

/** Every flag of the CLI, once: the parser, the help and the error messages all come from here. */
export const FLAGS: readonly Flag[] = [
  f('help', 'boolean', 'cli.help', 'Print this help and exit.', { short: 'h' }),
  f(
    'force',
    'boolean',
    'cli.force',
    'Overwrite files whose contents differ from what init writes.',
    init,
  ),
  f(
    'overlay',
    'string',
    'cli.overlay',
    'Overlay directory name under overlays/ (default: example).',
    { ...init, value: 'name' },
  ),
  f(
    'base-only',
    'boolean',
    'cli.baseOnly',
    'Write only base/ (keeps an existing overlay and its passwords).',
    init,
  ),
  f(
    'name',
    'string',
    'base.name',
    'Object names and app.kubernetes.io/name label (default: activemq).',
    { value: 'name' },
  ),
  f('namespace', 'string', 'overlay.namespace', 'Namespace to deploy to (default: activemq).', {
    value: 'ns',
  }),
  f(
    'create-namespace',
    'boolean',
    'overlay.createNamespace',
    'Add a Namespace enforcing Pod Security "restricted" (default: on; --no-create-namespace).',
  ),
  f('replicas', 'int', 'base.replicas', 'Brokers in the group (default: 2).', { value: 'n' }),
  f(
    'protocols',
    'list',
    'base.protocols',
    'Comma-separated of openwire, stomp, amqp, mqtt, ws (default: openwire,stomp).',
    { value: 'list' },
  ),
  f(
    'anti-affinity',
    'string',
    'base.antiAffinity',
    'preferred or required: brokers on different nodes (default: preferred).',
    { value: 'mode' },
  ),
  f(
    'termination-grace-period',
    'int',
    'base.terminationGracePeriodSeconds',
    'Seconds to hand over on shutdown (default: 60).',
    { value: 's' },
  ),
  f(
    'run-as-user',
    'int',
    'base.runAsUser',
    'Non-root uid and gid of the containers (default: 1000).',
    { value: 'uid' },
  ),
  f(
    'broker-image',
    'string',
    'base.broker.image',
    'Broker image repository (default: apache/activemq-classic).',
    { value: 'repo' },
  ),
  f(
    'broker-version',
    'string',
    'base.broker.version',
    `Broker image tag, a release of a supported line (default: ${DEFAULT_BROKER_VERSION}).`,
    { value: 'tag' },
  ),
  f(
    'allow-unsupported-broker',
    'boolean',
    'base.broker.allowUnsupported',
    'Accept a broker version from a line ActiveMQ no longer fixes (5.18.x, 6.1.x, ...).',
  ),
  f(
    'broker-image-digest',
    'string',
    'base.broker.imageDigest',
    'Pin the broker image by digest (sha256:...).',
    { value: 'digest' },
  ),
  f(
    'lock-acquire-interval-ms',
    'int',
    'base.broker.lockAcquireSleepIntervalMs',
    'How often a waiting broker retries the lock (default: 1000).',
    { value: 'ms' },
  ),
  f(
    'lock-keep-alive-ms',
    'int',
    'base.broker.lockKeepAlivePeriodMs',
    'How often the master re-checks its lock; >0, below the acquire interval (default: 500).',
    { value: 'ms' },
  ),
  f(
    'max-connections',
    'int',
    'base.broker.maxConnections',
    'Connection limit per protocol (default: 1000).',
    { value: 'n' },
  ),
  f(
    'max-frame-size',
    'int',
    'base.broker.maxFrameSize',
    'Largest accepted frame in bytes (default: 104857600).',
    { value: 'bytes' },
  ),
  f(
    'java-options',
    'string',
    'base.broker.javaOptions',
    'JVM flags (default: -XX:MaxRAMPercentage=75).',
    { value: 'flags' },
  ),
  f(
    'agent-image',
    'string',
    'base.agent.image',
    'Agent image repository (default: ghcr.io/activemq-ha/agent).',
    { value: 'repo' },
  ),
  f(
    'agent-version',
    'string',
    'base.agent.version',
    'Agent image tag (default: the version of this CLI).',
    { value: 'tag' },
  ),
  f(
    'agent-image-digest',
    'string',
    'base.agent.imageDigest',
    'Pin the agent image by digest (sha256:...).',
    { value: 'digest' },
  ),
  f(
    'agent-http-port',
    'int',
    'base.agent.httpPort',
    'Port of the agent /healthz /readyz /metrics (default: 8080).',
    { value: 'port' },
  ),
  f(
    'probe-interval-ms',
    'int',
    'base.agent.probeIntervalMs',
    'Agent probe interval (default: 100).',
    { value: 'ms' },
  ),
  f(
    'probe-timeout-ms',
    'int',
    'base.agent.probeTimeoutMs',
    'Agent probe timeout (default: 1000).',
    { value: 'ms' },
  ),
  f(
    'leases',
    'boolean',
    'base.agent.leases',
    'The agent also keeps a Lease naming the leader (adds Lease RBAC).',
  ),
  f(
    'agent-arg',
    'string',
    'base.agent.extraArgs',
    'Extra agent flag, e.g. --agent-arg=--log-level=debug (repeatable).',
    { value: 'flag', multiple: true },
  ),
  f(
    'service-type',
    'string',
    'base.service.type',
    'ClusterIP or LoadBalancer (default: ClusterIP).',
    { value: 'type' },
  ),
  f(
    'load-balancer-ip',
    'string',
    'base.service.loadBalancerIP',
    'loadBalancerIP of a LoadBalancer Service.',
    { value: 'ip' },
  ),
  f(
    'service-annotation',
    'pairs',
    'base.service.annotations',
    'Annotation of the client Service (repeatable).',
    { value: 'key=value', multiple: true },
  ),
  f(
    'expose-console',
    'boolean',
    'base.service.exposeConsole',
    'Publish the web console on the client Service (default: off).',
  ),
  f(
    'console',
    'boolean',
    'base.console.enabled',
    'Run the admin web console (default: on; --no-console).',
  ),
  f('console-port', 'int', 'base.console.port', 'Web console port (default: 8161).', {
    value: 'port',
  }),
  f('storage-size', 'string', 'base.storage.size', 'Size of the shared volume (default: 10Gi).', {
    value: 'qty',
  }),
  f(
    'storage-class',
    'string',
    'base.storage.storageClassName',
    'ReadWriteMany storage class (default: the cluster default).',
    { value: 'class' },
  ),
  f(
    'nfs-server',
    'string',
    'base.storage.nfs.server',
    'Generate an NFS PersistentVolume on this server.',
    { value: 'host' },
  ),
  f('nfs-path', 'string', 'base.storage.nfs.path', 'Exported path on the NFS server.', {
    value: 'path',
  }),
  f(
    'nfs-mount-options',
    'list',
    'base.storage.nfs.mountOptions',
    'Comma-separated (default: nfsvers=4.1,hard,timeo=600,retrans=2,noresvport).',
    { value: 'list' },
  ),
  f(
    'force-nfs',
    'boolean',
    'base.storage.nfs.force',
    'Accept lock-breaking NFS options (nfsvers=3, nolock, local_lock, soft).',
  ),
  f(
    'network-policy',
    'boolean',
    'base.networkPolicy.enabled',
    'Only pods with the client labels reach the broker ports.',
  ),
  f(
    'client-label',
    'pairs',
    'base.networkPolicy.clientSelector',
    'Client label of the NetworkPolicy (default: activemq-ha.io/client=true; repeatable).',
    { value: 'key=value', multiple: true },
  ),
  f(
    'broker-username',
    'string',
    'overlay.credentials.brokerUsername',
    'Broker client user (default: app).',
    { value: 'user' },
  ),
  f(
    'broker-password-file',
    'string',
    'cli.brokerPasswordFile',
    'File with the broker client password (else $ACTIVEMQ_HA_BROKER_PASSWORD, else generated).',
    { value: 'path' },
  ),
  f(
    'console-username',
    'string',
    'overlay.credentials.consoleUsername',
    'Web console user (default: admin).',
    { value: 'user' },
  ),
  f(
    'console-password-file',
    'string',
    'cli.consolePasswordFile',
    'File with the console password (else $ACTIVEMQ_HA_CONSOLE_PASSWORD, else generated).',
    { value: 'path' },
  ),
];

/** Library option field (as in a ManifestsError) → the flag that sets it. */
export function flagForField(field: string | undefined): Flag | undefined {
  if (!field) return undefined;
  const bare = field.replace(/\[\d+\].*$/, '');
  const password = {
    'credentials.brokerPassword': 'broker-password-file',
    'credentials.consolePassword': 'console-password-file',
  }[bare];
  if (password) return FLAGS.find((x) => x.name === password);
  return FLAGS.find((x) => x.target.replace(/^(base|overlay)\./, '') === bare);
}
