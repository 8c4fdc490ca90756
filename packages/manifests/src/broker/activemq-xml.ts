import { invalidOption } from '../errors.js';
import { BROKER_PROTOCOLS, type BrokerProtocol, isBrokerProtocol } from './protocols.js';

export interface TransportConnectorOptions {
  readonly protocol: BrokerProtocol;
  /** @default the protocol's well-known port (61616 openwire, 61613 stomp, ...) */
  readonly port?: number;
}

export interface BrokerUser {
  readonly username: string;
  /**
   * Literal password, or a Spring placeholder such as `${ACTIVEMQ_PASSWORD}` that the broker
   * resolves from its environment (how the manifests keep passwords out of the ConfigMap).
   */
  readonly password: string;
  /** @default 'users' */
  readonly groups?: string;
}

export interface ActivemqXmlOptions {
  /** @default 'activemq' */
  readonly brokerName?: string;
  /** Shared directory holding KahaDB and its lock file; every broker of a group must see the same one. */
  readonly dataDirectory: string;
  /**
   * How often a waiting broker retries the store lock. ActiveMQ's default (10 000 ms) adds up to
   * ten seconds to every takeover.
   * @default 1000
   */
  readonly lockAcquireSleepIntervalMs?: number;
  /**
   * How often the active broker re-checks that it still holds the lock. Must be above 0 (with 0 a
   * lock taken from under the broker goes unnoticed and two masters corrupt the store) and below
   * the acquire interval. A broker that wins the lock also waits one period before serving, so it
   * is part of every takeover.
   * @default 500
   */
  readonly lockKeepAlivePeriodMs?: number;
  /** @default [{ protocol: 'openwire' }, { protocol: 'stomp' }] */
  readonly transports?: readonly TransportConnectorOptions[];
  /** Address the connectors bind to. @default '0.0.0.0' */
  readonly bindAddress?: string;
  /** Per-connector connection limit. @default 1000 */
  readonly maxConnections?: number;
  /** Largest accepted frame in bytes. @default 104857600 (100 MiB) */
  readonly maxFrameSize?: number;
  /** When set, clients must authenticate (simple authentication plugin). */
  readonly users?: readonly BrokerUser[];
  /** Import the web console's config from the broker's conf directory. @default false */
  readonly webConsole?: boolean;
  /**
   * What starts the console: `jetty.xml` (Jetty 9/11, up to 6.2) or `jetty-spring.xml` (Jetty 12,
   * 6.3+); brokerConfigLayout says which a version needs.
   * @default 'jetty.xml'
   */
  readonly consoleImport?: 'jetty.xml' | 'jetty-spring.xml';
}

export const DEFAULT_LOCK_ACQUIRE_SLEEP_INTERVAL_MS = 1000;
export const DEFAULT_LOCK_KEEP_ALIVE_PERIOD_MS = 500;

const DEFAULT_TRANSPORTS: readonly TransportConnectorOptions[] = [
  { protocol: 'openwire' },
  { protocol: 'stomp' },
];

/** The resolved port of each transport, in the order given. */
export function transportPorts(
  transports: readonly TransportConnectorOptions[] = DEFAULT_TRANSPORTS,
): Record<BrokerProtocol, number | undefined> {
  const ports = {} as Record<BrokerProtocol, number | undefined>;
  for (const t of transports) ports[t.protocol] = t.port ?? BROKER_PROTOCOLS[t.protocol].port;
  return ports;
}

/**
 * Renders `activemq.xml` for a shared file system master/slave group. The single template both
 * the test broker groups and the Kubernetes manifests use, so what is tested is what is deployed.
 */
export function renderActivemqXml(options: ActivemqXmlOptions): string {
  const acquire = options.lockAcquireSleepIntervalMs ?? DEFAULT_LOCK_ACQUIRE_SLEEP_INTERVAL_MS;
  const keepAlive = options.lockKeepAlivePeriodMs ?? DEFAULT_LOCK_KEEP_ALIVE_PERIOD_MS;
  const transports = options.transports ?? DEFAULT_TRANSPORTS;
  const maxConnections = options.maxConnections ?? 1000;
  const maxFrameSize = options.maxFrameSize ?? 104_857_600;
  const brokerName = options.brokerName ?? 'activemq';

  positiveInteger('lockAcquireSleepIntervalMs', acquire);
  positiveInteger('lockKeepAlivePeriodMs', keepAlive);
  if (keepAlive >= acquire) {
    throw invalidOption(
      'lockKeepAlivePeriodMs',
      `must be below lockAcquireSleepIntervalMs (${acquire}), got ${keepAlive}; a keep-alive of at least the acquire interval lets a slave take a lock the master still believes it holds`,
    );
  }
  positiveInteger('maxConnections', maxConnections);
  positiveInteger('maxFrameSize', maxFrameSize);
  if (!options.dataDirectory) throw invalidOption('dataDirectory', 'must be a non-empty path');
  if (!/^[A-Za-z0-9._-]+$/.test(brokerName)) {
    throw invalidOption('brokerName', `must match [A-Za-z0-9._-]+, got "${brokerName}"`);
  }
  if (transports.length === 0) throw invalidOption('transports', 'needs at least one protocol');
  const seen = new Set<string>();
  transports.forEach((t, i) => {
    if (!isBrokerProtocol(t.protocol)) {
      throw invalidOption(
        `transports[${i}].protocol`,
        `unknown protocol "${String(t.protocol)}"; use one of ${Object.keys(BROKER_PROTOCOLS).join(', ')}`,
      );
    }
    if (seen.has(t.protocol))
      throw invalidOption(`transports[${i}].protocol`, `"${t.protocol}" listed twice`);
    seen.add(t.protocol);
    if (t.port !== undefined) port(`transports[${i}].port`, t.port);
  });

  const host = options.bindAddress ?? '0.0.0.0';
  const connectors = transports
    .map((t) => {
      const { scheme, port: wellKnown } = BROKER_PROTOCOLS[t.protocol];
      const query = [
        `maximumConnections=${maxConnections}`,
        `wireFormat.maxFrameSize=${maxFrameSize}`,
      ];
      const uri = `${scheme}://${host}:${t.port ?? wellKnown}?${query.join('&')}`;
      return `      <transportConnector name="${t.protocol}" uri="${xml(uri)}"/>`;
    })
    .join('\n');

  const plugins = options.users?.length
    ? `
    <plugins>
      <simpleAuthenticationPlugin anonymousAccessAllowed="false">
        <users>
${options.users
  .map(
    (u) =>
      `          <authenticationUser username="${xml(u.username)}" password="${xml(u.password)}" groups="${xml(u.groups ?? 'users')}"/>`,
  )
  .join('\n')}
        </users>
      </simpleAuthenticationPlugin>
    </plugins>
`
    : '';

  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Rendered by @activemq-ha/manifests: shared file system master/slave. Edit the options, not this file. -->
<beans xmlns="http://www.springframework.org/schema/beans"
       xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
       xsi:schemaLocation="http://www.springframework.org/schema/beans http://www.springframework.org/schema/beans/spring-beans.xsd
                           http://activemq.apache.org/schema/core http://activemq.apache.org/schema/core/activemq-core.xsd">

  <!-- Resolves \${NAME} from the environment, so secrets stay out of this file. -->
  <bean class="org.springframework.beans.factory.config.PropertyPlaceholderConfigurer">
    <property name="systemPropertiesModeName" value="SYSTEM_PROPERTIES_MODE_OVERRIDE"/>
    <property name="searchSystemEnvironment" value="true"/>
    <property name="ignoreUnresolvablePlaceholders" value="false"/>
  </bean>

  <broker xmlns="http://activemq.apache.org/schema/core" brokerName="${brokerName}"
          dataDirectory="${xml(options.dataDirectory)}" useJmx="true" schedulerSupport="false"
          persistent="true">
    <!-- JMX in-process only (no RMI connector, no port): the web console reads the broker
         through it; with useJmx="false" its queue and topic lists stay empty. -->
    <managementContext>
      <managementContext createConnector="false"/>
    </managementContext>
    <persistenceAdapter>
      <!-- lockKeepAlivePeriod > 0: a master notices a lost lock and stops instead of corrupting the store. -->
      <kahaDB directory="${xml(options.dataDirectory)}/kahadb" lockKeepAlivePeriod="${keepAlive}">
        <locker>
          <shared-file-locker lockAcquireSleepInterval="${acquire}"/>
        </locker>
      </kahaDB>
    </persistenceAdapter>
${plugins}
    <transportConnectors>
${connectors}
    </transportConnectors>

    <shutdownHooks>
      <bean xmlns="http://www.springframework.org/schema/beans" class="org.apache.activemq.hooks.SpringContextHook"/>
    </shutdownHooks>
  </broker>
${options.webConsole ? `\n  <import resource="${options.consoleImport ?? 'jetty.xml'}"/>\n` : ''}</beans>
`;
}

function positiveInteger(field: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw invalidOption(field, `must be a positive integer, got ${value}`);
  }
}

function port(field: string, value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw invalidOption(field, `must be a port between 1 and 65535, got ${value}`);
  }
}

function xml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('"', '&quot;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;');
}
