import { invalidOption } from '../errors.js';

/** A broker release as the `apache/activemq-classic` image tags it: `6.2.10`, `5.19.7-jdk17`. */
export interface BrokerVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** `6.2`, `5.19`: the release line ActiveMQ's security policy speaks of. */
  readonly line: string;
}

/**
 * The lines ActiveMQ's SECURITY.md lists as supported (6.2.x and 5.19.x); a newer 6.x minor is
 * taken as supported too, since it is where fixes land first.
 */
export const SUPPORTED_BROKER_LINES: readonly string[] = ['6.2', '5.19'];

/**
 * The newest patch of the newest supported line, with CVE-2026-39304 (fixed in 6.2.4) and the
 * 6.2 MQTT decoder fix (CVE-2026-40046) in. 6.2 rather than 6.3: 6.3 is newer than the policy's
 * list, and its Jetty 12 console layout is not proven against a running broker here.
 */
export const DEFAULT_BROKER_VERSION = '6.2.10';

const VERSION = /^(\d+)\.(\d+)\.(\d+)(?:-[A-Za-z0-9][A-Za-z0-9_.-]*)?$/;

/**
 * Reads an image tag as a release. `latest`, floating tags (`6.2`) and anything that is not a
 * release are rejected: a manifest must name the broker it was rendered for, because its files
 * differ by version. Majors other than 5 and 6 are unknown.
 */
export function parseBrokerVersion(tag: string, field = 'broker.version'): BrokerVersion {
  const match = VERSION.exec(tag);
  if (!match) {
    const why =
      tag === 'latest'
        ? '"latest" moves to a new release (and config layout) without a change here'
        : /^\d+(\.\d+)?$/.test(tag)
          ? 'a floating tag moves to a new patch without a change here'
          : 'not a release tag';
    throw invalidOption(
      field,
      `"${tag}": ${why}; name a release such as ${DEFAULT_BROKER_VERSION}`,
    );
  }
  const [major, minor, patch] = [match[1], match[2], match[3]].map(Number) as [
    number,
    number,
    number,
  ];
  if (major !== 5 && major !== 6) {
    throw invalidOption(
      field,
      `"${tag}": ActiveMQ Classic ${major}.x is not known to these manifests (5.x and 6.x are); use ${DEFAULT_BROKER_VERSION}`,
    );
  }
  return { major, minor, patch, line: `${major}.${minor}` };
}

/** Whether ActiveMQ still publishes fixes for this version's line. */
export function isSupportedBrokerLine(version: BrokerVersion): boolean {
  return (
    SUPPORTED_BROKER_LINES.includes(version.line) || (version.major === 6 && version.minor > 2)
  );
}

/**
 * Parses and checks a broker tag: an unsupported line (5.18.x and older, 6.0.x, 6.1.x) is an
 * error unless `allowUnsupported`, because it misses published security fixes.
 */
export function checkBrokerVersion(
  tag: string,
  allowUnsupported: boolean,
  field = 'broker.version',
): BrokerVersion {
  const version = parseBrokerVersion(tag, field);
  if (!allowUnsupported && !isSupportedBrokerLine(version)) {
    throw invalidOption(
      field,
      `"${tag}": the ${version.line}.x line no longer gets fixes from ActiveMQ (supported: ${SUPPORTED_BROKER_LINES.map((l) => `${l}.x`).join(', ')}); move to ${DEFAULT_BROKER_VERSION} or 5.19.x, or pass --allow-unsupported-broker (allowUnsupported) to deploy it anyway`,
    );
  }
  return version;
}

/** One configuration file: its ConfigMap key and where it goes below the broker's conf/. */
export interface BrokerConfigFile {
  readonly key: string;
  readonly path: string;
}

/**
 * How a release expects its web console to be configured:
 * - `jetty9-11` (5.x: Jetty 9; 6.0–6.2: Jetty 11): one Spring `jetty.xml` of Jetty beans;
 * - `jetty12` (6.3+): `jetty-spring.xml` starts `JettyServerBean`, which reads
 *   `jetty-spring.properties` and Jetty XML files from `conf/jetty/` (the image ships them; the
 *   security one is replaced so the console uses the realm from the Secret).
 */
export interface BrokerConfigLayout {
  readonly jetty: 'jetty9-11' | 'jetty12';
  /** The file activemq.xml imports to start the console. */
  readonly consoleImport: 'jetty.xml' | 'jetty-spring.xml';
  /** The console's files, besides activemq.xml. */
  readonly consoleFiles: readonly BrokerConfigFile[];
}

/** The console's JMS login (console-credentials.ts), the same file in both layouts. */
const CONSOLE_CREDENTIALS: BrokerConfigFile = {
  key: 'credentials.properties',
  path: 'credentials.properties',
};

export function brokerConfigLayout(version: BrokerVersion): BrokerConfigLayout {
  if (version.major > 6 || (version.major === 6 && version.minor >= 3)) {
    return {
      jetty: 'jetty12',
      consoleImport: 'jetty-spring.xml',
      consoleFiles: [
        { key: 'jetty-spring.xml', path: 'jetty-spring.xml' },
        { key: 'jetty-spring.properties', path: 'jetty-spring.properties' },
        { key: 'jetty-security.xml', path: 'jetty/jetty-security.xml' },
        CONSOLE_CREDENTIALS,
      ],
    };
  }
  return {
    jetty: 'jetty9-11',
    consoleImport: 'jetty.xml',
    consoleFiles: [{ key: 'jetty.xml', path: 'jetty.xml' }, CONSOLE_CREDENTIALS],
  };
}
