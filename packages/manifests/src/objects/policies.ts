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
 * Only with `networkPolicy.enabled`: broker ports (and an exposed console) only from pods that
 * carry the client labels, in any namespace; the agent's HTTP port stays open for probes and
 * metrics scrapers.
 */
export function networkPolicy(
  names: GroupNames,
  options: ResolvedBaseOptions,
): Manifest | undefined {
  if (!options.networkPolicy.enabled) return undefined;
  const brokerPorts: { protocol: string; port: number }[] = options.protocols.map((p) => ({
    protocol: 'TCP',
    port: BROKER_PROTOCOLS[p].port,
  }));
  if (options.service.exposeConsole)
    brokerPorts.push({ protocol: 'TCP', port: options.console.port });
  return {
    object: {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: names.networkPolicy },
      spec: {
        podSelector: { matchLabels: { [NAME_LABEL]: names.app } },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [
              {
                namespaceSelector: {},
                podSelector: { matchLabels: { ...options.networkPolicy.clientSelector } },
              },
            ],
            ports: brokerPorts,
          },
          { ports: [{ protocol: 'TCP', port: options.agent.httpPort }] },
        ],
      },
    },
  };
}
