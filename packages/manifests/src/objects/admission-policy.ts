import { type GroupNames, LEADER_LABEL, type Manifest, NAME_LABEL } from './manifest.js';

/** Annotations the agent writes on pods (leader-since, fenced-by, term, deletion cost). */
export const AGENT_ANNOTATION_PREFIX = 'activemq-ha.io/';

const policyName = (names: GroupNames) => `${names.app}-agent-pod-writes.activemq-ha.io`;

/**
 * RBAC cannot say "only this label": `patch pods` lets the holder of the agent's token rewrite any
 * pod of the namespace (images, commands) or label an arbitrary pod `leader=yes` to capture the
 * Service's traffic. This ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1, GA since
 * Kubernetes 1.30) narrows the agent's service account to what the agent does: on pods of its
 * group, change the leader label (to `yes` or `no`) and annotations under `activemq-ha.io/`,
 * nothing else. Cluster-scoped: installing it needs cluster-admin once; the CEL compares the
 * request's namespace, so the kustomize overlay's namespace needs no edit here. (kustomize 5.5
 * does not know the kind and stamps the overlay's namespace on it; the API server clears
 * metadata.namespace of cluster-scoped objects on create, so that is harmless.)
 */
export function admissionPolicy(names: GroupNames): Manifest {
  const user = `'system:serviceaccount:' + request.namespace + ':${names.serviceAccount}'`;
  const others = (field: 'labels' | 'annotations', keep: string) =>
    [
      `(has(object.metadata.${field}) ? object.metadata.${field} : {}).all(k, ${keep} ||`,
      `  (has(oldObject.metadata.${field}) && k in oldObject.metadata.${field} &&`,
      `   oldObject.metadata.${field}[k] == object.metadata.${field}[k])) &&`,
      `(has(oldObject.metadata.${field}) ? oldObject.metadata.${field} : {}).all(k, ${keep} ||`,
      `  (has(object.metadata.${field}) && k in object.metadata.${field}))`,
    ].join('\n');
  return {
    object: {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: policyName(names) },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [
            {
              apiGroups: [''],
              apiVersions: ['v1'],
              operations: ['UPDATE'],
              resources: ['pods'],
            },
          ],
        },
        matchConditions: [
          { name: 'agent-service-account', expression: `request.userInfo.username == ${user}` },
        ],
        validations: [
          {
            expression: `has(oldObject.metadata.labels) && '${NAME_LABEL}' in oldObject.metadata.labels && oldObject.metadata.labels['${NAME_LABEL}'] == '${names.app}'`,
            message: `the agent may only write pods of its group (${NAME_LABEL}=${names.app})`,
          },
          {
            expression: `object.spec == oldObject.spec`,
            message: 'the agent may not change a pod spec',
          },
          {
            expression: others('labels', `k == '${LEADER_LABEL}'`),
            message: `the agent may change only the ${LEADER_LABEL} label`,
          },
          {
            expression: `!has(object.metadata.labels) || !('${LEADER_LABEL}' in object.metadata.labels) || object.metadata.labels['${LEADER_LABEL}'] in ['yes', 'no']`,
            message: `${LEADER_LABEL} must be yes or no`,
          },
          {
            expression: others(
              'annotations',
              `k.startsWith('${AGENT_ANNOTATION_PREFIX}') || k == 'controller.kubernetes.io/pod-deletion-cost'`,
            ),
            message: `the agent may change only annotations under ${AGENT_ANNOTATION_PREFIX}`,
          },
        ],
      },
    },
    comments: [
      {
        path: ['spec', 'matchConditions'],
        text: "Only requests by the agent's service account are checked; everyone else is left to RBAC.",
      },
    ],
  };
}

export function admissionPolicyBinding(names: GroupNames): Manifest {
  return {
    object: {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: policyName(names) },
      spec: { policyName: policyName(names), validationActions: ['Deny'] },
    },
  };
}
