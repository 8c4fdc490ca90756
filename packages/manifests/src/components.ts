import { commonLabels } from './base-manifests.js';
import { type GroupNames, type Manifest, manifestToYaml, toYaml } from './objects/manifest.js';
import { podMonitor } from './objects/pod-monitor.js';
import { networkPolicy } from './objects/policies.js';
import type { ResolvedBaseOptions } from './resolve-options.js';

/**
 * The optional parts of a base, each a kustomize Component an overlay lists under `components:`.
 * The base holds them all, configured by its options; the overlay decides which are on. The
 * Lease RBAC is no such part: the agent cannot run without the group Lease.
 */
export const COMPONENTS = {
  networkPolicy: 'components/network-policy',
  loadBalancer: 'components/load-balancer',
  monitoring: 'components/monitoring',
} as const;

export type ComponentName = keyof typeof COMPONENTS;

/** Which parts an overlay turns on. */
export type ComponentChoice = Readonly<Record<ComponentName, boolean>>;

/** The base options as a build with these parts on has them (what renderObjects renders). */
export function withParts(
  options: ResolvedBaseOptions,
  parts: Pick<ComponentChoice, 'networkPolicy' | 'loadBalancer'>,
): ResolvedBaseOptions {
  const { loadBalancerClass: _class, ...service } = options.service;
  return {
    ...options,
    networkPolicy: { ...options.networkPolicy, enabled: parts.networkPolicy },
    service: parts.loadBalancer
      ? { ...options.service, type: 'LoadBalancer' }
      : { ...service, type: 'ClusterIP' },
  };
}

/** The parts an overlay gets unless it says otherwise: those the base options turn on. */
export function defaultComponents(
  options: ResolvedBaseOptions,
): Omit<ComponentChoice, 'monitoring'> {
  return {
    networkPolicy: options.networkPolicy.enabled,
    loadBalancer: options.service.type === 'LoadBalancer',
  };
}

/** Every Component's files, keyed by path under the base. */
export function renderComponents(
  names: GroupNames,
  options: ResolvedBaseOptions,
  header: string,
): Record<string, string> {
  const files: Record<string, string> = {};
  const component = (dir: string, body: Record<string, unknown>) => {
    files[`${dir}/kustomization.yaml`] = `# ${header}\n${toYaml({
      apiVersion: 'kustomize.config.k8s.io/v1alpha1',
      kind: 'Component',
      ...body,
    })}`;
  };
  const policy = networkPolicy(
    names,
    withParts(options, { networkPolicy: true, loadBalancer: false }),
  );
  if (policy) {
    component(COMPONENTS.networkPolicy, { resources: ['networkpolicy.yaml'] });
    files[`${COMPONENTS.networkPolicy}/networkpolicy.yaml`] = manifestToYaml(
      labelled(policy, commonLabels(names)),
      header,
    );
  }
  const { loadBalancerClass } = options.service;
  component(COMPONENTS.loadBalancer, { patches: [{ path: 'service-patch.yaml' }] });
  files[`${COMPONENTS.loadBalancer}/service-patch.yaml`] = `# ${header}\n${toYaml({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: names.service },
    spec: { type: 'LoadBalancer', ...(loadBalancerClass ? { loadBalancerClass } : {}) },
  })}`;
  component(COMPONENTS.monitoring, { resources: ['podmonitor.yaml'] });
  files[`${COMPONENTS.monitoring}/podmonitor.yaml`] = manifestToYaml(
    podMonitor(names, options),
    header,
  );
  return files;
}

/** Component resources are outside the base's `labels`: they carry the same labels themselves. */
function labelled(m: Manifest, labels: Record<string, string>): Manifest {
  const object = structuredClone(m.object) as Manifest['object'] & {
    metadata: { labels?: Record<string, string> };
  };
  object.metadata.labels = { ...object.metadata.labels, ...labels };
  return { ...m, object };
}
