import { NAMESPACE_PLACEHOLDER } from '../options.js';
import type { ResolvedBaseOptions } from '../resolve-options.js';
import type { GroupNames, Manifest } from './manifest.js';

/**
 * The shared store. Every broker mounts this one claim (ReadWriteMany); the Deployment refers to
 * it by the same name, and kustomize renames both together.
 */
export function sharedClaim(
  names: GroupNames,
  options: ResolvedBaseOptions,
  namespace = NAMESPACE_PLACEHOLDER,
): Manifest {
  const { nfs, storageClassName, size } = options.storage;
  const binding = nfs
    ? { storageClassName: '', volumeName: volumeName(names, namespace) }
    : storageClassName !== undefined
      ? { storageClassName }
      : {};
  return {
    object: {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: names.claim },
      spec: {
        accessModes: ['ReadWriteMany'],
        ...binding,
        resources: { requests: { storage: size } },
      },
    },
    comments: nfs
      ? [
          {
            path: ['spec', 'storageClassName'],
            text: 'Empty class and volumeName: bind to the generated NFS volume, never provision another.',
          },
        ]
      : [],
  };
}

/**
 * The cluster-scoped volume's name for a namespace: `<claim>.<namespace>`, so overlays of one
 * base in two namespaces do not collide. The base carries `NAMESPACE_PLACEHOLDER` (upper case, so
 * an API server refuses the base applied on its own); the overlay's replacements put the namespace
 * in, behind the last "." so that a `namePrefix` does not move it.
 */
export function volumeName(names: GroupNames, namespace = NAMESPACE_PLACEHOLDER): string {
  return `${names.volume}.${namespace}`;
}

/** Only with `storage.nfs`: a pre-provisioned NFS volume reserved for the shared claim. */
export function nfsVolume(
  names: GroupNames,
  options: ResolvedBaseOptions,
  namespace = NAMESPACE_PLACEHOLDER,
): Manifest | undefined {
  const { nfs, size } = options.storage;
  if (!nfs) return undefined;
  return {
    object: {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: volumeName(names, namespace) },
      spec: {
        capacity: { storage: size },
        accessModes: ['ReadWriteMany'],
        claimRef: { kind: 'PersistentVolumeClaim', namespace, name: names.claim },
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: '',
        mountOptions: [...nfs.mountOptions],
        nfs: { server: nfs.server, path: nfs.path },
      },
    },
    comments: [
      {
        path: ['spec', 'mountOptions'],
        text: "NFSv4.1: the store lock is an NFSv4 lock the server drops when its holder's lease\nexpires. After a node crash the lock stays held for the server's lease time (often 90 s)\nbefore a waiting broker can take over. NFSv3 locks never expire: refused unless forced.",
      },
      {
        path: ['spec', 'persistentVolumeReclaimPolicy'],
        text: 'Retain: deleting the claim never deletes the messages.',
      },
      {
        path: ['spec', 'claimRef'],
        text: 'Reserved for this one claim: no other claim with storageClassName "" can take it.',
      },
    ],
  };
}
