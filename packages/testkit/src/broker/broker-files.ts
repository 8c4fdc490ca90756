import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  type ActivemqXmlOptions,
  type BrokerProtocol,
  type BrokerUser,
  brokerConfigLayout,
  parseBrokerVersion,
  renderActivemqXml,
  renderConsoleFiles,
} from '@activemq-ha/manifests';

/** Where one broker of a group keeps its files. Everything but `sharedDataDir` is its own. */
export interface BrokerPaths {
  /** `activemq.base`; holds everything below. */
  readonly dir: string;
  /** `activemq.conf`: the rendered activemq.xml and the logging configs. */
  readonly confDir: string;
  readonly configFile: string;
  /** `activemq.data`: per-broker scratch; the store itself is in the shared directory. */
  readonly dataDir: string;
  /** `java.io.tmpdir`, so nothing lands in the machine's /tmp. */
  readonly tmpDir: string;
  /** The broker's own log (log4j), appended across restarts. */
  readonly logFile: string;
  /** The JVM's stdout and stderr: the launcher banner, and errors printed before logging is up. */
  readonly consoleFile: string;
  /** KahaDB and its lock live below this, the same directory for every broker of the group. */
  readonly sharedDataDir: string;
  /** The web console's users (`name: password, admin`), when it runs. */
  readonly consoleRealmFile: string;
}

/** The web console of one broker: rendered by the manifests for the broker's version. */
export interface BrokerConsoleFiles {
  readonly port: number;
  readonly users: readonly Pick<BrokerUser, 'username' | 'password'>[];
  /** The broker release, which decides the Jetty layout (brokerConfigLayout). */
  readonly brokerVersion: string;
}

export function brokerPaths(groupDir: string, id: string): BrokerPaths {
  const dir = join(groupDir, id);
  const confDir = join(dir, 'conf');
  return {
    dir,
    confDir,
    configFile: join(confDir, 'activemq.xml'),
    dataDir: join(dir, 'data'),
    tmpDir: join(dir, 'tmp'),
    logFile: join(dir, 'activemq.log'),
    consoleFile: join(dir, 'console.log'),
    sharedDataDir: join(groupDir, 'shared'),
    consoleRealmFile: join(confDir, 'jetty-realm.properties'),
  };
}

export interface BrokerLogging {
  /**
   * Log every failed lock attempt (SharedFileLocker at DEBUG, one line per attempt per waiting
   * broker), so a takeover breakdown can tell when the lock was taken. @default false
   */
  readonly lockRetries?: boolean;
}

/**
 * Writes a broker's activemq.xml (from the one template the Kubernetes manifests also use) and
 * logging configs for both log frameworks ActiveMQ 5.17 ships with: Apache's tarball logs through
 * log4j2, Debian's package through log4j 1.2. Each JVM reads only the one it has.
 */
export async function writeBrokerFiles(
  paths: BrokerPaths,
  xml: Omit<ActivemqXmlOptions, 'dataDirectory' | 'transports' | 'bindAddress'>,
  host: string,
  ports: Readonly<Partial<Record<BrokerProtocol, number>>>,
  logging: BrokerLogging = {},
  console?: BrokerConsoleFiles,
): Promise<void> {
  const layout = console && brokerConfigLayout(parseBrokerVersion(console.brokerVersion));
  const transports = Object.entries(ports).map(([protocol, port]) => ({
    protocol: protocol as BrokerProtocol,
    port,
  }));
  const config = renderActivemqXml({
    ...xml,
    dataDirectory: paths.sharedDataDir,
    bindAddress: host,
    transports,
    webConsole: console !== undefined,
    ...(layout ? { consoleImport: layout.consoleImport } : {}),
  });
  const consoleFiles: Record<string, string> = {};
  if (console && layout) {
    const jetty = { host, port: console.port, realmFile: paths.consoleRealmFile };
    // The console's JMS login is the first broker user, as the manifests give it the Secret's.
    const rendered = renderConsoleFiles(
      layout,
      jetty,
      xml.users?.[0] ?? { username: '', password: '' },
    );
    for (const file of layout.consoleFiles) consoleFiles[file.path] = rendered[file.key] ?? '';
    consoleFiles['jetty-realm.properties'] = console.users
      .map((u) => `${u.username}: ${u.password}, admin\n`)
      .join('');
  }
  await Promise.all(
    [paths.confDir, paths.dataDir, paths.tmpDir, paths.sharedDataDir].map((d) =>
      mkdir(d, { recursive: true }),
    ),
  );
  await Promise.all([
    writeFile(paths.configFile, config),
    writeFile(join(paths.confDir, 'log4j.properties'), log4j1Properties(paths.logFile, logging)),
    writeFile(join(paths.confDir, 'log4j2.properties'), log4j2Properties(paths.logFile, logging)),
    ...Object.entries(consoleFiles).map(async ([path, text]) => {
      await mkdir(dirname(join(paths.confDir, path)), { recursive: true });
      await writeFile(join(paths.confDir, path), text);
    }),
  ]);
}

// An offset in the timestamp makes the file comparable with timings taken in Node.
const PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSZ} | %-5p | %m | %c | %t%n";

const QUIET_LOGGERS = ['org.springframework', 'org.apache.xbean', 'org.apache.activemq.spring'];
const LOCKER_LOGGER = 'org.apache.activemq.store.SharedFileLocker';

function log4j1Properties(logFile: string, logging: BrokerLogging): string {
  return `${[
    '# Written by @activemq-ha/testkit for log4j 1.2 (Debian package).',
    'log4j.rootLogger=INFO, logfile',
    ...QUIET_LOGGERS.map((l) => `log4j.logger.${l}=WARN`),
    ...(logging.lockRetries ? [`log4j.logger.${LOCKER_LOGGER}=DEBUG`] : []),
    'log4j.appender.logfile=org.apache.log4j.FileAppender',
    `log4j.appender.logfile.File=${properties(logFile)}`,
    'log4j.appender.logfile.Append=true',
    'log4j.appender.logfile.ImmediateFlush=true',
    'log4j.appender.logfile.layout=org.apache.log4j.PatternLayout',
    `log4j.appender.logfile.layout.ConversionPattern=${PATTERN}`,
  ].join('\n')}\n`;
}

function log4j2Properties(logFile: string, logging: BrokerLogging): string {
  return `${[
    '# Written by @activemq-ha/testkit for log4j2 (Apache tarball).',
    'rootLogger.level=INFO',
    'rootLogger.appenderRef.logfile.ref=logfile',
    ...QUIET_LOGGERS.flatMap((l, i) => [`logger.q${i}.name=${l}`, `logger.q${i}.level=WARN`]),
    ...(logging.lockRetries
      ? [`logger.locker.name=${LOCKER_LOGGER}`, 'logger.locker.level=DEBUG']
      : []),
    'appender.logfile.type=File',
    'appender.logfile.name=logfile',
    `appender.logfile.fileName=${properties(logFile)}`,
    'appender.logfile.append=true',
    'appender.logfile.immediateFlush=true',
    'appender.logfile.layout.type=PatternLayout',
    `appender.logfile.layout.pattern=${PATTERN}`,
  ].join('\n')}\n`;
}

function properties(value: string): string {
  return value.replaceAll('\\', '\\\\');
}
