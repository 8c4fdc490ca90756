import { BROKER_PROTOCOLS } from '../broker/protocols.js';
import type { ResolvedBaseOptions } from '../resolve-options.js';
import { type GroupNames, LEADER_LABEL, type Manifest, NAME_LABEL } from './manifest.js';

/** The one address clients use: it routes only to the pod the agent labelled `leader=yes`. */
export function clientService(names: GroupNames, options: ResolvedBaseOptions): Manifest {
  const ports: { name: string; port: number; targetPort: string; protocol: string }[] =
    options.protocols.map((p) => ({
      name: p,
      port: BROKER_PROTOCOLS[p].port,
      targetPort: p,
      protocol: 'TCP',
    }));
  if (options.service.exposeConsole) {
    ports.push({
      name: 'console',
      port: options.console.port,
      targetPort: 'console',
      protocol: 'TCP',
    });
  }
  const { type, annotations, loadBalancerClass } = options.service;
  const hasAnnotations = Object.keys(annotations).length > 0;
  return {
    object: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: names.service,
        ...(hasAnnotations ? { annotations: { ...annotations } } : {}),
      },
      spec: {
        type,
        ...(loadBalancerClass ? { loadBalancerClass } : {}),
        selector: { [NAME_LABEL]: names.app, [LEADER_LABEL]: 'yes' },
        ports,
      },
    },
    comments: [
      {
        path: ['spec', 'selector'],
        text: 'Only the active broker: its agent labels the pod leader=yes while the broker holds the\nstore lock and serves; waiting brokers open no ports and stay leader=no.',
      },
    ],
  };
}
