import { BROKER_PROTOCOLS } from '../broker/protocols.js';
import type { ResolvedBaseOptions } from '../resolve-options.js';
import { type GroupNames, type Manifest, NAME_LABEL } from './manifest.js';

/** Voluntary disruptions (drains, upgrades) take one broker at a time. */
export function disruptionBudget(names: GroupNames): Manifest {
  return {
    object: {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: names.disruptionBudget },
      spec: { maxUnavailable: 1, selector: { matchLabels: { [NAME_LABEL]: names.app } } },
    },
  };
}

/**
 * On by default: broker ports (and an exposed console) only from pods of this namespace that carry
 * the client labels, from labelled pods of the namespaces listed in `clientNamespaces`, and from
 * `externalCidrs`. No `namespaceSelector: {}`: that would admit a labelled pod of any namespace,
 * and anyone who can create a pod somewhere can set a label. The agent's HTTP port stays open for
 * the kubelet's probes and metrics scrapers.
 */
export function networkPolicy(
  names: GroupNames,
  options: ResolvedBaseOptions,
): Manifest | undefined {
  const policy = options.networkPolicy;
  if (!policy.enabled) return undefined;
  const brokerPorts: { protocol: string; port: number }[] = options.protocols.map((p) => ({
    protocol: 'TCP',
    port: BROKER_PROTOCOLS[p].port,
  }));
  if (options.service.exposeConsole)
    brokerPorts.push({ protocol: 'TCP', port: options.console.port });
  const clients = { matchLabels: { ...policy.clientSelector } };
  const from: Record<string, unknown>[] = [
    { podSelector: clients },
    ...policy.clientNamespaces.map((ns) => ({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
      podSelector: clients,
    })),
    ...policy.externalCidrs.map((cidr) => ({ ipBlock: { cidr } })),
  ];
  return {
    object: {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: names.networkPolicy },
      spec: {
        podSelector: { matchLabels: { [NAME_LABEL]: names.app } },
        policyTypes: ['Ingress'],
        ingress: [
          { from, ports: brokerPorts },
          {
            ports: [
              { protocol: 'TCP', port: options.agent.httpPort },
              ...(options.metrics.enabled ? [{ protocol: 'TCP', port: options.metrics.port }] : []),
            ],
          },
        ],
      },
    },
    comments: [
      {
        path: ['spec', 'ingress', 0, 'from', 0],
        text: `Pods of this namespace labelled ${Object.entries(policy.clientSelector)
          .map(([k, v]) => `${k}=${v}`)
          .join(',')}; other namespaces only when listed by name.`,
      },
    ],
  };
}
