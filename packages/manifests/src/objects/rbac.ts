import type { ResolvedBaseOptions } from '../resolve-options.js';
import type { GroupNames, Manifest } from './manifest.js';

/** The agent's identity. Its token is only mounted into the broker pods. */
export function serviceAccount(names: GroupNames): Manifest {
  return {
    object: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: names.serviceAccount } },
  };
}

/**
 * Least privilege for the agent: read and label pods of its namespace, report Events, and only
 * with `agent.leases` touch Leases. Nothing cluster-wide, no secrets, no delete.
 */
export function role(names: GroupNames, options: ResolvedBaseOptions): Manifest {
  const rules: Record<string, unknown>[] = [
    { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'patch'] },
    { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create'] },
    { apiGroups: [''], resources: ['events'], verbs: ['create'] },
  ];
  if (options.agent.leases) {
    rules.push({
      apiGroups: ['coordination.k8s.io'],
      resources: ['leases'],
      verbs: ['get', 'create', 'update'],
    });
  }
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
        text: 'patch: the agent writes the leader label of its own pod and demotes stale leaders of its group.',
      },
      {
        path: ['rules', 1],
        text: 'Events for promotions and demotions; core events for older clusters.',
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
