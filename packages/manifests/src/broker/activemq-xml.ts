import { invalidOption } from '../errors.js';
import { type AuthorizationEntry, renderAuthorizationPluginXml } from './authorization-xml.js';
import { BROKER_PROTOCOLS, type BrokerProtocol, isBrokerProtocol, usesTls } from './protocols.js';
import {
  type RedeliveryOptions,
  renderDeadLetterPolicyXml,
  renderRedeliveryPluginXml,
} from './redelivery-xml.js';
import { renderSslContextXml, type SslContextOptions } from './ssl-context-xml.js';
import { renderSystemUsageXml, type SystemUsageOptions } from './system-usage-xml.js';
import {
  DEFAULT_TAKEOVER_PROFILE,
  isTakeoverProfile,
  TAKEOVER_PROFILE_NAMES,
  TAKEOVER_PROFILES,
  type TakeoverProfile,
} from './takeover-profiles.js';
import { xml } from './xml-escape.js';

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
  /** Comma-separated groups, as `authorization` names them. @default 'users' */
  readonly groups?: string;
}

export interface ActivemqXmlOptions {
  /** @default 'activemq' */
  readonly brokerName?: string;
  /** Shared directory holding KahaDB and its lock file; every broker of a group must see the same one. */
  readonly dataDirectory: string;
  /**
   * Preset of the lock and checkpoint settings below (see `TAKEOVER_PROFILES`); each explicit
   * setting overrides its value.
   * @default 'fast'
   */
  readonly takeover?: TakeoverProfile;
  /**
   * How often a waiting broker retries the store lock. ActiveMQ's default (10 000 ms) adds up to
   * ten seconds to every takeover; on NFS each attempt is a LOCK call.
   * @default the takeover profile's (fast: 100)
   */
  readonly lockAcquireSleepIntervalMs?: number;
  /**
   * How often the active broker re-checks that it still holds the lock. Must be above 0 (with 0 a
   * lock taken from under the broker goes unnoticed and two masters corrupt the store) and below
   * the acquire interval. A broker that wins the lock also waits one period before serving, so it
   * is part of every takeover.
   * @default the takeover profile's (fast: 50)
   */
  readonly lockKeepAlivePeriodMs?: number;
  /**
   * KahaDB `checkpointInterval`: a new master replays the journal written since the last index
   * checkpoint, so this bounds the replay (ActiveMQ's default is 5000 ms).
   * @default the takeover profile's (fast: 250)
   */
  readonly checkpointIntervalMs?: number;
  /** Further KahaDB attributes, rendered only when set (ActiveMQ's defaults otherwise). */
  readonly kahaDb?: KahaDbTuning;
  /** @default [{ protocol: 'openwire' }, { protocol: 'stomp' }] */
  readonly transports?: readonly TransportConnectorOptions[];
  /** Address the connectors bind to. @default '0.0.0.0' */
  readonly bindAddress?: string;
  /** Per-connector connection limit. @default 1000 */
  readonly maxConnections?: number;
  /** Largest accepted frame in bytes (ActiveMQ 6.3's default; older lines allowed 100 MiB). @default 10485760 (10 MiB) */
  readonly maxFrameSize?: number;
  /** When set, clients must authenticate (simple authentication plugin). */
  readonly users?: readonly BrokerUser[];
  /**
   * Per-destination rules (needs `users`); the advisory topics and temporary destinations are
   * added for every group of `users`. Without it every authenticated user may do everything.
   */
  readonly authorization?: readonly AuthorizationEntry[];
  /** The keystore of the `-tls` connectors; required when one is listed in `transports`. */
  readonly tls?: SslContextOptions;
  /** Import the web console's config from the broker's conf directory. @default false */
  readonly webConsole?: boolean;
  /**
   * Register the broker's MBeans (the web console and JMX metrics read them), without a remote
   * JMX connector. @default the value of `webConsole`
   */
  readonly jmx?: boolean;
  /** Memory, store and temp limits; omitted: ActiveMQ's defaults (100 GB store, 50 GB temp). */
  readonly systemUsage?: SystemUsageOptions;
  /** Where non-persistent messages spill to disk. @default ActiveMQ's `<dataDirectory>/<brokerName>/tmp_storage` */
  readonly tmpDataDirectory?: string;
  /** Delayed broker-side redelivery and per-destination dead-letter queues. @default off */
  readonly redelivery?: RedeliveryOptions;
  /**
   * What starts the console: `jetty.xml` (Jetty 9/11, up to 6.2) or `jetty-spring.xml` (Jetty 12,
   * 6.3+); brokerConfigLayout says which a version needs.
   * @default 'jetty.xml'
   */
  readonly consoleImport?: 'jetty.xml' | 'jetty-spring.xml';
}

/** ActiveMQ 6.3 lowered `wireFormat.maxFrameSize` to this; a client frame above it is refused. */
export const DEFAULT_MAX_FRAME_SIZE = 10 * 1024 * 1024;

/**
 * KahaDB attributes measured for the takeover (docs/benchmarks.md, "Takeover tuning"); none is
 * set by default because none shortened it. Names and meanings as in ActiveMQ's MessageDatabase.
 */
export interface KahaDbTuning {
  /** `cleanupInterval`: journal GC; a cleanup also checkpoints. ActiveMQ's default 30 000. */
  readonly cleanupIntervalMs?: number;
  /** `indexWriteBatchSize`: dirty index pages written in one batch. ActiveMQ's default 1000. */
  readonly indexWriteBatchSize?: number;
  /** `enableIndexWriteAsync`: index pages written by a background thread. ActiveMQ's default false. */
  readonly enableIndexWriteAsync?: boolean;
  /** `preallocationStrategy`: sparse_file (ActiveMQ's default), os_kernel_copy, zeros, chunked_zeros. */
  readonly preallocationStrategy?: 'sparse_file' | 'os_kernel_copy' | 'zeros' | 'chunked_zeros';
  /** `preallocationScope`: entire_journal (ActiveMQ's default), entire_journal_async, none. */
  readonly preallocationScope?: 'entire_journal' | 'entire_journal_async' | 'none';
  /** `journalMaxFileLength` in bytes. ActiveMQ's default 33554432 (32 MiB). */
  readonly journalMaxFileLength?: number;
}

export const DEFAULT_LOCK_ACQUIRE_SLEEP_INTERVAL_MS =
  TAKEOVER_PROFILES[DEFAULT_TAKEOVER_PROFILE].lockAcquireSleepIntervalMs;
export const DEFAULT_LOCK_KEEP_ALIVE_PERIOD_MS =
  TAKEOVER_PROFILES[DEFAULT_TAKEOVER_PROFILE].lockKeepAlivePeriodMs;

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
  const profileName = options.takeover ?? DEFAULT_TAKEOVER_PROFILE;
  if (!isTakeoverProfile(profileName)) {
    throw invalidOption(
      'takeover',
      `unknown profile "${String(profileName)}"; use one of ${TAKEOVER_PROFILE_NAMES.join(', ')}`,
    );
  }
  const profile = TAKEOVER_PROFILES[profileName];
  const acquire = options.lockAcquireSleepIntervalMs ?? profile.lockAcquireSleepIntervalMs;
  const keepAlive = options.lockKeepAlivePeriodMs ?? profile.lockKeepAlivePeriodMs;
  const checkpoint = options.checkpointIntervalMs ?? profile.checkpointIntervalMs;
  const transports = options.transports ?? DEFAULT_TRANSPORTS;
  const maxConnections = options.maxConnections ?? 1000;
  const maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
  const brokerName = options.brokerName ?? 'activemq';

  positiveInteger('lockAcquireSleepIntervalMs', acquire);
  positiveInteger('lockKeepAlivePeriodMs', keepAlive);
  if (keepAlive >= acquire) {
    throw invalidOption(
      'lockKeepAlivePeriodMs',
      `must be below lockAcquireSleepIntervalMs (${acquire}), got ${keepAlive}; a keep-alive of at least the acquire interval lets a slave take a lock the master still believes it holds`,
    );
  }
  positiveInteger('checkpointIntervalMs', checkpoint);
  const kahaDbAttributes = kahaDbTuningAttributes(options.kahaDb ?? {});
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

  if (usesTls(transports.map((t) => t.protocol)) && !options.tls) {
    throw invalidOption(
      'tls',
      'is required by the ssl:// and stomp+ssl:// connectors (a keystore)',
    );
  }
  if (options.authorization && !options.users?.length) {
    throw invalidOption('authorization', 'needs users: the rules name their groups');
  }
  options.authorization?.forEach((e, i) => {
    if ((e.queue === undefined) === (e.topic === undefined))
      throw invalidOption(`authorization[${i}]`, 'names exactly one of queue and topic');
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

  const authentication = options.users?.length
    ? `      <simpleAuthenticationPlugin anonymousAccessAllowed="false">
        <users>
${options.users
  .map(
    (u) =>
      `          <authenticationUser username="${xml(u.username)}" password="${xml(u.password)}" groups="${xml(u.groups ?? 'users')}"/>`,
  )
  .join('\n')}
        </users>
      </simpleAuthenticationPlugin>`
    : undefined;
  const groups = [
    ...new Set((options.users ?? []).flatMap((u) => (u.groups ?? 'users').split(','))),
  ];
  const pluginList = [
    authentication,
    options.authorization ? renderAuthorizationPluginXml(options.authorization, groups) : undefined,
    options.redelivery ? renderRedeliveryPluginXml(options.redelivery) : undefined,
  ].filter((p) => p !== undefined);
  const plugins = pluginList.length
    ? `\n    <plugins>\n${pluginList.join('\n')}\n    </plugins>\n`
    : '';
  const jmx = options.jmx ?? options.webConsole ?? false;
  const management = jmx
    ? `
    <!-- MBeans for the web console and metrics, but no remote JMX port. -->
    <managementContext>
      <managementContext createConnector="false"/>
    </managementContext>
`
    : '';
  const usage = options.systemUsage ? renderSystemUsageXml(options.systemUsage) : '';
  const ssl = options.tls ? renderSslContextXml(options.tls) : '';
  const deadLetters = options.redelivery ? renderDeadLetterPolicyXml(options.redelivery) : '';
  const tmp = options.tmpDataDirectory
    ? ` tmpDataDirectory="${xml(options.tmpDataDirectory)}"`
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
          dataDirectory="${xml(options.dataDirectory)}"${tmp} useJmx="${jmx}" schedulerSupport="${options.redelivery !== undefined}"
          persistent="true">
${management}${ssl}${deadLetters}
    <persistenceAdapter>
      <!-- lockKeepAlivePeriod > 0: a master notices a lost lock and stops instead of corrupting the store.
           checkpointInterval bounds the journal a new master replays. Takeover profile: ${profileName}. -->
      <kahaDB directory="${xml(options.dataDirectory)}/kahadb" lockKeepAlivePeriod="${keepAlive}"
              checkpointInterval="${checkpoint}"${kahaDbAttributes}>
        <locker>
          <shared-file-locker lockAcquireSleepInterval="${acquire}"/>
        </locker>
      </kahaDB>
    </persistenceAdapter>
${plugins}${usage}
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

function kahaDbTuningAttributes(t: KahaDbTuning): string {
  const attributes: [string, string | number | boolean | undefined][] = [
    ['cleanupInterval', t.cleanupIntervalMs],
    ['indexWriteBatchSize', t.indexWriteBatchSize],
    ['enableIndexWriteAsync', t.enableIndexWriteAsync],
    ['preallocationStrategy', t.preallocationStrategy],
    ['preallocationScope', t.preallocationScope],
    ['journalMaxFileLength', t.journalMaxFileLength],
  ];
  for (const [name, value] of attributes) {
    if (typeof value === 'number') positiveInteger(`kahaDb.${name}`, value);
  }
  return attributes
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => ` ${name}="${xml(String(value))}"`)
    .join('');
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
