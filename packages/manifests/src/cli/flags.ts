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
  /** A boolean whose only effect is its `--no-` form (e.g. `--no-redelivery`). */
  readonly offOnly?: boolean;
  readonly help: string;
}

const f = (
  name: string,
  kind: FlagKind,
  target: string,
  help: string,
  extra: Partial<Pick<Flag, 'short' | 'value' | 'multiple' | 'commands' | 'offOnly'>> = {},
): Flag => ({ name, kind, target, help, ...extra });

const init = { commands: ['init'] } as const;

/** Every flag of the CLI, once: the parser, the help and the error messages all come from here. */
export const FLAGS: readonly Flag[] = [
  f('help', 'boolean', 'cli.help', 'Print this help and exit.', { short: 'h' }),
  f('version', 'boolean', 'cli.version', 'Print the version and exit.', { short: 'V' }),
  f(
    'force',
    'boolean',
    'cli.force',
    'Overwrite files whose contents differ from what init writes (passwords are kept).',
    init,
  ),
  f(
    'dry-run',
    'boolean',
    'cli.dryRun',
    'Say which files init would create or change; write nothing.',
    init,
  ),
  f(
    'diff',
    'boolean',
    'cli.diff',
    'Print a unified diff of what init would change; write nothing.',
    init,
  ),
  f(
    'rotate-credentials',
    'boolean',
    'cli.rotateCredentials',
    'Replace the overlay passwords (pods restart, clients need the new ones). Default: reuse them.',
    init,
  ),
  f(
    'existing-secret',
    'boolean',
    'overlay.credentials.existingSecret',
    'Generate no credentials: the Secret <name>-credentials is created outside (GitOps: sealed or external secrets).',
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
    'Write a Namespace enforcing Pod Security "restricted" to <overlay>/namespace (default: on; --no-create-namespace).',
  ),
  f(
    'namespace-in-build',
    'boolean',
    'overlay.namespaceInBuild',
    'Put the Namespace in the overlay itself, so kubectl delete -k deletes it too (default: off).',
  ),
  f('replicas', 'int', 'base.replicas', 'Brokers in the group (default: 2).', { value: 'n' }),
  f(
    'protocols',
    'list',
    'base.protocols',
    'Comma-separated of openwire, stomp, amqp, mqtt, ws, openwire-tls (ssl:// 61617), stomp-tls (stomp+ssl:// 61612) (default: openwire,stomp).',
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
    'takeover',
    'string',
    'base.broker.takeover',
    'Lock and checkpoint preset: fast (100/50/250 ms), balanced (250/100/1000) or gentle (1000/500/5000); default: fast.',
    { value: 'profile' },
  ),
  f(
    'lock-acquire-interval-ms',
    'int',
    'base.broker.lockAcquireSleepIntervalMs',
    "How often a waiting broker retries the lock (default: the takeover profile's).",
    { value: 'ms' },
  ),
  f(
    'lock-keep-alive-ms',
    'int',
    'base.broker.lockKeepAlivePeriodMs',
    "How often the master re-checks its lock; >0, below the acquire interval (default: the profile's).",
    { value: 'ms' },
  ),
  f(
    'checkpoint-interval-ms',
    'int',
    'base.broker.checkpointIntervalMs',
    "KahaDB index checkpoint period, bounds the journal replay (default: the profile's).",
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
    'Largest accepted frame in bytes (default: 10485760, 10 MiB).',
    { value: 'bytes' },
  ),
  f(
    'java-options',
    'string',
    'base.broker.javaOptions',
    'More JVM flags; without -Xmx the heap is derived from the memory limit (default: none).',
    { value: 'flags' },
  ),
  f(
    'takeover-warmup',
    'boolean',
    'base.broker.takeoverWarmup',
    'Let a waiting broker rehearse the takeover on a scratch store first (default: on; --no-takeover-warmup).',
    { offOnly: true },
  ),
  f(
    'broker-cpu-request',
    'string',
    'base.broker.resources.requests.cpu',
    'Broker CPU request (default: 250m).',
    { value: 'qty' },
  ),
  f(
    'broker-cpu-limit',
    'string',
    'base.broker.resources.limits.cpu',
    'Broker CPU limit (default: none).',
    { value: 'qty' },
  ),
  f(
    'broker-memory-limit',
    'string',
    'base.broker.resources.limits.memory',
    'Broker memory limit; the heap is derived from it (default: 1Gi, at least 768Mi).',
    { value: 'qty' },
  ),
  f(
    'broker-memory-request',
    'string',
    'base.broker.resources.requests.memory',
    'Broker memory request (default: the limit).',
    { value: 'qty' },
  ),
  f(
    'redelivery',
    'boolean',
    'base.broker.redelivery',
    'Broker-side delayed redelivery and DLQ.<destination> queues (default: on; --no-redelivery).',
    { offOnly: true },
  ),
  f(
    'max-redeliveries',
    'int',
    'base.broker.redelivery.maximumRedeliveries',
    'Redeliveries of a rejected message before its dead-letter queue (default: 6).',
    { value: 'n' },
  ),
  f(
    'redelivery-delay-ms',
    'int',
    'base.broker.redelivery.initialDelayMs',
    'First redelivery delay, doubled each time up to 60000 (default: 1000).',
    { value: 'ms' },
  ),
  f(
    'dead-letter-prefix',
    'string',
    'base.broker.redelivery.deadLetterQueuePrefix',
    'Dead-letter queue of Q is <prefix>Q (default: DLQ.).',
    { value: 'prefix' },
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
    'agent-cpu-request',
    'string',
    'base.agent.resources.requests.cpu',
    'Agent CPU request (default: 20m).',
    { value: 'qty' },
  ),
  f(
    'agent-memory-limit',
    'string',
    'base.agent.resources.limits.memory',
    'Agent memory limit (default: 160Mi).',
    { value: 'qty' },
  ),
  f(
    'agent-memory-request',
    'string',
    'base.agent.resources.requests.memory',
    'Agent memory request (default: 96Mi).',
    { value: 'qty' },
  ),
  f(
    'leases',
    'boolean',
    'cli.leases',
    'Obsolete: the agent always keeps the group Lease now (accepted with a warning).',
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
    'load-balancer-class',
    'string',
    'base.service.loadBalancerClass',
    'spec.loadBalancerClass of a LoadBalancer Service (immutable once set).',
    { value: 'class' },
  ),
  f(
    'load-balancer-ip',
    'string',
    'base.service.loadBalancerIP',
    "Refused (deprecated field): set the address with your load balancer's --service-annotation.",
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
  f(
    'storage-size',
    'string',
    'base.storage.size',
    'Size of the shared volume; the store limit is 80% of it (default: 10Gi).',
    { value: 'qty' },
  ),
  f(
    'storage-class',
    'string',
    'base.storage.storageClassName',
    'A ReadWriteMany storage class for the shared store (this or --nfs-server/--nfs-path is required).',
    { value: 'class' },
  ),
  f(
    'temp-storage-size',
    'string',
    'base.storage.tempSize',
    'emptyDir of the temp store (non-persistent messages on disk) (default: 1Gi).',
    { value: 'qty' },
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
    'broker-metrics',
    'boolean',
    'base.metrics.enabled',
    'Broker /metrics through the JMX exporter java agent (the jar must be in the broker image).',
  ),
  f('metrics-port', 'int', 'base.metrics.port', 'Port of the broker /metrics (default: 9404).', {
    value: 'port',
  }),
  f(
    'jmx-exporter-jar',
    'string',
    'base.metrics.javaagentJar',
    'The agent jar in the broker image (default: /opt/jmx-exporter/jmx_prometheus_javaagent.jar).',
    { value: 'path' },
  ),
  f(
    'monitoring',
    'boolean',
    'overlay.monitoring',
    'Use the monitoring Component: a PodMonitor for the agent and broker /metrics.',
  ),
  f(
    'network-policy',
    'boolean',
    'base.networkPolicy.enabled',
    'Only labelled client pods of the namespace reach the broker ports (default: on; --no-network-policy).',
  ),
  f(
    'client-namespace',
    'string',
    'base.networkPolicy.clientNamespaces',
    'Another namespace whose labelled pods may connect (repeatable).',
    { value: 'ns', multiple: true },
  ),
  f(
    'client-cidr',
    'string',
    'base.networkPolicy.externalCidrs',
    'A network outside the cluster that may connect, e.g. for a LoadBalancer (repeatable).',
    { value: 'cidr', multiple: true },
  ),
  f(
    'client-label',
    'pairs',
    'base.networkPolicy.clientSelector',
    'Client label of the NetworkPolicy (default: activemq-ha.io/client=true; repeatable).',
    { value: 'key=value', multiple: true },
  ),
  f(
    'tls-secret',
    'string',
    'base.tls.secretName',
    'Secret with the PKCS12 keystore of the openwire-tls/stomp-tls protocols (default: <name>-tls).',
    { value: 'name' },
  ),
  f(
    'tls-keystore-key',
    'string',
    'base.tls.keystoreKey',
    'Key of the keystore in that Secret (default: keystore.p12, as cert-manager writes it).',
    { value: 'key' },
  ),
  f(
    'tls-password-secret',
    'string',
    'base.tls.passwordSecret.name',
    'Secret with the keystore password (default: <name>-tls-password); see --tls-password-key.',
    { value: 'name' },
  ),
  f(
    'tls-password-key',
    'string',
    'base.tls.passwordSecret.key',
    'Key of the keystore password in that Secret (default: password).',
    { value: 'key' },
  ),
  f(
    'cert-manager-issuer',
    'string',
    'base.tls.certManager.issuerName',
    'Have cert-manager issue the broker certificate (a Certificate with a PKCS12 keystore).',
    { value: 'name' },
  ),
  f(
    'cert-manager-issuer-kind',
    'string',
    'base.tls.certManager.issuerKind',
    'Issuer or ClusterIssuer (default: Issuer).',
    { value: 'kind' },
  ),
  f(
    'security-file',
    'string',
    'cli.securityFile',
    'YAML file with brokerUserGroups, users (username, groups) and authorization entries (queue or topic; read, write, admin groups).',
    { value: 'path' },
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
