import { BROKER_PROTOCOLS } from '../broker/protocols.js';
import type { ResolvedBaseOptions } from '../resolve-options.js';
import { CREDENTIAL_KEYS, RESTRICTED_CONTAINER_SECURITY } from './broker-container.js';
import { imageReference } from './image-reference.js';
import { type GroupNames, NAME_LABEL } from './manifest.js';

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
  const probe = options.protocols.includes('openwire') ? 'openwire' : 'stomp';
  const args = [
    `--group-selector=${NAME_LABEL}=${names.app}`,
    `--probe=${probe}`,
    probe === 'openwire'
      ? `--openwire-port=${BROKER_PROTOCOLS.openwire.port}`
      : `--stomp-port=${BROKER_PROTOCOLS.stomp.port}`,
    `--probe-interval-ms=${agent.probeIntervalMs}`,
    `--probe-timeout-ms=${agent.probeTimeoutMs}`,
    `--http-port=${agent.httpPort}`,
    ...(agent.leases ? ['--lease'] : []),
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
    securityContext: RESTRICTED_CONTAINER_SECURITY,
  };
}
