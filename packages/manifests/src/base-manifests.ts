import { admissionPolicy, admissionPolicyBinding } from './objects/admission-policy.js';
import { deployment } from './objects/deployment.js';
import type { GroupNames, Manifest } from './objects/manifest.js';
import { NAME_LABEL } from './objects/manifest.js';
import { disruptionBudget, networkPolicy } from './objects/policies.js';
import { role, roleBinding, serviceAccount } from './objects/rbac.js';
import { clientService } from './objects/service.js';
import { nfsVolume, sharedClaim } from './objects/storage.js';
import { certificate } from './objects/tls.js';
import type { ResolvedBaseOptions } from './resolve-options.js';

/** One base object and the file it is written to. */
export interface BaseManifest extends Manifest {
  readonly file: string;
}

/** Every object of the base except the generated ConfigMap, in kustomization order. */
/** `namespace`: only for `renderObjects`, which computes what the overlay's replacements do. */
export function baseManifests(
  names: GroupNames,
  options: ResolvedBaseOptions,
  namespace?: string,
): BaseManifest[] {
  const entries: [string, Manifest | undefined][] = [
    ['serviceaccount.yaml', serviceAccount(names)],
    ['role.yaml', role(names, options)],
    ['rolebinding.yaml', roleBinding(names)],
    ['service.yaml', clientService(names, options)],
    ['persistentvolume.yaml', nfsVolume(names, options, namespace)],
    ['persistentvolumeclaim.yaml', sharedClaim(names, options, namespace)],
    // The Certificate is in the TLS Component or, for a TLS-only base, here.
    ['certificate.yaml', namespace === undefined ? certificate(names, options) : undefined],
    ['deployment.yaml', deployment(names, options)],
    ['poddisruptionbudget.yaml', disruptionBudget(names)],
    ['networkpolicy.yaml', networkPolicy(names, options)],
    ['admissionpolicy.yaml', admissionPolicy(names)],
    ['admissionpolicybinding.yaml', admissionPolicyBinding(names)],
  ];
  return entries.flatMap(([file, manifest]) => (manifest ? [{ ...manifest, file }] : []));
}

/**
 * The `app.kubernetes.io/*` labels kustomize's `labels` adds to every object and pod template.
 * Selectors are written explicitly instead (`includeSelectors` would also rewrite the
 * NetworkPolicy's client selector and make an overlay's labels change immutable selectors).
 */
export function commonLabels(names: GroupNames): Record<string, string> {
  return { [NAME_LABEL]: names.app, 'app.kubernetes.io/part-of': 'activemq-ha' };
}
