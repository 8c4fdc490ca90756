import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { BROKER_JIT_FLAGS } from '@activemq-ha/manifests';
import type { BrokerPaths } from './broker-files.js';
import type { ActivemqInstallation } from './locate-activemq.js';

export interface JvmOptions {
  /** Maximum heap in MiB. @default 256 */
  readonly heapMb?: number;
  /** Appended after the harness's own flags, so they can override them. @default [] */
  readonly extraJvmArgs?: readonly string[];
}

export interface BrokerCommandOptions extends JvmOptions {
  /** A class archive (see class-archive.ts) that exists, for `-XX:SharedArchiveFile`. @default none */
  readonly classArchive?: string;
  /** The `-javaagent:` flag of the takeover warm-up (see takeover-warmup.ts). @default none */
  readonly takeoverWarmupFlag?: string;
}

export interface BrokerCommand {
  readonly file: string;
  readonly args: readonly string[];
}

/**
 * The command line for one broker: `java -jar bin/activemq.jar start xbean:file:...`, as Debian's
 * and Apache's scripts run it but without the scripts (they daemonize, switch user and pick their
 * own paths). activemq.jar's manifest has no Class-Path: its Main puts `lib/`, `lib/optional/`, ...
 * of `activemq.home` and `activemq.base` on the classpath itself, which is all 5.17 needs.
 */
export function brokerCommand(
  java: string,
  activemq: ActivemqInstallation,
  paths: BrokerPaths,
  jvm: BrokerCommandOptions = {},
): BrokerCommand {
  const heapMb = jvm.heapMb ?? 256;
  const args = [
    // Tuned for many short-lived brokers on a small shared machine, not for throughput.
    `-Xms${Math.min(64, heapMb)}m`,
    `-Xmx${heapMb}m`,
    '-XX:+UseSerialGC',
    // The deployed JIT flags (C1 only: the takeover's cold code does not compete with C2).
    ...BROKER_JIT_FLAGS,
    '-XX:-UsePerfData',
    '-Djava.security.egd=file:/dev/./urandom',
    '-Djava.awt.headless=true',
    ...(jvm.classArchive ? [`-XX:SharedArchiveFile=${jvm.classArchive}`] : []),
    `-Djava.io.tmpdir=${paths.tmpDir}`,
    `-Dactivemq.home=${activemq.home}`,
    `-Dactivemq.base=${paths.dir}`,
    `-Dactivemq.conf=${paths.confDir}`,
    `-Dactivemq.data=${paths.dataDir}`,
    `-Dlog4j.configuration=file:${join(paths.confDir, 'log4j.properties')}`,
    `-Dlog4j2.configurationFile=${join(paths.confDir, 'log4j2.properties')}`,
    ...(jvm.takeoverWarmupFlag ? [jvm.takeoverWarmupFlag] : []),
    ...(jvm.extraJvmArgs ?? []),
    '-jar',
    activemq.jar,
    'start',
    `xbean:file:${paths.configFile}`,
  ];
  return withParentDeathSignal(java, args);
}

/**
 * `java args` behind util-linux `setpriv`, which execs java in place (same pid) with a
 * parent-death signal: if this Node process is SIGKILLed, no hook of ours runs, but the kernel
 * still kills the JVM. Plain `java args` where setpriv cannot do that.
 */
export function withParentDeathSignal(java: string, args: readonly string[]): BrokerCommand {
  return hasPdeathsig()
    ? { file: 'setpriv', args: ['--pdeathsig', 'KILL', '--', java, ...args] }
    : { file: java, args };
}

let pdeathsig: boolean | undefined;

/** Whether util-linux `setpriv` with `--pdeathsig` (2.33+) is on PATH. Checked once. */
export function hasPdeathsig(): boolean {
  if (pdeathsig === undefined) {
    try {
      const help = execFileSync('setpriv', ['--help'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      pdeathsig = help.includes('--pdeathsig');
    } catch {
      pdeathsig = false;
    }
  }
  return pdeathsig;
}
