import type { KubeObject } from '@activemq-ha/manifests';
import {
  ValidatingAdmissionPolicy,
  ValidatingAdmissionPolicyBinding,
} from 'kubernetes-models/admissionregistration.k8s.io/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import {
  ConfigMap,
  Namespace,
  PersistentVolume,
  PersistentVolumeClaim,
  Secret,
  Service,
  ServiceAccount,
} from 'kubernetes-models/v1';

interface Model {
  validate(): void;
}

/**
 * The Prometheus Operator's PodMonitor is a CRD kubernetes-models does not carry: checked here
 * against the fields of its v1 schema this package uses (monitoring.coreos.com_podmonitors.yaml).
 */
class PodMonitorModel implements Model {
  constructor(private readonly data: Record<string, unknown>) {}
  validate(): void {
    const spec = this.data.spec as
      | {
          selector?: { matchLabels?: unknown };
          podMetricsEndpoints?: unknown;
          [k: string]: unknown;
        }
      | undefined;
    if (!spec) throw new Error('spec is required');
    const allowed = new Set(['selector', 'podMetricsEndpoints', 'namespaceSelector', 'jobLabel']);
    for (const key of Object.keys(spec))
      if (!allowed.has(key)) throw new Error(`spec.${key} is not a field this check knows`);
    if (typeof spec.selector?.matchLabels !== 'object')
      throw new Error('spec.selector.matchLabels is required');
    if (!Array.isArray(spec.podMetricsEndpoints) || spec.podMetricsEndpoints.length === 0)
      throw new Error('spec.podMetricsEndpoints needs an entry');
    for (const e of spec.podMetricsEndpoints as Record<string, unknown>[]) {
      if (typeof e.port !== 'string')
        throw new Error('podMetricsEndpoints[].port must be a port name');
      if (e.path !== undefined && (typeof e.path !== 'string' || !e.path.startsWith('/')))
        throw new Error('podMetricsEndpoints[].path must be an absolute path');
    }
  }
}

/** apiVersion/kind → the generated OpenAPI model. A kind missing here fails the test. */
const MODELS: Record<string, new (data: never) => Model> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/PersistentVolume': PersistentVolume,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'apps/v1/Deployment': Deployment,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'monitoring.coreos.com/v1/PodMonitor': PodMonitorModel,
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy': ValidatingAdmissionPolicy,
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding':
    ValidatingAdmissionPolicyBinding,
};

/** Validates every object against the Kubernetes OpenAPI schema; returns the problems. */
export function schemaProblems(objects: readonly KubeObject[]): string[] {
  const problems: string[] = [];
  for (const object of objects) {
    const id = `${object.apiVersion}/${object.kind}`;
    const Model = MODELS[id];
    if (!Model) {
      problems.push(`${id} ${object.metadata.name}: no schema model mapped`);
      continue;
    }
    try {
      new Model(object as never).validate();
    } catch (error) {
      problems.push(`${id} ${object.metadata.name}: ${(error as Error).message}`);
    }
  }
  return problems;
}
