import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brokerConfigLayout, parseBrokerVersion, renderConsoleFiles } from '@activemq-ha/manifests';
import { withParentDeathSignal } from './broker-command.js';
import { BrokerProcess } from './broker-process.js';
import { BrokerGroupError } from './errors.js';
import { allocatePorts } from './free-ports.js';
import type { ActivemqInstallation } from './locate-activemq.js';
import { locateJava } from './locate-activemq.js';
import { trackDirectory, untrackDirectory } from './process-reaper.js';
import { pollUntil } from './timing.js';

/**
 * The Jetty XML files JettyServerBean (6.3's activemq-web) configures, in its order, from a
 * jetty-spring.properties: `jettyXmlFiles`, then `jettyHttpXmlFiles` when `httpEnabled` (default
 * true), then `jettyHttpsXmlFiles` when `httpsEnabled` (default false), then
 * `jettyExtraXmlFiles`; each a comma-separated list. Read in 6.3.1's JettyServerBean.java.
 */
export function jettyXmlFileOrder(properties: Readonly<Record<string, string>>): string[] {
  const list = (key: string) =>
    (properties[key] ?? '')
      .split(',')
      .map((f) => f.trim())
      .filter((f) => f !== '');
  return [
    ...list('jettyXmlFiles'),
    ...((properties.httpEnabled ?? 'true') === 'true' ? list('jettyHttpXmlFiles') : []),
    ...(properties.httpsEnabled === 'true' ? list('jettyHttpsXmlFiles') : []),
    ...list('jettyExtraXmlFiles'),
  ];
}

/** The `key=value` lines of a .properties file as the manifests render it (no continuations). */
export function parseSimpleProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}

export interface RenderedJetty12Options {
  readonly activemq: ActivemqInstallation;
  /** Who may log in (the realm file the Secret provides in a cluster), role `admin`. */
  readonly users: readonly { readonly username: string; readonly password: string }[];
  /** @default 127.0.0.1 */
  readonly host?: string;
  /** How long the server may take to answer. @default 60000 */
  readonly startTimeoutMs?: number;
}

export interface RenderedJetty12 {
  /** `http://host:port`, as the rendered jetty-spring.properties binds it. */
  readonly url: string;
  /** The files passed to XmlConfiguration, in order (rendered ones from conf/jetty/). */
  readonly xmlFiles: readonly string[];
  /** Files the rendered properties list that have no stand-in here, each with the reason. */
  readonly leftOut: readonly string[];
  /** The JVM's stdout and stderr so far. */
  output(): Promise<string>;
  /** Stops the JVM (SIGTERM, then SIGKILL) and removes its directory. */
  stop(): Promise<void>;
}

/**
 * Runs the Jetty 12 half of the console config @activemq-ha/manifests renders for a 6.3+ release
 * on that release's own Jetty jars, for a home without activemq-web (JettyServerBean) and the
 * console war (not served by Maven Central): Jetty's own `XmlConfiguration` main configures the
 * files in JettyServerBean's order, sharing ids from file to file and with the rendered
 * jetty-spring.properties as properties, as JettyServerBean's `configure` does, then starts the
 * Server. The files the image supplies in conf/jetty/ come from the release's Jetty etc/ (the
 * image's are copies of them, bar two: see imageStandIn), the rendered ones (jetty-security.xml)
 * from the manifests. No
 * webapp is deployed (jetty-webapps.xml needs the war), so a request that passes the security
 * handler ends at Jetty's default handler.
 */
export async function startRenderedJetty12(
  options: RenderedJetty12Options,
): Promise<RenderedJetty12> {
  const { activemq } = options;
  const layout = brokerConfigLayout(parseBrokerVersion(activemq.release));
  if (layout.jetty !== 'jetty12' || activemq.jettyEtcDir === undefined) {
    throw new BrokerGroupError(
      'INVALID_OPTION',
      `startRenderedJetty12: ActiveMQ ${activemq.release} at ${activemq.home} is not a Jetty 12 home with Jetty's etc/ (scripts/setup-brokers.sh puts it in .activemq-ha/jetty-etc for 6.3+)`,
    );
  }
  const host = options.host ?? '127.0.0.1';
  const [port] = await allocatePorts(1, host);
  const dir = await mkdtemp(join(tmpdir(), 'activemq-ha-jetty12-'));
  trackDirectory(dir, () => false);
  const confDir = join(dir, 'conf');
  const realmFile = join(confDir, 'jetty-realm.properties');
  const rendered = renderConsoleFiles(
    layout,
    { host, port: port!, realmFile },
    { username: '', password: '' },
  );
  await mkdir(join(confDir, 'jetty'), { recursive: true });
  const renderedPaths = new Set<string>();
  for (const file of layout.consoleFiles) {
    await writeFile(join(confDir, file.path), rendered[file.key] ?? '');
    renderedPaths.add(file.path);
  }
  await writeFile(
    realmFile,
    options.users.map((u) => `${u.username}: ${u.password}, admin\n`).join(''),
  );
  const propertiesFile = join(confDir, 'jetty-spring.properties');
  const properties = parseSimpleProperties(await readFile(propertiesFile, 'utf8'));
  const imageDir = join(dir, 'image-conf-jetty');
  await mkdir(imageDir);
  const xmlFiles: string[] = [];
  const leftOut: string[] = [];
  for (const file of jettyXmlFileOrder(properties)) {
    if (renderedPaths.has(`jetty/${file}`)) {
      xmlFiles.push(join(confDir, 'jetty', file));
      continue;
    }
    const standIn = await imageStandIn(activemq.jettyEtcDir, imageDir, file);
    if (typeof standIn === 'string') xmlFiles.push(standIn);
    else leftOut.push(`${file}: ${standIn.leftOut}`);
  }
  const java = locateJava();
  const lib = join(activemq.home, 'lib');
  const args = [
    '-Xmx64m',
    '-XX:+UseSerialGC',
    `-Djava.io.tmpdir=${dir}`,
    '-cp',
    [lib, join(lib, 'optional'), join(lib, 'web')].map((d) => join(d, '*')).join(':'),
    'org.eclipse.jetty.xml.XmlConfiguration',
    propertiesFile,
    // As JettyServerBean adds them when jetty-spring.properties does not set them.
    `activemq.home=${activemq.home}`,
    `activemq.base=${dir}`,
    `jetty.home=${activemq.home}`,
    `jetty.base=${dir}`,
    ...xmlFiles,
  ];
  const consoleFile = join(dir, 'console.log');
  const child = await BrokerProcess.spawn(
    withParentDeathSignal(java, args),
    { consoleFile, cwd: dir, env: process.env },
    'jetty12',
  );
  const output = () => readFile(consoleFile, 'utf8').catch(() => '');
  const stop = async () => {
    child.signal('SIGTERM');
    const killer = setTimeout(() => child.signal('SIGKILL'), 10_000);
    await child.exited;
    clearTimeout(killer);
    untrackDirectory(dir);
    await rm(dir, { recursive: true, force: true });
  };
  const url = `http://${host}:${port}`;
  try {
    await pollUntil(
      async () => {
        if (child.exit) {
          throw new BrokerGroupError(
            'BROKER_EXITED',
            `Jetty (XmlConfiguration) exited with ${child.exit.code ?? child.exit.signal} before answering at ${url}:\n${await output()}`,
          );
        }
        try {
          await fetch(url, { signal: AbortSignal.timeout(5_000) });
          return true;
        } catch {
          return undefined;
        }
      },
      { timeoutMs: options.startTimeoutMs ?? 60_000, intervalMs: 200 },
      () => new BrokerGroupError('TIMEOUT', `Jetty did not answer at ${url}`),
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, xmlFiles, leftOut, output, stop };
}

/**
 * The image's conf/jetty/<file>, from the release's Jetty etc/: ActiveMQ 6.3.1 ships Jetty's
 * files with a licence header added, except two it adapts. Its jetty.xml drops Jetty's
 * `addBean(ShutdownService)` (the service comes from jetty-shutdown-service.xml, which it does not
 * ship), so that call is removed here; its jetty-dos.xml is its own rewrite (Jetty's does not
 * construct outside start.jar), not served anywhere, so it is left out and said so.
 */
async function imageStandIn(
  etcDir: string,
  outDir: string,
  file: string,
): Promise<string | { leftOut: string }> {
  if (file === 'jetty-dos.xml') {
    return {
      leftOut:
        "ActiveMQ's own rewrite of Jetty's file is in the image only (Jetty's does not construct under XmlConfiguration); the DoS rate limit is not exercised",
    };
  }
  if (file !== 'jetty.xml') return join(etcDir, file);
  const jetty = await readFile(join(etcDir, file), 'utf8');
  const withoutShutdownService = jetty.replace(SHUTDOWN_SERVICE_BEAN, '');
  if (withoutShutdownService === jetty) {
    throw new BrokerGroupError(
      'INVALID_OPTION',
      `${join(etcDir, file)} no longer adds the ShutdownService bean as Jetty 12.1 did: compare it with the image's conf/jetty/jetty.xml`,
    );
  }
  await writeFile(join(outDir, file), withoutShutdownService);
  return join(outDir, file);
}

const SHUTDOWN_SERVICE_BEAN =
  /<Call name="addBean">\s*<Arg>\s*<Ref refid="ShutdownService"\s*\/>\s*<\/Arg>\s*<\/Call>/;
