// scripts/setup-kube.sh's build modes, with a stand-in `go` (ACTIVEMQ_HA_GO) that writes fake
// binaries when a release file appears: a cold build that takes as long as the test wants. What
// CI relies on: --background returns at once and builds detached, --wait blocks until that build
// is done, a failed or killed build never leaves a binary that looks cached, and the plain call
// (README quick start) still builds by itself.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { poll } from '../cluster/group-pods.js';
import { locateControlPlaneBinaries } from './binaries.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const SCRIPT = join(ROOT, 'scripts', 'setup-kube.sh');

// `go build ... -o DIR/ PKG...`: records the call, waits for $STUB_RELEASE, writes a partial
// binary per package, then fails when $STUB_FAIL is set (as a compile error after output would).
const STUB_GO = `#!/bin/sh
echo "$PWD" >> "$STUB_CALLS"
[ "$1" = build ] || exit 3
shift
out="" pkgs=""
while [ $# -gt 0 ]; do
  case $1 in
    -o) out=$2; shift 2 ;;
    -p|-ldflags|-gcflags) shift 2 ;;
    -*) shift ;;
    *) pkgs="$pkgs $1"; shift ;;
  esac
done
while [ ! -e "$STUB_RELEASE" ]; do sleep 0.02; done
for p in $pkgs; do
  n=\${p##*/}
  case $n in v[0-9]*) n=\${p%/*}; n=\${n##*/} ;; esac
  printf 'partial' > "$out/$n"; chmod +x "$out/$n"
done
if [ -n "\${STUB_FAIL:-}" ]; then echo "stub-go: compile error in $PWD" >&2; exit 1; fi
exit 0
`;

describe('scripts/setup-kube.sh', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const children: ChildProcess[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'setup-kube-'));
    const go = join(dir, 'go');
    writeFileSync(go, STUB_GO);
    chmodSync(go, 0o755);
    env = {
      PATH: process.env.PATH,
      HOME: dir,
      ACTIVEMQ_HA_CACHE: join(dir, 'cache'),
      ACTIVEMQ_HA_GO: go,
      STUB_CALLS: join(dir, 'calls'),
      STUB_RELEASE: join(dir, 'release'),
    };
  });

  afterEach(async () => {
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
    // A background build still held by the stub: release it, then stop its process group.
    const pidFile = join(dir, 'cache', 'kube-build.pid');
    if (existsSync(pidFile)) {
      try {
        process.kill(-Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
      } catch {}
    }
    rmSync(dir, { recursive: true, force: true });
  });

  function run(args: string[], extra: NodeJS.ProcessEnv = {}) {
    const r = spawnSync('sh', [SCRIPT, ...args], { env: { ...env, ...extra }, encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  function start(args: string[], extra: NodeJS.ProcessEnv = {}) {
    const child = spawn('sh', [SCRIPT, ...args], { env: { ...env, ...extra } });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    return { child, exited, stderr: () => stderr };
  }

  const binaries = () => locateControlPlaneBinaries({ ACTIVEMQ_HA_CACHE: env.ACTIVEMQ_HA_CACHE });
  const builtPaths = () => {
    const b = binaries();
    return [b.kubeApiserver, b.kubeControllerManager, b.etcd];
  };
  const anyCached = () => {
    try {
      binaries();
      return true;
    } catch {
      return false;
    }
  };
  const calls = () =>
    existsSync(env.STUB_CALLS!) ? readFileSync(env.STUB_CALLS!, 'utf8').trim().split('\n') : [];
  const release = () => writeFileSync(env.STUB_RELEASE!, '');

  it('builds in the foreground by itself (the README path), where testkit looks; warm, it needs no go', () => {
    release();
    const cold = run(['--print']);
    expect(cold.code, cold.stderr).toBe(0);
    // Both wrapper modules, each built once.
    expect(
      calls()
        .map((c) => c.replace(/.*\/tools\//, ''))
        .sort(),
    ).toEqual(['etcd', 'kube']);
    const b = binaries();
    expect(cold.stdout.trim().split('\n')).toEqual([
      `KUBE_APISERVER=${b.kubeApiserver}`,
      `KUBE_CONTROLLER_MANAGER=${b.kubeControllerManager}`,
      `ETCD=${b.etcd}`,
    ]);
    const warm = run(['--print'], { ACTIVEMQ_HA_GO: join(dir, 'no-such-go') });
    expect(warm.code, warm.stderr).toBe(0);
    expect(warm.stdout).toBe(cold.stdout);
    expect(warm.stderr).toBe('');
  });

  it('--background returns before the build ends, builds once, and --wait waits for it', async () => {
    const pidFile = join(dir, 'build.pid');
    const bg = run(['--background'], { ACTIVEMQ_HA_KUBE_BUILD_PIDFILE: pidFile });
    expect(bg.code, bg.stderr).toBe(0);
    expect(bg.stderr).toMatch(/in the background .*log: .*kube-build\.log/);
    await poll(async () => calls().length === 2, {
      timeoutMs: 10_000,
      description: 'both go builds running',
      intervalMs: 20,
    });
    // The build runs detached in its own process group (what .ci/run stops if it ends first).
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(() => process.kill(-pid, 0)).not.toThrow();
    expect(anyCached()).toBe(false);

    // setup.sh again (npm test inside .ci/run): it neither waits nor starts a second build.
    const again = run([], { ACTIVEMQ_HA_KUBE_BUILD: 'background' });
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/already running/);

    const waiter = start(['--wait'], { ACTIVEMQ_HA_KUBE_BUILD: 'background' });
    await poll(async () => /waiting for the control-plane build/.test(waiter.stderr()), {
      timeoutMs: 10_000,
      description: '--wait to say it waits',
    });
    expect(waiter.child.exitCode).toBeNull();
    release();
    expect(await waiter.exited).toBe(0);
    expect(waiter.stderr()).toMatch(
      /background build: built kube-apiserver kube-controller-manager in \d+ s/,
    );
    expect(waiter.stderr()).toMatch(/background build: built etcd in \d+ s/);
    for (const file of builtPaths()) expect(readFileSync(file, 'utf8')).toBe('partial');
    expect(calls()).toHaveLength(2);
  });

  it('--wait after the background build finished still reports how long it took', async () => {
    release();
    expect(run(['--background']).code).toBe(0);
    await poll(async () => existsSync(join(dir, 'cache', 'kube-build.status')), {
      timeoutMs: 10_000,
      intervalMs: 20,
      description: 'the background build done',
    });
    const waited = run(['--wait']);
    expect(waited.code, waited.stderr).toBe(0);
    expect(waited.stderr).toMatch(/background build: built etcd in \d+ s/);
    // Reported once.
    expect(run(['--wait']).stderr).toBe('');
  });

  it('a failed background build: --wait fails with its log tail, nothing looks cached, the next call builds afresh', async () => {
    release();
    expect(run(['--background'], { STUB_FAIL: '1' }).code).toBe(0);
    const failed = run(['--wait']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/background control-plane build failed \(rc=1 seconds=\d+\)/);
    expect(failed.stderr).toMatch(/\| stub-go: compile error in .*tools\/kube/);
    expect(failed.stderr).toMatch(/\| setup-kube: go build of .*kube-apiserver.* failed/);
    // The stub wrote each binary before failing: a half-built binary is never moved into place.
    expect(anyCached()).toBe(false);
    expect(existsSync(join(dir, 'cache', 'bin'))).toBe(true);
    const next = run([]);
    expect(next.code, next.stderr).toBe(0);
    expect(anyCached()).toBe(true);
  });

  it('a background build stopped half-way leaves nothing cached; --wait then builds in the foreground', async () => {
    const pidFile = join(dir, 'build.pid');
    expect(run(['--background'], { ACTIVEMQ_HA_KUBE_BUILD_PIDFILE: pidFile }).code).toBe(0);
    await poll(async () => calls().length === 2 && existsSync(pidFile), {
      timeoutMs: 10_000,
      description: 'both go builds running',
    });
    const pid = Number(readFileSync(pidFile, 'utf8'));
    process.kill(-pid, 'SIGTERM');
    await poll(
      async () => {
        try {
          process.kill(-pid, 0);
          return false;
        } catch {
          return true;
        }
      },
      { timeoutMs: 10_000, description: 'the build group gone' },
    );
    expect(anyCached()).toBe(false);
    release();
    const waited = run(['--wait']);
    expect(waited.code, waited.stderr).toBe(0);
    expect(waited.stderr).toMatch(/building kube-apiserver kube-controller-manager/);
    expect(anyCached()).toBe(true);
  });

  // scripts/test.sh in a copy of the repo's scripts with stand-in pnpm and vitest: the host tier
  // runs while the build is held, the real tier only once the binaries are there.
  describe('scripts/test.sh with a background build (as .ci/run starts it)', () => {
    // vitest: "host" when given --exclude, else "real"; notes whether the binaries exist, lets the
    // held build go once the host tier ran, and writes a one-test JSON report.
    const STUB_VITEST = `#!/bin/sh
tier=real report=""
for a in "$@"; do
  case $a in --exclude) tier=host ;; --outputFile.json=*) report=\${a#--outputFile.json=} ;; esac
done
if [ -x "$ACTIVEMQ_HA_CACHE/bin/etcd-v3.7.3/etcd" ]; then cached=yes; else cached=no; fi
echo "$tier cached=$cached" >> "$STUB_TIERS"
[ "$tier" = real ] || touch "$STUB_RELEASE"
echo '{"numPassedTests":1,"numFailedTests":0,"numPendingTests":0,"numTodoTests":0,"testResults":[]}' > "$report"
`;

    function repoCopy(): string {
      const root = join(dir, 'repo');
      for (const d of ['scripts', 'tools/kube', 'tools/etcd', 'bin'])
        mkdirSync(join(root, d), { recursive: true });
      for (const f of [
        'scripts/test.sh',
        'scripts/setup-kube.sh',
        'scripts/real-tier.txt',
        'scripts/pod-network.sh',
        'tools/kube/go.mod',
        'tools/etcd/go.mod',
      ])
        copyFileSync(join(ROOT, f), join(root, f));
      writeFileSync(join(root, 'bin', 'vitest'), STUB_VITEST);
      writeFileSync(join(root, 'bin', 'pnpm'), '#!/bin/sh\nexit 0\n');
      chmodSync(join(root, 'bin', 'vitest'), 0o755);
      chmodSync(join(root, 'bin', 'pnpm'), 0o755);
      return root;
    }

    function ciRun(root: string, extra: NodeJS.ProcessEnv = {}) {
      const ci = {
        ...env,
        ...extra,
        PATH: `${join(root, 'bin')}:${process.env.PATH}`,
        STUB_TIERS: join(dir, 'tiers'),
        ACTIVEMQ_HA_KUBE_BUILD: 'background',
        // Run the tier as it is: no network namespace in a unit test.
        ACTIVEMQ_HA_POD_NETWORK: 'netns',
      };
      const setup = spawnSync('sh', [join(root, 'scripts', 'setup-kube.sh')], {
        env: ci,
        encoding: 'utf8',
      });
      expect(setup.status, setup.stderr).toBe(0);
      const r = spawnSync('sh', [join(root, 'scripts', 'test.sh')], { env: ci, encoding: 'utf8' });
      const tiers = existsSync(ci.STUB_TIERS)
        ? readFileSync(ci.STUB_TIERS, 'utf8').trim().split('\n')
        : [];
      return {
        code: r.status,
        out: r.stdout + r.stderr,
        last: r.stdout.trim().split('\n').at(-1),
        tiers,
      };
    }

    it('overlaps the build with the host tier and waits for it before the real tier', () => {
      const r = ciRun(repoCopy());
      expect(r.tiers).toEqual(['host cached=no', 'real cached=yes']);
      expect(r.out).toMatch(/== control-plane build wait: \d+ s\n/);
      expect(r.out).toMatch(
        /background build: built kube-apiserver kube-controller-manager in \d+ s/,
      );
      expect(r.last).toBe('2 passed, 0 failed, 0 skipped');
      expect(r.code).toBe(0);
    });

    it('a failed build fails the run with its log tail, and the real tier does not run', () => {
      const r = ciRun(repoCopy(), { STUB_FAIL: '1' });
      expect(r.tiers).toEqual(['host cached=no']);
      expect(r.out).toMatch(/\| stub-go: compile error/);
      expect(r.out).toMatch(/the build failed, the real-target tier does not run/);
      expect(r.last).toBe('1 passed, 1 failed, 0 skipped');
      expect(r.code).not.toBe(0);
    });
  });
});
