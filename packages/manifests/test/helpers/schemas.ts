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

/**
 * cert-manager's Certificate (cert-manager.io/v1), also a CRD: checked against the fields of its
 * schema (cert-manager.io_certificates.yaml) this package uses.
 */
class CertificateModel implements Model {
  constructor(private readonly data: Record<string, unknown>) {}
  validate(): void {
    const spec = this.data.spec as Record<string, unknown> | undefined;
    if (!spec) throw new Error('spec is required');
    const allowed = new Set(['secretName', 'dnsNames', 'issuerRef', 'privateKey', 'keystores']);
    for (const key of Object.keys(spec))
      if (!allowed.has(key)) throw new Error(`spec.${key} is not a field this check knows`);
    if (typeof spec.secretName !== 'string') throw new Error('spec.secretName is required');
    const issuer = spec.issuerRef as { name?: unknown; kind?: unknown } | undefined;
    if (typeof issuer?.name !== 'string') throw new Error('spec.issuerRef.name is required');
    if (!['Issuer', 'ClusterIssuer'].includes(String(issuer.kind)))
      throw new Error('spec.issuerRef.kind must be Issuer or ClusterIssuer');
    const names = spec.dnsNames as unknown[];
    if (
      !Array.isArray(names) ||
      names.some((n) => typeof n !== 'string' || !/^[a-z0-9.*-]+$/.test(n))
    )
      throw new Error('spec.dnsNames must be DNS names');
    const key = spec.privateKey as { algorithm?: string; rotationPolicy?: string } | undefined;
    if (key && !['RSA', 'ECDSA', 'Ed25519'].includes(String(key.algorithm)))
      throw new Error('spec.privateKey.algorithm must be RSA, ECDSA or Ed25519');
    if (key?.rotationPolicy && !['Never', 'Always'].includes(key.rotationPolicy))
      throw new Error('spec.privateKey.rotationPolicy must be Never or Always');
    const pkcs12 = (spec.keystores as { pkcs12?: Record<string, unknown> } | undefined)?.pkcs12;
    if (pkcs12) {
      if (typeof pkcs12.create !== 'boolean')
        throw new Error('keystores.pkcs12.create is required');
      const ref = pkcs12.passwordSecretRef as { name?: unknown; key?: unknown } | undefined;
      if (typeof ref?.name !== 'string' || typeof ref.key !== 'string')
        throw new Error('keystores.pkcs12.passwordSecretRef needs name and key');
      if (!['LegacyRC2', 'LegacyDES', 'Modern2023'].includes(String(pkcs12.profile ?? 'LegacyRC2')))
        throw new Error('keystores.pkcs12.profile must be LegacyRC2, LegacyDES or Modern2023');
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
  'cert-manager.io/v1/Certificate': CertificateModel,
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
