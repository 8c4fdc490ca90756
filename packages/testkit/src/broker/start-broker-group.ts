import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ActivemqXmlOptions,
  type BrokerProtocol,
  type BrokerUser,
  DEFAULT_TAKEOVER_PROFILE,
  type KahaDbTuning,
  ManifestsError,
  TAKEOVER_PROFILES,
  type TakeoverProfile,
} from '@activemq-ha/manifests';
import { DEFAULT_TEST_ACTIVEMQ_VERSION } from './activemq-version.js';
import { brokerCommand, type JvmOptions } from './broker-command.js';
import { brokerPaths, writeBrokerFiles } from './broker-files.js';
import { BrokerGroup } from './broker-group.js';
import { existingClassArchive } from './class-archive.js';
import { BrokerGroupError } from './errors.js';
import { allocatePorts } from './free-ports.js';
import { GroupMember } from './group-member.js';
import { locateActivemq, locateJava, webConsoleUnavailable } from './locate-activemq.js';
import { requireTakeoverWarmupJar, takeoverWarmupFlag } from './takeover-warmup.js';

export type DefaultBrokerProtocols = 'openwire' | 'stomp';

export interface StartBrokerGroupOptions<P extends BrokerProtocol = DefaultBrokerProtocols>
  extends JvmOptions {
  /** Number of brokers sharing the store. @default 2 */
  readonly size?: number;
  /** Lock and checkpoint preset of `@activemq-ha/manifests`. @default its default ('fast') */
  readonly takeover?: TakeoverProfile;
  /** How often a waiting broker retries the lock (ActiveMQ's own default is 10 000). @default the profile's */
  readonly lockAcquireSleepIntervalMs?: number;
  /** Lock keep-alive of the active broker; above 0 and below the acquire interval. @default the profile's */
  readonly lockKeepAlivePeriodMs?: number;
  /** KahaDB checkpointInterval. @default the profile's */
  readonly checkpointIntervalMs?: number;
  /** Further KahaDB attributes (benchmarks of the takeover). @default none */
  readonly kahaDb?: KahaDbTuning;
  /** Log each failed lock attempt, for `takeoverBreakdown`. @default false */
  readonly lockRetryLog?: boolean;
  /**
   * Class data sharing for the JVMs: `auto` uses the archive scripts/setup-class-archive.sh
   * trained for this broker release and JVM when there is one (see class-archive.ts), `off`
   * none, or the path of an archive. Off by default, as in the manifests: the official images'
   * JDK 17 cannot create one safely in a pod (docs/operations.md, "JVM flags").
   * @default 'off'
   */
  readonly classArchive?: 'auto' | 'off' | (string & {});
  /**
   * Load the takeover warm-up java agent (packages/agent/warmup, built by
   * scripts/setup-takeover-warmup.sh) into every broker JVM: a waiting broker rehearses the
   * takeover once on a scratch store of its own, so the code is loaded and compiled when it takes
   * the real lock. `true` runs the agent's default number of scratch recoveries, a number that
   * many. `waitForSlave` then also waits for the agent's report. @default false
   */
  readonly takeoverWarmup?: boolean | number;
  /**
   * The address each broker binds, one per broker (the real target's pod IPs inside the stand-in
   * pod network, see cluster/pod-network.ts). @default 127.0.0.1 for all
   */
  readonly hosts?: readonly string[];
  /** Connectors each broker opens, each on its own free loopback port. @default ['openwire', 'stomp'] */
  readonly protocols?: readonly P[];
  /** When set, clients must log in (simple authentication plugin). @default none (anonymous) */
  readonly users?: readonly BrokerUser[];
  /** @default 'activemq' */
  readonly brokerName?: string;
  /** More of the deployed activemq.xml (as `renderActivemqXml` takes it), e.g. redelivery. @default {} */
  readonly config?: Pick<
    ActivemqXmlOptions,
    'redelivery' | 'systemUsage' | 'jmx' | 'tls' | 'authorization'
  >;
  /** An installation directory. @default $ACTIVEMQ_HOME, else the home of `version` */
  readonly activemqHome?: string;
  /**
   * A version of the broker matrix (scripts/broker-matrix.txt), fetched into the cache by
   * scripts/setup-brokers.sh, or `debian` for Debian's package.
   * @default $ACTIVEMQ_VERSION, else DEFAULT_TEST_ACTIVEMQ_VERSION (Debian's package if not fetched)
   */
  readonly version?: string;
  /** @default $JAVA_HOME, else `java` on PATH */
  readonly javaHome?: string;
  /**
   * Run each broker's web console with the manifests' jetty config for its version (Jetty 9/11
   * or 12), on a free port of its own, basic auth against these users. Debian's package has no
   * console. @default none
   */
  readonly webConsole?: { readonly users: readonly Pick<BrokerUser, 'username' | 'password'>[] };
  /** Extra environment for the JVMs, e.g. values for `${NAME}` placeholders in `users`. @default {} */
  readonly env?: Readonly<Record<string, string>>;
  /** Deadline for the first broker to serve and the others to wait for the lock. @default 60000 */
  readonly startTimeoutMs?: number;
  /** SIGTERM grace period of `stop()` before SIGKILL. @default 15000 */
  readonly stopTimeoutMs?: number;
  /** Keep the directory after `stop()`. @default true if $ACTIVEMQ_HA_KEEP_DIRS is "1", else false */
  readonly keepDir?: boolean;
  /** Where the group's temp directory is created. @default os.tmpdir() */
  readonly parentDir?: string;
}

const HOST = '127.0.0.1';
const DEFAULT_PROTOCOLS: readonly BrokerProtocol[] = ['openwire', 'stomp'];

/**
 * Starts `size` ActiveMQ Classic brokers sharing one KahaDB directory (shared file system
 * master/slave), configured by `renderActivemqXml`, each on its own loopback ports. `broker-0`
 * starts first and is active when this resolves; the others have logged that they wait for the
 * lock. On any failure everything started so far is stopped before the error is thrown.
 *
 * @example
 * await using group = await startBrokerGroup({ size: 3 });
 * onTestFailed(group.dumpLogs);
 * const { takeoverMs } = await group.failover('SIGKILL');
 */
export async function startBrokerGroup<P extends BrokerProtocol = DefaultBrokerProtocols>(
  options: StartBrokerGroupOptions<P> = {},
): Promise<BrokerGroup<P>> {
  const size = options.size ?? 2;
  if (!Number.isInteger(size) || size < 1 || size > 16) {
    throw new BrokerGroupError(
      'INVALID_OPTION',
      `size: must be an integer from 1 to 16, got ${size}`,
    );
  }
  // Without `protocols`, P is its default, so the cast only restates what the signature says.
  const protocols = [...new Set(options.protocols ?? (DEFAULT_PROTOCOLS as readonly P[]))];
  // An unknown profile name is left to the renderer, which reports it as INVALID_OPTION.
  const profile = TAKEOVER_PROFILES[options.takeover ?? DEFAULT_TAKEOVER_PROFILE];
  const lockAcquireSleepIntervalMs =
    options.lockAcquireSleepIntervalMs ?? profile?.lockAcquireSleepIntervalMs ?? 0;
  const lockKeepAlivePeriodMs =
    options.lockKeepAlivePeriodMs ?? profile?.lockKeepAlivePeriodMs ?? 0;
  const activemq = locateActivemq(options.activemqHome, options.version);
  if (options.webConsole && !activemq.webConsole) {
    throw new BrokerGroupError(
      'INVALID_OPTION',
      `webConsole: ActiveMQ ${activemq.release} at ${activemq.home} cannot run the web console (${webConsoleUnavailable(activemq)}); use a complete distribution (ACTIVEMQ_VERSION=${DEFAULT_TEST_ACTIVEMQ_VERSION})`,
    );
  }
  const java = locateJava(options.javaHome);
  const classArchive =
    options.classArchive === undefined || options.classArchive === 'off'
      ? undefined
      : options.classArchive === 'auto'
        ? existingClassArchive(java, activemq.release)
        : options.classArchive;
  const warmupFlag =
    options.takeoverWarmup === undefined || options.takeoverWarmup === false
      ? undefined
      : takeoverWarmupFlag(
          requireTakeoverWarmupJar(),
          options.takeoverWarmup === true ? undefined : options.takeoverWarmup,
        );
  const hosts = options.hosts ?? Array.from({ length: size }, () => HOST);
  if (hosts.length !== size) {
    throw new BrokerGroupError(
      'INVALID_OPTION',
      `hosts: one address per broker, got ${hosts.length} for size ${size}`,
    );
  }

  const dir = await mkdtemp(join(options.parentDir ?? tmpdir(), 'activemq-ha-group-'));
  let group: BrokerGroup<P> | undefined;
  try {
    const perBroker = protocols.length + (options.webConsole ? 1 : 0);
    // Free on each broker's own address; one call per distinct address, so ports never repeat
    // on one address.
    const ports: number[] = [];
    const byHost = new Map<string, number[]>();
    for (const host of new Set(hosts)) {
      const count = hosts.filter((h) => h === host).length * perBroker;
      byHost.set(host, await allocatePorts(count, host));
    }
    for (const host of hosts) ports.push(...byHost.get(host)!.splice(0, perBroker));
    const members = Array.from({ length: size }, (_, index) => {
      const id = `broker-${index}`;
      const own = Object.fromEntries(
        protocols.map((p, i) => [p, ports[index * perBroker + i]]),
      ) as Record<P, number>;
      const consolePort = options.webConsole
        ? ports[index * perBroker + protocols.length]
        : undefined;
      return new GroupMember<P>(id, index, hosts[index]!, own, brokerPaths(dir, id), consolePort);
    });
    // Render every config before spawning anything: a bad option must not leave JVMs behind.
    await Promise.all(
      members.map((m) =>
        writeBrokerFiles(
          m.paths,
          {
            brokerName: options.brokerName,
            takeover: options.takeover,
            lockAcquireSleepIntervalMs,
            lockKeepAlivePeriodMs,
            checkpointIntervalMs: options.checkpointIntervalMs,
            kahaDb: options.kahaDb,
            users: options.users,
            ...options.config,
          },
          m.host,
          m.ports,
          { lockRetries: options.lockRetryLog ?? false },
          options.webConsole && m.consolePort !== undefined
            ? { ...options.webConsole, port: m.consolePort, brokerVersion: activemq.release }
            : undefined,
        ),
      ),
    );
    group = new BrokerGroup<P>({
      dir,
      sharedDataDir: members[0]!.paths.sharedDataDir,
      members,
      command: (m) =>
        brokerCommand(java, activemq, m.paths, {
          ...options,
          classArchive,
          takeoverWarmupFlag: warmupFlag,
        }),
      env: { ...process.env, ...options.env },
      lockAcquireSleepIntervalMs,
      lockKeepAlivePeriodMs,
      stopTimeoutMs: options.stopTimeoutMs ?? 15_000,
      keepDir: options.keepDir ?? process.env.ACTIVEMQ_HA_KEEP_DIRS === '1',
      takeoverWarmup: warmupFlag !== undefined,
    });

    const wait = { timeoutMs: options.startTimeoutMs ?? 60_000 };
    // One after the other: which broker is active is then known, and the first JVM does not
    // compete for the CPU with the rest while it boots.
    const [first, ...rest] = members;
    await group.restart(first!.id);
    await group.waitForServing(first!.id, wait);
    await Promise.all(rest.map((m) => group!.restart(m.id)));
    await Promise.all(rest.map((m) => group!.waitForSlave(m.id, wait)));
    return group;
  } catch (err) {
    if (group) await group.stop({ timeoutMs: 0 }).catch(() => undefined);
    else await rm(dir, { recursive: true, force: true });
    if (err instanceof ManifestsError) {
      throw new BrokerGroupError('INVALID_OPTION', err.message, { cause: err });
    }
    throw err;
  }
}
