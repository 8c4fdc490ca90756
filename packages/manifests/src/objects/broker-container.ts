import { brokerConfigLayout, parseBrokerVersion } from '../broker/broker-version.js';
import { jmxExporterAgentFlag } from '../broker/jmx-exporter-yaml.js';
import { BROKER_JIT_FLAGS } from '../broker/jvm-flags.js';
import { heapChoice } from '../broker/jvm-memory.js';
import { BROKER_PROTOCOLS } from '../broker/protocols.js';
import { userPasswordKey } from '../options.js';
import type { ResolvedBaseOptions } from '../resolve-options.js';
import { quantityValue } from '../resources/quantity.js';
import { imageReference } from './image-reference.js';
import type { GroupNames, ManifestComment } from './manifest.js';
import { TLS_PATHS, tlsSettings } from './tls.js';

/**
 * Layout of the official `apache/activemq-classic` image, 5.18 to 6.3 (assembly/src/docker): everything
 * under ACTIVEMQ_HOME=/opt/apache-activemq, started by `activemq console`. That image runs as root
 * and writes its pid file and logs under data/ and temp files under tmp/, so with a read-only root
 * file system those become emptyDirs; the shared store is a separate mount.
 */
export const BROKER_PATHS = {
  home: '/opt/apache-activemq',
  conf: '/opt/apache-activemq/conf',
  localData: '/opt/apache-activemq/data',
  tmp: '/opt/apache-activemq/tmp',
  shared: '/var/lib/activemq-ha/shared',
  /** The temp store (non-persistent messages spooled to disk): per pod, on an emptyDir. */
  tempStore: '/var/lib/activemq-ha/temp',
  consoleRealm: '/etc/activemq-ha/console/jetty-realm.properties',
  metricsRules: '/etc/activemq-ha/metrics/jmx-exporter.yaml',
  /** The takeover warm-up agent's emptyDir, filled by the install-warmup init container. */
  warmup: '/opt/activemq-ha/warmup',
} as const;

/** The jar the install-warmup init container copies (the agent's WARMUP_JAR). */
export const WARMUP_JAR = `${BROKER_PATHS.warmup}/takeover-warmup.jar`;

/** Keys of the credentials Secret; the overlay's secretGenerator writes exactly these. */
export const CREDENTIAL_KEYS = {
  brokerUsername: 'ACTIVEMQ_USERNAME',
  brokerPassword: 'ACTIVEMQ_PASSWORD',
  consoleRealm: 'jetty-realm.properties',
} as const;

export const RESTRICTED_CONTAINER_SECURITY = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
} as const;

/** The container's port names; the Service targets them by name. */
export function brokerPorts(
  options: ResolvedBaseOptions,
): { name: string; containerPort: number; protocol: 'TCP' }[] {
  const ports: { name: string; containerPort: number }[] = options.protocols.map((p) => ({
    name: p,
    containerPort: BROKER_PROTOCOLS[p].port,
  }));
  if (options.console.enabled) ports.push({ name: 'console', containerPort: options.console.port });
  if (options.metrics.enabled) ports.push({ name: 'metrics', containerPort: options.metrics.port });
  return ports.map((p) => ({ ...p, protocol: 'TCP' }));
}

/** The agent's split-brain stop marker (see agent-container.ts), in the shared `ha-run` emptyDir. */
const STOP_MARKER = '/var/run/activemq-ha/stop-broker';
const JVM_RUNNING = "grep -qs 'activemq[.]jar' /proc/[0-9]*/cmdline";

export function brokerContainer(
  names: GroupNames,
  options: ResolvedBaseOptions,
): { container: Record<string, unknown>; comments: ManifestComment[] } {
  const { broker, console } = options;
  const jettyHost = options.service.exposeConsole ? '0.0.0.0' : '127.0.0.1';
  // The image sets ACTIVEMQ_OPTS itself (only -Djetty.host), which also suppresses bin/env's
  // defaults, so the flags bin/env would add are repeated here.
  const limit = broker.resources.limits.memory;
  const heap = heapChoice(broker.javaOptions, quantityValue(limit), limit).flag;
  const javaOpts = [
    heap,
    ...BROKER_JIT_FLAGS,
    broker.javaOptions,
    '-Djava.util.logging.config.file=logging.properties',
    `-Djava.security.auth.login.config=${BROKER_PATHS.conf}/login.config`,
    `-Djetty.host=${jettyHost}`,
    `-Djetty.port=${console.port}`,
    options.metrics.enabled
      ? jmxExporterAgentFlag(
          options.metrics.javaagentJar,
          options.metrics.port,
          BROKER_PATHS.metricsRules,
        )
      : undefined,
    broker.takeoverWarmup ? `-javaagent:${WARMUP_JAR}` : undefined,
  ]
    .filter(Boolean)
    .join(' ');
  const secretRef = (key: string) => ({ secretKeyRef: { name: names.credentials, key } });
  const mounts: Record<string, unknown>[] = [
    {
      name: 'config',
      mountPath: `${BROKER_PATHS.conf}/activemq.xml`,
      subPath: 'activemq.xml',
      readOnly: true,
    },
  ];
  if (console.enabled) {
    const { consoleFiles } = brokerConfigLayout(parseBrokerVersion(broker.version));
    mounts.push(
      ...consoleFiles.map((file) => ({
        name: 'config',
        mountPath: `${BROKER_PATHS.conf}/${file.path}`,
        subPath: file.key,
        readOnly: true,
      })),
      {
        name: 'console-realm',
        mountPath: BROKER_PATHS.consoleRealm.replace(/\/[^/]+$/, ''),
        readOnly: true,
      },
    );
  }
  if (options.metrics.enabled) {
    mounts.push({
      name: 'config',
      mountPath: BROKER_PATHS.metricsRules,
      subPath: 'jmx-exporter.yaml',
      readOnly: true,
    });
  }
  const tls = tlsSettings(names, options);
  if (tls) mounts.push({ name: 'tls', mountPath: TLS_PATHS.dir, readOnly: true });
  mounts.push(
    { name: 'shared', mountPath: BROKER_PATHS.shared },
    { name: 'temp-store', mountPath: BROKER_PATHS.tempStore },
    { name: 'local-data', mountPath: BROKER_PATHS.localData },
    { name: 'broker-tmp', mountPath: BROKER_PATHS.tmp },
    { name: 'tmp', mountPath: '/tmp' },
    { name: 'ha-run', mountPath: '/var/run/activemq-ha', readOnly: true },
  );
  if (broker.takeoverWarmup) {
    mounts.push({ name: 'takeover-warmup', mountPath: BROKER_PATHS.warmup, readOnly: true });
  }

  const container = {
    name: 'broker',
    image: imageReference(broker.image, broker.version, broker.imageDigest),
    ports: brokerPorts(options),
    env: [
      { name: 'ACTIVEMQ_OPTS', value: javaOpts },
      { name: 'JAVA_TOOL_OPTIONS', value: '-XX:+ExitOnOutOfMemoryError' },
      {
        name: CREDENTIAL_KEYS.brokerUsername,
        valueFrom: secretRef(CREDENTIAL_KEYS.brokerUsername),
      },
      {
        name: CREDENTIAL_KEYS.brokerPassword,
        valueFrom: secretRef(CREDENTIAL_KEYS.brokerPassword),
      },
      ...options.security.users.map((u) => ({
        name: userPasswordKey(u.username),
        valueFrom: secretRef(userPasswordKey(u.username)),
      })),
      ...(tls
        ? [
            {
              name: TLS_PATHS.passwordVariable,
              valueFrom: { secretKeyRef: { ...tls.passwordSecret } },
            },
          ]
        : []),
    ],
    // Is the JVM still there, and has the agent not asked for a stop (split brain)? A waiting
    // slave opens no port, so no port may decide liveness; the "[.]" keeps this probe's own
    // command line from matching itself.
    livenessProbe: {
      exec: { command: ['/bin/sh', '-c', `test ! -e ${STOP_MARKER} && ${JVM_RUNNING}`] },
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold: 3,
    },
    // Liveness starts only once the JVM is up (slow volume mounts, a slow image pull of plugins).
    startupProbe: {
      exec: { command: ['/bin/sh', '-c', JVM_RUNNING] },
      periodSeconds: 2,
      timeoutSeconds: 5,
      failureThreshold: 60,
    },
    resources: broker.resources,
    securityContext: RESTRICTED_CONTAINER_SECURITY,
    volumeMounts: mounts,
  };
  return {
    container,
    comments: [
      {
        path: ['env', 1],
        text: 'Read by the JVM itself, not by the start script: a heap OOM ends the JVM (and frees the\nstore lock) even when a patch replaces ACTIVEMQ_OPTS.',
      },
      {
        path: ['livenessProbe'],
        text: "Process-only liveness, no readiness probe: a waiting slave opens no ports yet must stay\nalive and Ready, or rollouts would deadlock on the store lock. Routing is decided by the\nleader label (and the agent's readiness), never by this container. The stop marker is the\nagent's split-brain brake: it exists while another pod renews the group Lease.",
      },
    ],
  };
}
