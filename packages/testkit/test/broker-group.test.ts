import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  acceptsConnections,
  type BrokerGroup,
  BrokerGroupError,
  startBrokerGroup,
} from '@activemq-ha/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

/** Generous on a loaded 2-core machine; the measured figures are logged. */
const TAKEOVER_BOUND_MS = 15_000;
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Alive and not a zombie (an orphaned JVM may wait for a non-reaping pid 1 in containers). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // Field 3 of /proc/<pid>/stat, after the parenthesised command name.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Live processes whose command line mentions `dir` (every broker JVM of a group does). */
function processesUsing(dir: string): string[] {
  return execFileSync('ps', ['-eo', 'pid=,stat=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(dir) && !/^\s*\d+\s+Z/.test(line));
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

async function portsOpen(ports: Readonly<Record<string, number>>): Promise<boolean[]> {
  return Promise.all(Object.values(ports).map((port) => acceptsConnections(port)));
}

describe('a group of three brokers sharing one store', () => {
  let group: BrokerGroup<'openwire' | 'stomp'> | undefined;
  const g = () => group!;

  beforeAll(async () => {
    group = await startBrokerGroup({ size: 3 });
  });
  afterAll(async () => {
    await group?.stop();
  });
  beforeEach((ctx) => {
    ctx.onTestFailed(() => group?.dumpLogs());
  });

  // The tests run in order and hand the group on: each says what state it starts from.

  it('has exactly one active broker; the waiting ones have their ports closed', async () => {
    expect(g().brokers.map((b) => b.id)).toEqual(['broker-0', 'broker-1', 'broker-2']);
    expect((await g().serving()).map((b) => b.id)).toEqual(['broker-0']);
    expect((await g().active())?.id).toBe('broker-0');
    for (const slave of g().brokers.slice(1)) {
      expect(slave.running).toBe(true);
      expect(await portsOpen(slave.ports)).toEqual([false, false]);
    }
    const ports = g().brokers.flatMap((b) => Object.values(b.ports));
    expect(new Set(ports).size).toBe(6);
  });

  it('SIGKILL of the active broker: another one serves within the bound', async () => {
    const result = await g().failover('SIGKILL', { timeoutMs: 30_000 });
    console.info(
      `takeover after SIGKILL (acquire ${g().lockAcquireSleepIntervalMs} ms, keep-alive ${g().lockKeepAlivePeriodMs} ms): ` +
        `${Math.round(result.takeoverMs)} ms from signal, ${Math.round(result.afterExitMs)} ms from exit; ${result.from.id} -> ${result.to.id}`,
    );
    expect(result.from.id).toBe('broker-0');
    expect(result.to.id).not.toBe('broker-0');
    expect(result.killed.exitSignal).toBe('SIGKILL');
    expect(result.takeoverMs).toBeLessThan(TAKEOVER_BOUND_MS);
    expect(result.from.running).toBe(false);
    expect(isAlive(result.killed.pid)).toBe(false);
    expect((await g().serving()).map((b) => b.id)).toEqual([result.to.id]);
  });

  it('restart brings the killed broker back as a waiting slave whose ports stay closed', async () => {
    const active = await g().active();
    expect(active).toBeDefined();
    const restarted = await g().restart('broker-0');
    expect(restarted.starts).toBe(2);
    expect(restarted.pid).toBeDefined();
    await g().waitForSlave('broker-0');
    // Closed over several lock retries, not just at one instant.
    const until = Date.now() + 2 * g().lockAcquireSleepIntervalMs;
    while (Date.now() < until) {
      expect(await portsOpen(restarted.ports)).toEqual([false, false]);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(restarted.running).toBe(true);
    expect((await g().active())?.id).toBe(active!.id);
  });

  it('SIGTERM of the active broker: kill resolves after a clean exit, another one serves', async () => {
    const result = await g().failover('SIGTERM', { timeoutMs: 30_000 });
    console.info(
      `takeover after SIGTERM: ${Math.round(result.takeoverMs)} ms from signal, ` +
        `${Math.round(result.afterExitMs)} ms from exit (JVM shutdown took ${Math.round(result.killed.exitedAt - result.killed.sentAt)} ms)`,
    );
    // The JVM runs its shutdown hooks and exits 128 + 15.
    expect(result.killed.exitCode).toBe(143);
    expect(isAlive(result.killed.pid)).toBe(false);
    expect(result.takeoverMs).toBeLessThan(TAKEOVER_BOUND_MS);
    expect((await g().serving()).map((b) => b.id)).toEqual([result.to.id]);
    expect(g().brokers.filter((b) => b.running)).toHaveLength(2);
  });

  it('stop() leaves no JVM of the group behind and removes its directory', async () => {
    const pids = g().brokers.flatMap((b) => (b.pid === undefined ? [] : [b.pid]));
    expect(pids).toHaveLength(2);
    expect(processesUsing(g().dir)).toHaveLength(2);
    await g().stop();
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    expect(processesUsing(g().dir)).toEqual([]);
    expect(g().brokers.every((b) => !b.running)).toBe(true);
    expect(existsSync(g().dir)).toBe(false);
    await expect(g().restart('broker-0')).rejects.toMatchObject({ code: 'GROUP_STOPPED' });
  });
});

describe('startBrokerGroup options', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('await using stops a single STOMP-only broker that requires a login', async () => {
    let pid: number | undefined;
    let dir: string | undefined;
    {
      await using group = await startBrokerGroup({
        size: 1,
        protocols: ['stomp'],
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a placeholder the broker resolves from env
        users: [{ username: 'app', password: '${TESTKIT_BROKER_PASSWORD}' }],
        env: { TESTKIT_BROKER_PASSWORD: 's3cret' },
      });
      const broker = group.brokers[0]!;
      pid = broker.pid;
      dir = group.dir;
      expect(Object.keys(broker.ports)).toEqual(['stomp']);
      expect(await stompConnect(broker.ports.stomp, 'app', 's3cret')).toMatch(/^CONNECTED/);
      expect(await stompConnect(broker.ports.stomp, 'app', 'wrong')).toMatch(/^ERROR/);
    }
    expect(pid).toBeDefined();
    expect(isAlive(pid!)).toBe(false);
    expect(existsSync(dir!)).toBe(false);
  });

  it('a bad ACTIVEMQ_HOME is a typed error that says how to install ActiveMQ', async () => {
    vi.stubEnv('ACTIVEMQ_HOME', '/nonexistent/activemq');
    const error = await startBrokerGroup({ size: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrokerGroupError);
    expect(error).toMatchObject({ name: 'BrokerGroupError', code: 'ACTIVEMQ_NOT_FOUND' });
    expect((error as Error).message).toContain('/nonexistent/activemq');
    expect((error as Error).message).toContain('apt-get install activemq');
  });

  it('a missing java and bad lock settings are typed errors too, before any JVM starts', async () => {
    await expect(startBrokerGroup({ javaHome: '/nonexistent/jdk' })).rejects.toMatchObject({
      code: 'JAVA_NOT_FOUND',
    });
    await expect(
      startBrokerGroup({ lockAcquireSleepIntervalMs: 500, lockKeepAlivePeriodMs: 500 }),
    ).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await expect(startBrokerGroup({ size: 0 })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });
});

describe('when the test process dies without stop()', () => {
  let child: ChildProcess | undefined;
  let jvm: number | undefined;
  let scratch: string | undefined;

  afterEach(async () => {
    child?.kill('SIGKILL');
    if (jvm !== undefined && isAlive(jvm)) process.kill(-jvm, 'SIGKILL');
    if (scratch) await rm(scratch, { recursive: true, force: true });
    child = jvm = scratch = undefined;
  });

  /** Starts a one-broker group in a separate Node process; resolves with its JVM and dir. */
  async function groupInChild(): Promise<{ pid: number; dir: string }> {
    scratch = await mkdtemp(join(tmpdir(), 'testkit-child-'));
    const script = join(scratch, 'group.mts');
    const index = new URL('../src/index.ts', import.meta.url).href;
    await writeFile(
      script,
      `import { startBrokerGroup } from ${JSON.stringify(index)};
const group = await startBrokerGroup({ size: 1, parentDir: ${JSON.stringify(scratch)} });
console.log(JSON.stringify({ pid: group.brokers[0].pid, dir: group.dir }));
setInterval(() => {}, 60_000);
`,
    );
    // `node --import tsx`, not the tsx CLI: one process, so signalling it reaches the harness.
    const proc = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child = proc;
    return new Promise((resolve, reject) => {
      let out = '';
      proc.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve(JSON.parse(line) as { pid: number; dir: string });
      });
      proc.once('exit', (code) =>
        reject(new Error(`child exited with ${code} before starting: ${out}`)),
      );
    });
  }

  it('SIGTERM to the test process: the exit hook kills the JVM and removes the directory', async () => {
    const started = await groupInChild();
    jvm = started.pid;
    expect(isAlive(started.pid)).toBe(true);
    child!.kill('SIGTERM');
    expect(await waitUntil(() => !isAlive(started.pid), 10_000)).toBe(true);
    expect(await waitUntil(() => !existsSync(started.dir), 5_000)).toBe(true);
  });

  it.runIf(hasPdeathsig())('SIGKILL of the test process: the JVM dies with it', async () => {
    const started = await groupInChild();
    jvm = started.pid;
    expect(isAlive(started.pid)).toBe(true);
    child!.kill('SIGKILL');
    expect(await waitUntil(() => !isAlive(started.pid), 10_000)).toBe(true);
  });
});

function hasPdeathsig(): boolean {
  try {
    return execFileSync('setpriv', ['--help'], { encoding: 'utf8' }).includes('--pdeathsig');
  } catch {
    return false;
  }
}

/** One STOMP 1.2 CONNECT; resolves with the broker's first frame. */
function stompConnect(port: number, login: string, passcode: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let data = '';
    socket.setTimeout(10_000, () => socket.destroy(new Error('no STOMP answer in 10 s')));
    socket.on('connect', () => {
      socket.write(
        `CONNECT\naccept-version:1.2\nhost:localhost\nlogin:${login}\npasscode:${passcode}\n\n\0`,
      );
    });
    socket.on('data', (chunk) => {
      data += chunk.toString();
      const end = data.indexOf('\0');
      if (end >= 0) {
        socket.destroy();
        resolve(data.slice(0, end));
      }
    });
    socket.on('error', reject);
  });
}
