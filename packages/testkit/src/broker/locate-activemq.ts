import { accessSync, constants, readdirSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { DEBIAN_ACTIVEMQ_HOME, resolveActivemqHome } from './activemq-version.js';
import { BrokerGroupError } from './errors.js';

export { DEBIAN_ACTIVEMQ_HOME };

export interface ActivemqInstallation {
  /** Passed to the JVM as `activemq.home`. */
  readonly home: string;
  /** `bin/activemq.jar`: its Main builds the classpath from `lib/`, `lib/optional/`, ... itself. */
  readonly jar: string;
  /**
   * `apache` for an unpacked tarball (has `conf/`, logs through log4j2), `debian` for the package
   * (no `conf/`, logs through log4j 1.2). Both configs are written, so this is informational.
   */
  readonly layout: 'apache' | 'debian';
  /** The matrix version name it was found by (`debian`, `6.1.8`, ...), or `ACTIVEMQ_HOME`. */
  readonly version: string;
  /** The release, from lib/activemq-broker-<release>.jar (Debian's package: 5.17.2). */
  readonly release: string;
  /** Whether it ships the web console (webapps/admin); Debian's package does not. */
  readonly webConsole: boolean;
  /**
   * What the release ships but Maven Central did not serve, so the home lacks it: one line per
   * artifact, coordinates first (scripts/setup-brokers.sh writes .activemq-ha/not-served.txt for a
   * line with a scripts/broker-layout-<line>.txt). Empty for a complete distribution.
   */
  readonly notServed: readonly string[];
  /**
   * Jetty's own etc/*.xml from the release's Jetty (the `config` jar of jetty-server, which the
   * image's conf/jetty files come from), when setup put them in the home (6.3+).
   */
  readonly jettyEtcDir?: string;
}

const INSTALL_HINT =
  'Install it with `apt-get install activemq` (Debian/Ubuntu) or unpack the Apache ActiveMQ Classic tarball ' +
  '(https://activemq.apache.org/components/classic/download/) and set ACTIVEMQ_HOME to its directory.';

/** Debian's package names its jars without versions; bookworm and trixie ship 5.17.2. */
const DEBIAN_ACTIVEMQ_RELEASE = '5.17.2';

/** The release in a distribution's lib/ listing (`activemq-broker-6.1.8.jar`), if any. */
export function brokerRelease(libFiles: readonly string[]): string | undefined {
  for (const file of libFiles) {
    const match = /^activemq-broker-(\d+\.\d+\.\d+)\.jar$/.exec(file);
    if (match) return match[1];
  }
  return undefined;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

let warnedFallback = false;

/**
 * Finds ActiveMQ Classic: `home` if given, else `$ACTIVEMQ_HOME`, else `version` /
 * `$ACTIVEMQ_VERSION` / the default version in the cache scripts/setup-brokers.sh fills (see
 * resolveActivemqHome). An explicit home that is broken is an error rather than a silent
 * fallback, so a typo never tests a different broker than intended.
 */
export function locateActivemq(home?: string, version?: string): ActivemqInstallation {
  const resolved = resolveActivemqHome({
    home,
    version,
    env: process.env,
    isInstalled: (dir) => isFile(join(dir, 'bin', 'activemq.jar')),
  });
  if (resolved.fallback && !warnedFallback) {
    warnedFallback = true;
    process.emitWarning(resolved.fallback, { code: 'ACTIVEMQ_HA_BROKER_FALLBACK' });
  }
  const candidate = resolved.home;
  const jar = join(candidate, 'bin', 'activemq.jar');
  const source =
    resolved.version === 'ACTIVEMQ_HOME' ? 'ACTIVEMQ_HOME' : `version ${resolved.version}`;
  if (!isFile(jar) || !isDirectory(join(candidate, 'lib'))) {
    throw new BrokerGroupError(
      'ACTIVEMQ_NOT_FOUND',
      `ActiveMQ Classic not found at ${candidate} (${source}): expected bin/activemq.jar and lib/. ${INSTALL_HINT}`,
    );
  }
  return {
    home: candidate,
    jar,
    layout: isDirectory(join(candidate, 'conf')) ? 'apache' : 'debian',
    version: resolved.version,
    release: brokerRelease(safeReaddir(join(candidate, 'lib'))) ?? DEBIAN_ACTIVEMQ_RELEASE,
    webConsole: isDirectory(join(candidate, 'webapps', 'admin')),
    notServed: notServed(candidate),
    ...(isDirectory(join(candidate, SETUP_DIR, 'jetty-etc'))
      ? { jettyEtcDir: join(candidate, SETUP_DIR, 'jetty-etc') }
      : {}),
  };
}

/** What scripts/setup-brokers.sh records in a home it assembled from a release's modules. */
const SETUP_DIR = '.activemq-ha';

function notServed(home: string): string[] {
  let text: string;
  try {
    text = readFileSync(join(home, SETUP_DIR, 'not-served.txt'), 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter((line) => line.trim() !== '');
}

/**
 * Why the installation cannot run the web console, or undefined when it can: the tests that need
 * it skip with this reason.
 */
export function webConsoleUnavailable(activemq: ActivemqInstallation): string | undefined {
  if (activemq.webConsole) return undefined;
  if (activemq.layout === 'debian') return "Debian's package ships no web console (webapps/admin)";
  const missing = activemq.notServed
    .map((line) => line.split(' ')[0] ?? '')
    .filter((coordinates) => /:activemq-web(-console)?:/.test(coordinates));
  return missing.length > 0
    ? `not served by Maven Central: ${missing.join(', ')}`
    : `${activemq.home} has no webapps/admin`;
}

/** Finds `java`: `javaHome` if given, else `$JAVA_HOME`, else the first `java` on PATH. */
export function locateJava(
  javaHome: string | undefined = process.env.JAVA_HOME || undefined,
): string {
  if (javaHome !== undefined) {
    const java = join(javaHome, 'bin', 'java');
    if (isExecutable(java)) return java;
    throw new BrokerGroupError(
      'JAVA_NOT_FOUND',
      `No executable bin/java under JAVA_HOME=${javaHome}. Point JAVA_HOME at a JDK/JRE >= 11, or unset it to use java from PATH (apt-get install default-jre-headless).`,
    );
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const java = join(dir, 'java');
    if (isExecutable(java)) return java;
  }
  throw new BrokerGroupError(
    'JAVA_NOT_FOUND',
    'No `java` on PATH and JAVA_HOME is not set. Install a JRE >= 11 (apt-get install default-jre-headless) or set JAVA_HOME.',
  );
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
