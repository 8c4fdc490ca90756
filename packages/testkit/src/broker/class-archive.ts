import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Class data sharing for the broker JVMs (a dynamic AppCDS archive, JDK 13+). A waiting broker
 * has loaded about 3,800 classes; the takeover path (KahaDB recovery, broker start, the first
 * STOMP and OpenWire connections) loads about 800 more in the JVM that just took the lock, each
 * read from a jar, parsed and verified, and ~110 lambda forms spun. With an archive trained on that
 * path they are mapped pre-parsed and pre-verified instead (figures in docs/benchmarks.md,
 * "Where the new master's time goes").
 *
 * An archive is only valid for the JVM build that wrote it and the same class path, so its name
 * carries the broker release and the JVM build. A JVM given a missing archive runs with class
 * sharing off altogether (the JDK's own default archive too), so `startBrokerGroup`'s `auto`
 * passes one only when it exists; JDK 17 given a truncated one dies with SIGBUS, so an archive is
 * only ever moved into place whole (`installClassArchive`).
 */

/** Where the archive of `release` on the JVM `java` lives (it may not exist). */
export function classArchiveFile(
  java: string,
  release: string,
  cacheRoot: string = defaultCacheRoot(),
): string {
  return join(cacheRoot, 'cds', `activemq-${release}-jvm-${jvmBuild(java)}.jsa`);
}

/** The archive for `release` on `java` if one was trained, else undefined. */
export function existingClassArchive(java: string, release: string): string | undefined {
  const file = classArchiveFile(java, release);
  return existsSync(file) ? file : undefined;
}

/** The cache scripts/setup-brokers.sh fills; archives go to its `cds/`. */
export function defaultCacheRoot(): string {
  return process.env.ACTIVEMQ_HA_CACHE || join(homedir(), '.cache', 'activemq-ha');
}

const builds = new Map<string, string>();

/**
 * The JVM's build, e.g. `17.0.15-6-Debian-1deb12u1`, from `java -version` ("… Server VM (build
 * 17.0.15+6-Debian-1deb12u1, mixed mode, sharing)"), made safe for a file name. Asked once per JVM.
 */
export function jvmBuild(java: string): string {
  let build = builds.get(java);
  if (build === undefined) {
    // `java -version` writes to stderr.
    const run = spawnSync(java, ['-version'], { encoding: 'utf8', timeout: 30_000 });
    build = parseJvmBuild(`${run.stderr ?? ''}${run.stdout ?? ''}`) ?? 'unknown';
    builds.set(java, build);
  }
  return build;
}

/** The VM build of `java -version` output, file-name safe; undefined if there is none. */
export function parseJvmBuild(versionOutput: string): string | undefined {
  const m = /VM[^(\n]*\(build ([^,)]+)/.exec(versionOutput);
  return m ? m[1]!.replace(/[^A-Za-z0-9._-]/g, '-') : undefined;
}

/**
 * Moves a freshly written archive into place whole, so that a JVM never maps a half-written file
 * (a JVM writes its archive in place at exit).
 */
export function installClassArchive(written: string, file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  renameSync(written, file);
}

/** Removes a training run's leftovers. */
export function discardClassArchive(written: string): void {
  rmSync(written, { force: true });
}
