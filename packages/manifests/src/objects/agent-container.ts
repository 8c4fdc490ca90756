import { BROKER_PROTOCOLS, type BrokerProtocol } from '../broker/protocols.js';
import type { ResolvedBaseOptions } from '../resolve-options.js';
import {
  BROKER_PATHS,
  CREDENTIAL_KEYS,
  RESTRICTED_CONTAINER_SECURITY,
} from './broker-container.js';
import { imageReference } from './image-reference.js';
import { type GroupNames, NAME_LABEL } from './manifest.js';
import { leaseName } from './rbac.js';

/** emptyDir shared by the agent (writes) and the broker container (its liveness probe reads). */
export const AGENT_RUN_DIR = '/var/run/activemq-ha';
/** The broker's `local-data` emptyDir (ActiveMQ's activemq.log), read-only in the agent. */
export const BROKER_LOG_DIR = '/var/log/activemq';
/** Where client-node's in-cluster configuration reads the token, CA and namespace. */
const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * Pod volumes of the agent: the run dir and the service-account token, projected for the agent
 * container only. The pod sets automountServiceAccountToken: false, so the broker container
 * (OpenWire has had remote code execution bugs: CVE-2023-46604) never sees the token.
 */
export function agentVolumes(): Record<string, unknown>[] {
  return [
    { name: 'ha-run', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
    {
      name: 'agent-token',
      projected: {
        defaultMode: 0o440,
        sources: [
          { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          {
            downwardAPI: {
              items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }],
            },
          },
        ],
      },
    },
  ];
}

/**
 * The connector the agent probes: OpenWire before STOMP (it needs no credentials), and a TLS
 * connector when there is one: a TLS-only group has no other, and it is what its clients use.
 */
export function probedProtocol(protocols: readonly BrokerProtocol[]): BrokerProtocol {
  const order: BrokerProtocol[] = ['openwire-tls', 'stomp-tls', 'openwire', 'stomp'];
  return order.find((p) => protocols.includes(p)) ?? 'openwire';
}

/**
 * The sidecar that labels its pod `leader=yes` while the local broker serves. Flags are those of
 * `activemq-ha-agent --help`. It probes OpenWire when enabled (no credentials needed) and STOMP
 * otherwise, logging in with the broker credentials from the Secret.
 */
export function agentContainer(
  names: GroupNames,
  options: ResolvedBaseOptions,
): Record<string, unknown> {
  const { agent } = options;
  const probed = probedProtocol(options.protocols);
  const probe = probed.startsWith('openwire') ? 'openwire' : 'stomp';
  const args = [
    `--group-selector=${NAME_LABEL}=${names.app}`,
    `--probe=${probe}`,
    `--${probe}-port=${BROKER_PROTOCOLS[probed].port}`,
    ...(BROKER_PROTOCOLS[probed].tls ? ['--probe-tls=true'] : []),
    `--probe-interval-ms=${agent.probeIntervalMs}`,
    `--probe-timeout-ms=${agent.probeTimeoutMs}`,
    `--http-port=${agent.httpPort}`,
    `--lease-name=${leaseName(names)}`,
    `--stop-marker=${AGENT_RUN_DIR}/stop-broker`,
    // A standby is Ready only while its JVM runs (shared process list) and its log shows the lock wait.
    `--broker-log=${BROKER_LOG_DIR}/activemq.log`,
    ...agent.extraArgs,
  ];
  const env: Record<string, unknown>[] = [
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
  ];
  if (probe === 'stomp') {
    const secretRef = (key: string) => ({ secretKeyRef: { name: names.credentials, key } });
    env.push(
      { name: 'ACTIVEMQ_HA_STOMP_LOGIN', valueFrom: secretRef(CREDENTIAL_KEYS.brokerUsername) },
      { name: 'ACTIVEMQ_HA_STOMP_PASSCODE', valueFrom: secretRef(CREDENTIAL_KEYS.brokerPassword) },
    );
  }
  return {
    name: 'agent',
    image: imageReference(agent.image, agent.version, agent.imageDigest),
    args,
    env,
    ports: [{ name: 'http', containerPort: agent.httpPort, protocol: 'TCP' }],
    livenessProbe: {
      httpGet: { path: '/healthz', port: 'http' },
      periodSeconds: 10,
      timeoutSeconds: 3,
      failureThreshold: 3,
    },
    readinessProbe: {
      httpGet: { path: '/readyz', port: 'http' },
      periodSeconds: 2,
      timeoutSeconds: 2,
      failureThreshold: 2,
    },
    resources: agent.resources,
    // Another uid than the broker: with one process namespace per pod, neither may then read the
    // other's environment, files or token through /proc (no CAP_SYS_PTRACE); cmdline stays visible.
    securityContext: { ...RESTRICTED_CONTAINER_SECURITY, runAsUser: agentUid(options.runAsUser) },
    volumeMounts: [
      { name: 'ha-run', mountPath: AGENT_RUN_DIR },
      { name: 'local-data', mountPath: BROKER_LOG_DIR, readOnly: true },
      { name: 'agent-token', mountPath: SERVICE_ACCOUNT_DIR, readOnly: true },
    ],
  };
}

/**
 * Init container: the agent image's `install-warmup` copies the takeover warm-up java agent into
 * the `takeover-warmup` emptyDir, which the broker container mounts read-only and loads with
 * `-javaagent:` (broker.takeoverWarmup): the official broker image stays as it is.
 */
export function warmupInstallContainer(options: ResolvedBaseOptions): Record<string, unknown> {
  return agentInitContainer(options, 'install-warmup', 'takeover-warmup', BROKER_PATHS.warmup);
}

/** The agent's uid: never the broker's (see agentContainer). */
export function agentUid(brokerUid: number): number {
  return brokerUid === 65532 ? 65533 : 65532;
}

/**
 * Init container: the agent image's `check-store` as the broker's uid (the pod's runAsUser) on the
 * broker's store mount. An unwritable store (root-owned export, a uid change) then fails the pod
 * visibly, naming the path and the uid, instead of a broker that logs "locked by another server"
 * and waits forever; a rollout stops at this pod.
 */
export function storeCheckContainer(options: ResolvedBaseOptions): Record<string, unknown> {
  return agentInitContainer(options, 'check-store', 'shared', BROKER_PATHS.shared);
}

/** An init container running the agent image's subcommand `command` on one volume mounted at `path`. */
function agentInitContainer(
  options: ResolvedBaseOptions,
  command: string,
  volume: string,
  path: string,
): Record<string, unknown> {
  const { agent } = options;
  return {
    name: command,
    image: imageReference(agent.image, agent.version, agent.imageDigest),
    args: [command, path],
    resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '64Mi' } },
    securityContext: RESTRICTED_CONTAINER_SECURITY,
    volumeMounts: [{ name: volume, mountPath: path }],
  };
}
