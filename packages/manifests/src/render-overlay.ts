import { COMPONENTS, type ComponentName } from './components.js';
import { CREDENTIAL_FILES, renderCredentialsEnv, renderJettyRealm } from './credentials.js';
import { type GroupNames, groupNames, toYaml } from './objects/manifest.js';
import { type OverlayOptions, userPasswordKey } from './options.js';
import { type FileTree, GENERATED_HEADER } from './render-base.js';
import { type ResolvedOverlayOptions, resolveOverlayOptions } from './resolve-options.js';

/** The Namespace an overlay creates: Pod Security "restricted" enforced, not just audited. */
export function namespaceObject(namespace: string) {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: namespace,
      labels: {
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
      },
    },
  } as const;
}

/**
 * Binds the base's NFS volume to this namespace: the namespace goes into the volume's name (after
 * its last ".") and claimRef, the claim's final name (after any namePrefix) into claimRef, and the
 * claim's volumeName follows. kustomize's own name references cover neither field.
 */
function volumeReplacements(names: GroupNames) {
  const claim = { kind: 'PersistentVolumeClaim', name: names.claim };
  const volume = { kind: 'PersistentVolume' };
  const afterLastDot = { delimiter: '.', index: 1 };
  return [
    {
      source: { ...claim, fieldPath: 'metadata.namespace' },
      targets: [
        { select: volume, fieldPaths: ['metadata.name'], options: afterLastDot },
        { select: volume, fieldPaths: ['spec.claimRef.namespace'] },
      ],
    },
    {
      source: { ...claim, fieldPath: 'metadata.name' },
      targets: [{ select: volume, fieldPaths: ['spec.claimRef.name'] }],
    },
    // Copied, not edited in place: kustomize's name references would not follow an edit.
    {
      source: { ...volume, fieldPath: 'metadata.name' },
      targets: [{ select: claim, fieldPaths: ['spec.volumeName'] }],
    },
  ];
}

/** The Certificate's `<service>.NAMESPACE.svc[.cluster.local]` names get the overlay's namespace. */
function certificateReplacements(names: GroupNames) {
  return [
    {
      source: { kind: 'Service', name: names.service, fieldPath: 'metadata.namespace' },
      targets: [
        {
          select: { kind: 'Certificate', name: names.certificate },
          fieldPaths: ['spec.dnsNames.1', 'spec.dnsNames.2'],
          options: { delimiter: '.', index: 1 },
        },
      ],
    },
  ];
}

/** Secret contents by key, as the secretGenerator builds them; undefined with `existingSecret`. */
export function credentialSecretData(
  o: ResolvedOverlayOptions,
): Record<string, string> | undefined {
  const { credentials: c } = o;
  if (c.existingSecret || c.brokerPassword === undefined) return undefined;
  const data: Record<string, string> = {
    ACTIVEMQ_USERNAME: c.brokerUsername,
    ACTIVEMQ_PASSWORD: c.brokerPassword,
  };
  for (const [user, password] of Object.entries(c.userPasswords))
    data[userPasswordKey(user)] = password;
  if (o.console.enabled && c.consolePassword !== undefined) {
    data['jetty-realm.properties'] = renderJettyRealm(c.consoleUsername, c.consolePassword);
  }
  return data;
}

/**
 * An overlay of the base for one namespace, with the credentials Secret (or, with
 * `existingSecret`, none: then it holds no password and builds from a fresh clone). Holds
 * passwords otherwise, so it is as deterministic as its options: the CLI passes generated ones.
 * @throws ManifestsError `INVALID_OPTION` naming the bad field.
 */
export function renderOverlay(options: OverlayOptions): FileTree {
  const o = resolveOverlayOptions(options);
  const names = groupNames(o.name);
  const secret = credentialSecretData(o);
  const files: Record<string, string> = {};
  if (secret) {
    files['credentials.env'] = renderCredentialsEnv(
      secret.ACTIVEMQ_USERNAME as string,
      secret.ACTIVEMQ_PASSWORD as string,
      o.credentials.userPasswords,
    );
    const realm = secret['jetty-realm.properties'];
    if (realm !== undefined) files['jetty-realm.properties'] = realm;
  }
  const secretFiles = 'jetty-realm.properties' in files ? ['jetty-realm.properties'] : [];
  const inBuild = o.createNamespace && o.namespaceInBuild;
  const components = (Object.keys(COMPONENTS) as ComponentName[]).filter((c) => o[c]);
  const kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    namespace: o.namespace,
    resources: [o.basePath, ...(inBuild ? ['namespace.yaml'] : [])],
    ...(components.length > 0
      ? { components: components.map((c) => `${o.basePath}/${COMPONENTS[c]}`) }
      : {}),
    ...(o.nfsVolume || o.certificate
      ? {
          replacements: [
            ...(o.nfsVolume ? volumeReplacements(names) : []),
            ...(o.certificate ? certificateReplacements(names) : []),
          ],
        }
      : {}),
    ...(secret
      ? {
          secretGenerator: [
            {
              name: names.credentials,
              type: 'Opaque',
              envs: ['credentials.env'],
              ...(secretFiles.length > 0 ? { files: secretFiles } : {}),
            },
          ],
        }
      : {}),
  };
  files['kustomization.yaml'] = `# ${GENERATED_HEADER}\n${toYaml(kustomization)}`;
  const namespaceYaml = `# ${GENERATED_HEADER}\n${toYaml(namespaceObject(o.namespace))}`;
  if (inBuild) files['namespace.yaml'] = namespaceYaml;
  else if (o.createNamespace) {
    // Its own kustomization: `kubectl delete -k <overlay>` then leaves the namespace (and
    // anything else in it) alone.
    files['namespace/namespace.yaml'] = namespaceYaml;
    files['namespace/kustomization.yaml'] =
      `# ${GENERATED_HEADER}\n# Apply once before the overlay: kubectl apply -k <overlay>/namespace\n${toYaml(
        {
          apiVersion: 'kustomize.config.k8s.io/v1beta1',
          kind: 'Kustomization',
          resources: ['namespace.yaml'],
        },
      )}`;
  }
  if (secret)
    files['.gitignore'] =
      `# Passwords: keep them out of version control (use a secret manager or sealed secrets).\n${CREDENTIAL_FILES.join('\n')}\n`;
  return files;
}
