import { homedir } from 'node:os';
import { join } from 'node:path';
import { BrokerGroupError } from './errors.js';

/** Where Debian's `activemq` package puts the broker (jars under /usr/share/java, linked here). */
export const DEBIAN_ACTIVEMQ_HOME = '/usr/share/activemq';

/** The version name of Debian's package in the broker matrix (scripts/broker-matrix.txt). */
export const DEBIAN_ACTIVEMQ_VERSION = 'debian';

/**
 * What the tests run when neither a version nor a home is asked for: the first line of
 * scripts/broker-matrix.txt. The manifests deploy 6.2.x, which Maven Central does not serve whole
 * here; 6.1.8 is the newest 6.x it does, with the same Jetty 11 layout and the same Java 17.
 */
export const DEFAULT_TEST_ACTIVEMQ_VERSION = '6.1.8';

export interface ActivemqHomeRequest {
  /** An explicit installation directory; wins over everything else. */
  readonly home?: string | undefined;
  /** A version of the matrix, `debian`, or `5.17.2` (Debian's). */
  readonly version?: string | undefined;
  /** `process.env`-like: ACTIVEMQ_HOME, ACTIVEMQ_VERSION, ACTIVEMQ_HA_CACHE, HOME. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Whether a directory holds an installation (bin/activemq.jar). */
  readonly isInstalled: (home: string) => boolean;
}

export interface ResolvedActivemqHome {
  readonly home: string;
  /** The version name asked for or defaulted to, `debian` for the package. */
  readonly version: string;
  /** Set when the default version is not in the cache and Debian's package stands in for it. */
  readonly fallback?: string;
}

/** `${ACTIVEMQ_HA_CACHE:-$HOME/.cache/activemq-ha}/activemq`, as scripts/setup-brokers.sh fills it. */
export function activemqCacheDir(env: Readonly<Record<string, string | undefined>>): string {
  return join(
    env.ACTIVEMQ_HA_CACHE || join(env.HOME || homedir(), '.cache', 'activemq-ha'),
    'activemq',
  );
}

/**
 * Maps a version name to the installation to run, without touching the file system itself.
 * Order: `home`, `$ACTIVEMQ_HOME`, `version`, `$ACTIVEMQ_VERSION`, the default version. A version
 * asked for by name that is not fetched is an error (a typo must never test another broker); only
 * the default falls back to Debian's package, for a machine that could not reach Maven Central.
 */
export function resolveActivemqHome(request: ActivemqHomeRequest): ResolvedActivemqHome {
  const { env } = request;
  const home = request.home ?? (env.ACTIVEMQ_HOME || undefined);
  if (home !== undefined) return { home, version: 'ACTIVEMQ_HOME' };
  const asked = request.version ?? (env.ACTIVEMQ_VERSION || undefined);
  const version = asked ?? DEFAULT_TEST_ACTIVEMQ_VERSION;
  if (version === DEBIAN_ACTIVEMQ_VERSION || version === '5.17.2') {
    return { home: DEBIAN_ACTIVEMQ_HOME, version: DEBIAN_ACTIVEMQ_VERSION };
  }
  if (!/^\d+\.\d+\.\d+$/.test(version)) {
    throw new BrokerGroupError(
      'INVALID_OPTION',
      `ActiveMQ version "${version}": expected a release such as 6.1.8 or "debian" (see scripts/broker-matrix.txt)`,
    );
  }
  const cached = join(activemqCacheDir(env), version);
  if (request.isInstalled(cached)) return { home: cached, version };
  if (asked === undefined && request.isInstalled(DEBIAN_ACTIVEMQ_HOME)) {
    return {
      home: DEBIAN_ACTIVEMQ_HOME,
      version: DEBIAN_ACTIVEMQ_VERSION,
      fallback: `ActiveMQ ${version} is not in ${cached} (sh scripts/setup-brokers.sh fetches it); running Debian's package instead`,
    };
  }
  throw new BrokerGroupError(
    'ACTIVEMQ_NOT_FOUND',
    `ActiveMQ ${version} is not installed at ${cached}: run \`sh scripts/setup-brokers.sh ${version}\` (needs Maven Central), or set ACTIVEMQ_VERSION=debian for Debian's package.`,
  );
}
