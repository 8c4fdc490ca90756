import { CREDENTIAL_FILES, renderCredentialsEnv, renderJettyRealm } from './credentials.js';
import { groupNames, toYaml } from './objects/manifest.js';
import type { OverlayOptions } from './options.js';
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

/** Secret contents by key, as the secretGenerator builds them. */
export function credentialSecretData(o: ResolvedOverlayOptions): Record<string, string> {
  const { credentials: c } = o;
  const data: Record<string, string> = {
    ACTIVEMQ_USERNAME: c.brokerUsername,
    ACTIVEMQ_PASSWORD: c.brokerPassword,
  };
  if (o.console.enabled && c.consolePassword !== undefined) {
    data['jetty-realm.properties'] = renderJettyRealm(c.consoleUsername, c.consolePassword);
  }
  return data;
}

/**
 * An overlay of the base for one namespace, with the credentials Secret. Holds passwords, so it
 * is as deterministic as its options: the CLI passes generated ones.
 * @throws ManifestsError `INVALID_OPTION` naming the bad field.
 */
export function renderOverlay(options: OverlayOptions): FileTree {
  const o = resolveOverlayOptions(options);
  const names = groupNames(o.name);
  const { credentials: c } = o;
  const files: Record<string, string> = {
    'credentials.env': renderCredentialsEnv(c.brokerUsername, c.brokerPassword),
  };
  const secretFiles: string[] = [];
  if (o.console.enabled && c.consolePassword !== undefined) {
    files['jetty-realm.properties'] = renderJettyRealm(c.consoleUsername, c.consolePassword);
    secretFiles.push('jetty-realm.properties');
  }
  const kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    namespace: o.namespace,
    resources: [o.basePath, ...(o.createNamespace ? ['namespace.yaml'] : [])],
    secretGenerator: [
      {
        name: names.credentials,
        type: 'Opaque',
        envs: ['credentials.env'],
        ...(secretFiles.length > 0 ? { files: secretFiles } : {}),
      },
    ],
  };
  files['kustomization.yaml'] = `# ${GENERATED_HEADER}\n${toYaml(kustomization)}`;
  if (o.createNamespace) {
    files['namespace.yaml'] = `# ${GENERATED_HEADER}\n${toYaml(namespaceObject(o.namespace))}`;
  }
  files['.gitignore'] =
    `# Passwords: keep them out of version control (use a secret manager or sealed secrets).\n${CREDENTIAL_FILES.join('\n')}\n`;
  return files;
}
