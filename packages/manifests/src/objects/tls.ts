import { usesTls } from '../broker/protocols.js';
import { NAMESPACE_PLACEHOLDER } from '../options.js';
import type { ResolvedBaseOptions } from '../resolve-options.js';
import type { GroupNames, Manifest } from './manifest.js';

/** Where the broker container finds its keystore, and the variable holding its password. */
export const TLS_PATHS = {
  dir: '/etc/activemq-ha/tls',
  keystore: '/etc/activemq-ha/tls/keystore.p12',
  passwordVariable: 'ACTIVEMQ_HA_KEYSTORE_PASSWORD',
} as const;

export interface TlsSettings {
  readonly secretName: string;
  readonly keystoreKey: string;
  readonly passwordSecret: { readonly name: string; readonly key: string };
}

/** The keystore's Secret and password with their defaults; undefined without a TLS protocol. */
export function tlsSettings(
  names: GroupNames,
  options: ResolvedBaseOptions,
): TlsSettings | undefined {
  if (!usesTls(options.protocols)) return undefined;
  const tls = options.tls;
  return {
    secretName: tls?.secretName ?? `${names.app}-tls`,
    keystoreKey: tls?.keystoreKey ?? 'keystore.p12',
    passwordSecret: tls?.passwordSecret ?? { name: `${names.app}-tls-password`, key: 'password' },
  };
}

/**
 * cert-manager's Certificate for the Service's names, with the PKCS12 keystore the broker reads
 * (`keystores.pkcs12`, profile Modern2023: AES-256 and PBKDF2, which Java 17's keystore reads).
 * The namespace in the names is the overlay's (kustomize replacements; `namespace` here only for
 * renderObjects). Only with `tls.certManager`.
 */
export function certificate(
  names: GroupNames,
  options: ResolvedBaseOptions,
  namespace = NAMESPACE_PLACEHOLDER,
): Manifest | undefined {
  const issuer = options.tls?.certManager;
  const settings = tlsSettings(names, options);
  if (!issuer || !settings) return undefined;
  const service = names.service;
  return {
    object: {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: names.certificate },
      spec: {
        secretName: settings.secretName,
        dnsNames: [
          service,
          `${service}.${namespace}.svc`,
          `${service}.${namespace}.svc.cluster.local`,
          ...issuer.dnsNames,
        ],
        issuerRef: { name: issuer.issuerName, kind: issuer.issuerKind, group: 'cert-manager.io' },
        privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
        keystores: {
          pkcs12: {
            create: true,
            profile: 'Modern2023',
            passwordSecretRef: settings.passwordSecret,
          },
        },
      },
    },
    comments: [
      {
        path: ['spec', 'keystores'],
        text: 'The broker reads keystore.p12 at start: after a renewal, restart the pods\n(kubectl rollout restart) to serve the new certificate.',
      },
    ],
  };
}
