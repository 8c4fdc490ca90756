import { xml } from './xml-escape.js';
/**
 * The broker's TLS identity for its `ssl://` and `stomp+ssl://` connectors: ActiveMQ's
 * `<sslContext>` (SpringSslContext: keyStore, keyStorePassword, keyStoreType, trustStore...).
 * Read once at broker start: a renewed certificate takes effect after a restart.
 */
export interface SslContextOptions {
  /** Path of the keystore file (PKCS12, as cert-manager's `keystores.pkcs12` writes `keystore.p12`). */
  readonly keyStorePath: string;
  /** The keystore password, or a `${NAME}` placeholder the broker resolves from its environment. */
  readonly keyStorePassword: string;
  /** @default 'PKCS12' */
  readonly keyStoreType?: 'PKCS12' | 'JKS';
}

export function renderSslContextXml(o: SslContextOptions): string {
  return `
    <!-- TLS for the ssl:// and stomp+ssl:// connectors; the keystore is read at start only. -->
    <sslContext>
      <sslContext keyStore="file:${xml(o.keyStorePath)}" keyStorePassword="${xml(o.keyStorePassword)}"
                  keyStoreType="${o.keyStoreType ?? 'PKCS12'}"/>
    </sslContext>
`;
}
