import { BROKER_PATHS, CREDENTIAL_KEYS } from '../objects/broker-container.js';
import type { ResolvedBaseOptions } from '../resolve-options.js';
import { renderActivemqXml } from './activemq-xml.js';
import { brokerConfigLayout, parseBrokerVersion } from './broker-version.js';
import { renderJettyXml } from './jetty-xml.js';
import { renderJetty12Files } from './jetty12-xml.js';

/**
 * The broker's configuration files, keyed by file name, as the ConfigMap carries them. Passwords
 * stay out: activemq.xml names environment variables the Secret fills in.
 */
export function renderBrokerConfig(options: ResolvedBaseOptions): Record<string, string> {
  const { broker, console } = options;
  const layout = brokerConfigLayout(parseBrokerVersion(broker.version));
  const files: Record<string, string> = {
    'activemq.xml': renderActivemqXml({
      brokerName: options.name,
      dataDirectory: BROKER_PATHS.shared,
      lockAcquireSleepIntervalMs: broker.lockAcquireSleepIntervalMs,
      lockKeepAlivePeriodMs: broker.lockKeepAlivePeriodMs,
      transports: options.protocols.map((protocol) => ({ protocol })),
      maxConnections: broker.maxConnections,
      maxFrameSize: broker.maxFrameSize,
      users: [
        {
          username: `\${${CREDENTIAL_KEYS.brokerUsername}}`,
          password: `\${${CREDENTIAL_KEYS.brokerPassword}}`,
        },
      ],
      webConsole: console.enabled,
      consoleImport: layout.consoleImport,
    }),
  };
  if (console.enabled) {
    const jetty = {
      host: options.service.exposeConsole ? '0.0.0.0' : '127.0.0.1',
      port: console.port,
      realmFile: BROKER_PATHS.consoleRealm,
    };
    Object.assign(
      files,
      layout.jetty === 'jetty12'
        ? renderJetty12Files(jetty)
        : { 'jetty.xml': renderJettyXml(jetty) },
    );
  }
  return files;
}
