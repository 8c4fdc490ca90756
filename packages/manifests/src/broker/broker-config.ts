import { BROKER_PATHS, CREDENTIAL_KEYS } from '../objects/broker-container.js';
import type { ResolvedBaseOptions } from '../resolve-options.js';
import { quantityValue } from '../resources/quantity.js';
import { renderActivemqXml } from './activemq-xml.js';
import { renderJettyXml } from './jetty-xml.js';
import { JMX_EXPORTER_RULES } from './jmx-exporter-yaml.js';
import { usageLimitFor } from './system-usage-xml.js';

/**
 * The broker's configuration files, keyed by file name, as the ConfigMap carries them. Passwords
 * stay out: activemq.xml names environment variables the Secret fills in.
 */
export function renderBrokerConfig(options: ResolvedBaseOptions): Record<string, string> {
  const { broker, console } = options;
  const files: Record<string, string> = {
    'activemq.xml': renderActivemqXml({
      brokerName: options.name,
      dataDirectory: BROKER_PATHS.shared,
      takeover: broker.takeover,
      lockAcquireSleepIntervalMs: broker.lockAcquireSleepIntervalMs,
      lockKeepAlivePeriodMs: broker.lockKeepAlivePeriodMs,
      checkpointIntervalMs: broker.checkpointIntervalMs,
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
      jmx: true,
      tmpDataDirectory: BROKER_PATHS.tempStore,
      systemUsage: {
        storeLimitBytes: usageLimitFor(quantityValue(options.storage.size)),
        tempLimitBytes: usageLimitFor(quantityValue(options.storage.tempSize)),
      },
      ...(broker.redelivery ? { redelivery: broker.redelivery } : {}),
    }),
  };
  if (options.metrics.enabled) files['jmx-exporter.yaml'] = JMX_EXPORTER_RULES;
  if (console.enabled) {
    files['jetty.xml'] = renderJettyXml({
      host: options.service.exposeConsole ? '0.0.0.0' : '127.0.0.1',
      port: console.port,
      realmFile: BROKER_PATHS.consoleRealm,
    });
  }
  return files;
}
