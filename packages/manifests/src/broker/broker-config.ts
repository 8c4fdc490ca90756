import { BROKER_PATHS, CREDENTIAL_KEYS } from '../objects/broker-container.js';
import { groupNames } from '../objects/manifest.js';
import { TLS_PATHS, tlsSettings } from '../objects/tls.js';
import { userPasswordKey } from '../options.js';
import type { ResolvedBaseOptions } from '../resolve-options.js';
import { quantityValue } from '../resources/quantity.js';
import { type ActivemqXmlOptions, renderActivemqXml } from './activemq-xml.js';
import {
  type BrokerConfigLayout,
  brokerConfigLayout,
  parseBrokerVersion,
} from './broker-version.js';
import { renderConsoleCredentials } from './console-credentials.js';
import { type JettyXmlOptions, renderJettyXml } from './jetty-xml.js';
import { renderJetty12Files } from './jetty12-xml.js';
import { JMX_EXPORTER_RULES } from './jmx-exporter-yaml.js';
import { usageLimitFor } from './system-usage-xml.js';

/**
 * The broker's configuration files, keyed by file name, as the ConfigMap carries them; which
 * files the console needs depends on the broker version (brokerConfigLayout). Passwords stay out:
 * activemq.xml and credentials.properties name environment variables the Secret fills in.
 */
export function renderBrokerConfig(options: ResolvedBaseOptions): Record<string, string> {
  const { broker, console } = options;
  const layout = brokerConfigLayout(parseBrokerVersion(broker.version));
  const brokerUser = {
    username: `\${${CREDENTIAL_KEYS.brokerUsername}}`,
    password: `\${${CREDENTIAL_KEYS.brokerPassword}}`,
  };
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
      ...brokerSecurity(options),
      webConsole: console.enabled,
      jmx: true,
      tmpDataDirectory: BROKER_PATHS.tempStore,
      systemUsage: {
        storeLimitBytes: usageLimitFor(quantityValue(options.storage.size)),
        tempLimitBytes: usageLimitFor(quantityValue(options.storage.tempSize)),
      },
      ...(broker.redelivery ? { redelivery: broker.redelivery } : {}),
      consoleImport: layout.consoleImport,
    }),
  };
  if (options.metrics.enabled) files['jmx-exporter.yaml'] = JMX_EXPORTER_RULES;
  if (console.enabled) {
    const jetty = {
      host: options.service.exposeConsole ? '0.0.0.0' : '127.0.0.1',
      port: console.port,
      realmFile: BROKER_PATHS.consoleRealm,
    };
    Object.assign(files, renderConsoleFiles(layout, jetty, brokerUser));
  }
  return files;
}

/**
 * The web console's files for a layout, keyed as `layout.consoleFiles` names them: the Jetty
 * config and the console's JMS login (`jmsUser`, the broker user it browses and purges as).
 */
export function renderConsoleFiles(
  layout: BrokerConfigLayout,
  jetty: JettyXmlOptions,
  jmsUser: { username: string; password: string },
): Record<string, string> {
  return {
    ...(layout.jetty === 'jetty12'
      ? renderJetty12Files(jetty)
      : { 'jetty.xml': renderJettyXml(jetty) }),
    'credentials.properties': renderConsoleCredentials(jmsUser),
  };
}

/**
 * Who may log in and do what, and the TLS keystore, as activemq.xml gets them: the overlay's
 * broker user and the `security.users`, their passwords as `${NAME}` placeholders the broker
 * resolves from its environment (the credentials Secret).
 */
export function brokerSecurity(
  options: ResolvedBaseOptions,
): Pick<ActivemqXmlOptions, 'users' | 'authorization' | 'tls'> {
  const { security } = options;
  const users = [
    {
      username: `\${${CREDENTIAL_KEYS.brokerUsername}}`,
      password: `\${${CREDENTIAL_KEYS.brokerPassword}}`,
      groups: security.brokerUserGroups.join(','),
    },
    ...security.users.map((u) => ({
      username: u.username,
      password: `\${${userPasswordKey(u.username)}}`,
      groups: u.groups.join(','),
    })),
  ];
  const tls = tlsSettings(groupNames(options.name), options)
    ? { keyStorePath: TLS_PATHS.keystore, keyStorePassword: `\${${TLS_PATHS.passwordVariable}}` }
    : undefined;
  return {
    users,
    ...(security.authorization ? { authorization: security.authorization } : {}),
    ...(tls ? { tls } : {}),
  };
}
