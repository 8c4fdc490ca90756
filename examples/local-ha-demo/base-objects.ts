import { renderBase } from '@activemq-ha/manifests';
import type { CreateServiceOptions } from '@activemq-ha/testkit';
import { parseAllDocuments } from 'yaml';

/** What the demo takes from the generated base, so the demo runs what would be deployed. */
export interface DemoTopology {
  readonly service: Omit<CreateServiceOptions, 'namespace'>;
  /** Labels of the Deployment's pod template (kustomize's `labels` included). */
  readonly podLabels: Readonly<Record<string, string>>;
  /** The agent container's flags that do not depend on the pod's own ports. */
  readonly agentArgs: readonly string[];
}

interface Obj {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec: Record<string, unknown>;
}

export function topologyFromBase(): DemoTopology {
  // Storage does not matter to the demo (it runs brokers on the host), but a base needs a choice.
  const files = renderBase({ storage: { storageClassName: 'demo-rwx' } });
  const objects = Object.entries(files)
    .filter(([path]) => path.endsWith('.yaml') && path !== 'kustomization.yaml')
    .flatMap(([, text]) => parseAllDocuments(text).map((d) => d.toJSON() as Obj));
  const kustomization = parseAllDocuments(files['kustomization.yaml'] ?? '')[0]?.toJSON() as {
    labels?: { pairs: Record<string, string> }[];
  };
  const kustomizeLabels = Object.assign({}, ...(kustomization.labels ?? []).map((l) => l.pairs));

  const service = objects.find((o) => o.kind === 'Service');
  const deployment = objects.find((o) => o.kind === 'Deployment');
  if (!service || !deployment) throw new Error('renderBase() produced no Service or Deployment');
  const spec = service.spec as {
    selector: Record<string, string>;
    ports: { name: string; port: number; targetPort: string | number }[];
  };
  const template = (deployment.spec.template ?? {}) as {
    metadata: { labels: Record<string, string> };
    spec: { containers: { name: string; args?: string[] }[] };
  };
  const agent = template.spec.containers.find((c) =>
    (c.args ?? []).some((a) => a.startsWith('--group-selector')),
  );
  // Ports and the HTTP address differ per pod on one machine; the harness sets them per agent.
  const perPod = /^--(openwire-port|stomp-port|http-port|http-host|broker-host)\b/;
  return {
    service: {
      name: service.metadata.name,
      selector: spec.selector,
      ports: spec.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort })),
    },
    podLabels: { ...kustomizeLabels, ...template.metadata.labels },
    agentArgs: (agent?.args ?? []).filter((a) => !perPod.test(a)),
  };
}
