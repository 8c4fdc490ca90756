import type { ResolvedBaseOptions } from '../resolve-options.js';
import {
  agentContainer,
  agentVolumes,
  storeCheckContainer,
  warmupInstallContainer,
} from './agent-container.js';
import { BROKER_PATHS, brokerContainer, CREDENTIAL_KEYS } from './broker-container.js';
import { type GroupNames, LEADER_LABEL, type Manifest, NAME_LABEL } from './manifest.js';
import { TLS_PATHS, tlsSettings } from './tls.js';

/** The broker group: identical pods, one of which holds the store lock at any time. */
export function deployment(names: GroupNames, options: ResolvedBaseOptions): Manifest {
  const selector = { [NAME_LABEL]: names.app };
  const broker = brokerContainer(names, options);
  const affinityTerm = {
    labelSelector: { matchLabels: selector },
    topologyKey: 'kubernetes.io/hostname',
  };
  const podAntiAffinity =
    options.antiAffinity === 'required'
      ? { requiredDuringSchedulingIgnoredDuringExecution: [affinityTerm] }
      : {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 100, podAffinityTerm: affinityTerm },
          ],
        };

  const configItems = [{ key: 'activemq.xml', path: 'activemq.xml' }];
  if (options.console.enabled) configItems.push({ key: 'jetty.xml', path: 'jetty.xml' });
  if (options.metrics.enabled)
    configItems.push({ key: 'jmx-exporter.yaml', path: 'jmx-exporter.yaml' });
  const volumes: Record<string, unknown>[] = [
    { name: 'config', configMap: { name: names.config, items: configItems } },
  ];
  if (options.console.enabled) {
    volumes.push({
      name: 'console-realm',
      secret: {
        secretName: names.credentials,
        items: [
          {
            key: CREDENTIAL_KEYS.consoleRealm,
            path: BROKER_PATHS.consoleRealm.replace(/^.*\//, ''),
          },
        ],
        defaultMode: 0o440,
      },
    });
  }
  const tls = tlsSettings(names, options);
  if (tls) {
    volumes.push({
      name: 'tls',
      secret: {
        secretName: tls.secretName,
        items: [{ key: tls.keystoreKey, path: TLS_PATHS.keystore.replace(/^.*\//, '') }],
        defaultMode: 0o440,
      },
    });
  }
  volumes.push(
    { name: 'shared', persistentVolumeClaim: { claimName: names.claim } },
    { name: 'temp-store', emptyDir: { sizeLimit: options.storage.tempSize } },
    { name: 'local-data', emptyDir: { sizeLimit: '512Mi' } },
    { name: 'broker-tmp', emptyDir: { sizeLimit: '256Mi' } },
    { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
    ...agentVolumes(),
  );
  if (options.broker.takeoverWarmup) {
    volumes.push({ name: 'takeover-warmup', emptyDir: { sizeLimit: '8Mi' } });
  }

  const pod = ['spec', 'template', 'spec'];
  return {
    object: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: names.deployment },
      spec: {
        replicas: options.replicas,
        revisionHistoryLimit: 5,
        // A new pod must stay Ready this long before the rollout replaces the next one.
        minReadySeconds: 10,
        selector: { matchLabels: selector },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
        template: {
          metadata: {
            labels: { ...selector, [LEADER_LABEL]: 'no' },
            annotations: { 'kubectl.kubernetes.io/default-container': 'broker' },
          },
          spec: {
            serviceAccountName: names.serviceAccount,
            // The token is projected into the agent container only (agentVolumes).
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            // The agent finds the broker JVM in the pod's process list (standby readiness).
            shareProcessNamespace: true,
            terminationGracePeriodSeconds: options.terminationGracePeriodSeconds,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: options.runAsUser,
              runAsGroup: options.runAsUser,
              fsGroup: options.runAsUser,
              fsGroupChangePolicy: 'OnRootMismatch',
              seccompProfile: { type: 'RuntimeDefault' },
            },
            affinity: { podAntiAffinity },
            initContainers: [
              storeCheckContainer(options),
              ...(options.broker.takeoverWarmup ? [warmupInstallContainer(options)] : []),
            ],
            containers: [broker.container, agentContainer(names, options)],
            volumes,
          },
        },
      },
    },
    comments: [
      {
        path: ['spec', 'strategy'],
        text: [
          'RollingUpdate with maxSurge 0: replace one pod at a time, never run more pods than replicas.',
          'Two actives cannot happen either way (the store lock admits one broker), but a surge pod',
          'would be one more JVM polling the lock and could not be scheduled under required',
          'anti-affinity. Recreate would stop every broker at once: a full outage per rollout.',
          'Waiting brokers stay Ready, so the rollout never waits for a lock it cannot get.',
        ].join('\n'),
      },
      {
        path: [...pod.slice(0, 2), 'metadata', 'labels', LEADER_LABEL],
        text: 'Every pod starts as a non-leader; only its agent may set leader=yes.',
      },
      {
        path: [...pod, 'enableServiceLinks'],
        text: "No <SERVICE>_PORT variables: they would leak into the broker scripts' ACTIVEMQ_* namespace.",
      },
      {
        path: [...pod, 'terminationGracePeriodSeconds'],
        text: 'On SIGTERM the agent drops leader=yes first, then the broker stops and releases the lock.',
      },
      {
        path: [...pod, 'securityContext'],
        text: 'Pod Security "restricted". The official broker image would run as root; it runs as this uid.\nThe NFS export must let this uid write.',
      },
      ...broker.comments.map((c) => ({ ...c, path: [...pod, 'containers', 0, ...c.path] })),
    ],
  };
}
