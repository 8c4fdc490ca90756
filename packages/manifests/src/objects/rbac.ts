import type { ResolvedBaseOptions } from '../resolve-options.js';
import type { GroupNames, Manifest } from './manifest.js';

/** The agent's identity. Its token is only mounted into the broker pods. */
export function serviceAccount(names: GroupNames): Manifest {
  return {
    object: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: names.serviceAccount } },
  };
}

/** The group's Lease, named by the agent's `--lease-name`. */
export const leaseName = (names: GroupNames) => `${names.app}-leader`;

/**
 * Least privilege for the agent: read pods of its namespace and patch them (the admission policy
 * narrows the patch to the leader label and the agent's annotations on its group's pods), create
 * events.k8s.io Events (the only Events API it calls) and patch their series (repeats counted on
 * one Event, as client-go does), and get/update only its group's Lease. A
 * Lease `create` cannot be limited by name in RBAC (the name is not known at authorization), so
 * it stays unrestricted. Nothing cluster-wide, no secrets, no delete.
 */
export function role(names: GroupNames, _options: ResolvedBaseOptions): Manifest {
  const rules: Record<string, unknown>[] = [
    { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'patch'] },
    { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
    {
      apiGroups: ['coordination.k8s.io'],
      resources: ['leases'],
      resourceNames: [leaseName(names)],
      verbs: ['get', 'update'],
    },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
  ];
  return {
    object: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: names.role },
      rules,
    },
    comments: [
      {
        path: ['rules', 0],
        text: 'patch: the leader label of its own pod and of stale leaders of its group; the\nValidatingAdmissionPolicy allows nothing else.',
      },
      {
        path: ['rules', 2],
        text: 'The Lease numbers leadership terms and exposes a split brain (two brokers serving).',
      },
    ],
  };
}

export function roleBinding(names: GroupNames): Manifest {
  return {
    object: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: names.roleBinding },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: names.role },
      subjects: [{ kind: 'ServiceAccount', name: names.serviceAccount }],
    },
    comments: [
      {
        path: ['subjects'],
        text: "No namespace here: kustomize's namespace transformer fills in the overlay's namespace\nfor a ServiceAccount defined in the same build.",
      },
    ],
  };
}
