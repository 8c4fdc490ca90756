import { commonLabels } from './base-manifests.js';
import { renderBrokerConfig } from './broker/broker-config.js';
import { BROKER_PROTOCOLS, usesTls } from './broker/protocols.js';
import { deployment } from './objects/deployment.js';
import { type GroupNames, type Manifest, manifestToYaml, toYaml } from './objects/manifest.js';
import { podMonitor } from './objects/pod-monitor.js';
import { networkPolicy } from './objects/policies.js';
import { clientService } from './objects/service.js';
import { certificate } from './objects/tls.js';
import type { OverlayOptions } from './options.js';
import type { ResolvedBaseOptions } from './resolve-options.js';

/**
 * The optional parts of a base, each a kustomize Component an overlay lists under `components:`.
 * The base holds them all, configured by its options; the overlay decides which are on. The
 * Lease RBAC is no such part: the agent cannot run without the group Lease.
 */
export const COMPONENTS = {
  networkPolicy: 'components/network-policy',
  loadBalancer: 'components/load-balancer',
  // After network-policy: it patches the NetworkPolicy when that is there.
  tls: 'components/tls',
  monitoring: 'components/monitoring',
} as const;

export type ComponentName = keyof typeof COMPONENTS;

/** Which parts an overlay turns on. */
export type ComponentChoice = Readonly<Record<ComponentName, boolean>>;

/**
 * TLS is a Component when the base also has a plain connector the agent can probe; a TLS-only
 * base has nothing to fall back to, so there TLS is always on.
 */
export function tlsIsComponent(options: ResolvedBaseOptions): boolean {
  const plain = options.protocols.filter((p) => !BROKER_PROTOCOLS[p].tls);
  return usesTls(options.protocols) && (plain.includes('openwire') || plain.includes('stomp'));
}

/** The base options as a build with these parts on has them (what renderObjects renders). */
export function withParts(
  options: ResolvedBaseOptions,
  parts: Pick<ComponentChoice, 'networkPolicy' | 'loadBalancer' | 'tls'>,
): ResolvedBaseOptions {
  const { loadBalancerClass: _class, ...service } = options.service;
  const { tls: _tls, ...withoutTls } = options;
  const tlsOff = !parts.tls && tlsIsComponent(options);
  return {
    ...(tlsOff
      ? { ...withoutTls, protocols: options.protocols.filter((p) => !BROKER_PROTOCOLS[p].tls) }
      : options),
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
    tls: tlsIsComponent(options),
  };
}

/** The parts the base itself has on: none (TLS stays on in a TLS-only base, see tlsIsComponent). */
export const BASE_PARTS = { networkPolicy: false, loadBalancer: false, tls: false } as const;

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
    withParts(options, { networkPolicy: true, loadBalancer: false, tls: false }),
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
  if (tlsIsComponent(options)) Object.assign(files, renderTlsComponent(names, options, header));
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

/**
 * The TLS Component: activemq.xml with the TLS connectors and the keystore (merged into the
 * base's ConfigMap), the pod's ports, env, mounts, volumes and the agent's TLS probe, the
 * Service's ports, the NetworkPolicy's ports (when that Component is there) and the Certificate.
 * JSON patches replace whole lists, so the result is exactly what renderObjects renders.
 */
function renderTlsComponent(
  names: GroupNames,
  options: ResolvedBaseOptions,
  header: string,
): Record<string, string> {
  const on = withParts(options, { networkPolicy: true, loadBalancer: false, tls: true });
  const dir = COMPONENTS.tls;
  const yaml = (value: unknown) => `# ${header}\n${toYaml(value)}`;
  type Pod = {
    spec: {
      template: {
        spec: { containers: Record<string, unknown>[]; volumes: Record<string, unknown>[] };
      };
    };
  };
  const pod = (deployment(names, on).object as unknown as Pod).spec.template.spec;
  const [broker = {}, agent = {}] = pod.containers;
  const replace = (path: string, value: unknown) => ({ op: 'replace', path, value });
  const containers = '/spec/template/spec/containers';
  const files: Record<string, string> = {
    [`${dir}/deployment-patch.yaml`]: yaml([
      replace(`${containers}/0/ports`, broker.ports),
      replace(`${containers}/0/env`, broker.env),
      replace(`${containers}/0/volumeMounts`, broker.volumeMounts),
      replace(`${containers}/1/args`, agent.args),
      replace(`${containers}/1/env`, agent.env),
      replace('/spec/template/spec/volumes', pod.volumes),
    ]),
    [`${dir}/service-patch.yaml`]: yaml([
      replace(
        '/spec/ports',
        (clientService(names, on).object as unknown as { spec: { ports: unknown } }).spec.ports,
      ),
    ]),
    [`${dir}/config/activemq.xml`]: renderBrokerConfig(on)['activemq.xml'] as string,
  };
  const policy = networkPolicy(names, on);
  if (policy) {
    files[`${dir}/networkpolicy-patch.yaml`] = yaml([
      replace(
        '/spec/ingress',
        (policy.object as unknown as { spec: { ingress: unknown } }).spec.ingress,
      ),
    ]);
  }
  const cert = certificate(names, on);
  if (cert)
    files[`${dir}/certificate.yaml`] = manifestToYaml(labelled(cert, commonLabels(names)), header);
  const target = (kind: string, name: string) => ({ kind, name });
  files[`${dir}/kustomization.yaml`] = yaml({
    apiVersion: 'kustomize.config.k8s.io/v1alpha1',
    kind: 'Component',
    ...(cert ? { resources: ['certificate.yaml'] } : {}),
    configMapGenerator: [
      { name: names.config, behavior: 'merge', files: ['activemq.xml=config/activemq.xml'] },
    ],
    patches: [
      { path: 'deployment-patch.yaml', target: target('Deployment', names.deployment) },
      { path: 'service-patch.yaml', target: target('Service', names.service) },
      ...(policy
        ? [
            {
              path: 'networkpolicy-patch.yaml',
              target: target('NetworkPolicy', names.networkPolicy),
            },
          ]
        : []),
    ],
  });
  return files;
}

/**
 * What an overlay of this base must agree on and which Components it gets unless it says
 * otherwise: `renderObjects` and the CLI start from these, and so can callers of `renderOverlay`.
 */
export function overlayDefaults(
  base: ResolvedBaseOptions,
): Required<
  Pick<
    OverlayOptions,
    'name' | 'console' | 'nfsVolume' | 'certificate' | 'networkPolicy' | 'loadBalancer' | 'tls'
  >
> {
  return {
    name: base.name,
    console: { enabled: base.console.enabled },
    nfsVolume: base.storage.nfs !== undefined,
    certificate: base.tls?.certManager !== undefined && usesTls(base.protocols),
    ...defaultComponents(base),
  };
}
