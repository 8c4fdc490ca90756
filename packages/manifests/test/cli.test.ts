import { execFile, spawn } from 'node:child_process';
import { access, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { KubeObject } from '@activemq-ha/manifests';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { runCli } from '../src/cli/run-cli.js';
import { kustomize, tempDir } from './helpers/kustomize.js';
import { restrictedViolations } from './helpers/pod-security.js';
import { schemaProblems } from './helpers/schemas.js';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI from source through tsx, as `npx tsx packages/manifests/src/cli.ts` would. */
function cli(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: ROOT,
      env: {
        ...process.env,
        ACTIVEMQ_HA_BROKER_PASSWORD: '',
        ACTIVEMQ_HA_CONSOLE_PASSWORD: '',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The same CLI in this process: for the many small cases where spawning tsx would be slow. */
async function cliInProcess(args: string[], env: Record<string, string> = {}): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (c: string) => (stdout += c) },
    stderr: { write: (c: string) => (stderr += c) },
    env,
  });
  return { code, stdout, stderr };
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe('activemq-ha-manifests CLI', () => {
  it('--help prints every flag on stdout and exits 0', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    for (const flag of [
      '--replicas',
      '--nfs-server',
      '--force-nfs',
      '--protocols',
      '--expose-console',
      '--force',
    ]) {
      expect(r.stdout).toContain(flag);
    }
    expect((await cli(['init', '--help'])).code).toBe(0);
  });

  it('exits 2 on usage errors, with the message on stderr', async () => {
    const bad = await cli(['render', '--no-such-flag']);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain('--no-such-flag');
    expect((await cli([])).code).toBe(2);
    expect((await cli(['deploy'])).code).toBe(2);
    expect((await cli(['render', '--replicas', 'two'])).code).toBe(2);
    expect((await cli(['render', '--force'])).stderr).toContain('only applies to: init');
  });

  it('rejects bad options naming the flag, and writes nothing', async () => {
    await using dir = await tempDir();
    const target = join(dir.path, 'out');
    const rwx = ['--storage-class', 'nfs-csi'];
    const cases: [string[], string][] = [
      [[], '--storage-class'],
      [[...rwx, '--replicas', '0'], '--replicas'],
      [[...rwx, '--java-options', '-Xmx2g'], '--java-options'],
      [[...rwx, '--broker-memory-request', '2Gi'], '--broker-memory-request'],
      [[...rwx, '--namespace', 'kube-system'], '--namespace'],
      [[...rwx, '--load-balancer-ip', '10.1.2.3'], 'loadBalancerIP'],
      [['--nfs-server', 'nfs', '--nfs-path', '/x', '--nfs-mount-options', 'hard'], 'nfsvers'],
      [['--nfs-server', '', '--nfs-path', '/x'], '--nfs-server'],
      [[...rwx, '--protocols', 'openwire,carrier-pigeon'], '--protocols'],
      [[...rwx, '--name', 'Not_DNS'], '--name'],
      [[...rwx, '--namespace', 'UPPER'], '--namespace'],
      [
        ['--nfs-server', 'nfs', '--nfs-path', '/x', '--nfs-mount-options', 'vers=3'],
        '--nfs-mount-options',
      ],
    ];
    for (const [flags, named] of cases) {
      const r = await cliInProcess(['init', target, ...flags]);
      expect(r.code, flags.join(' ')).toBe(2);
      expect(r.stderr).toContain(named);
      expect(await exists(target)).toBe(false);
    }
    const forced = await cli([
      'render',
      '--nfs-server',
      'nfs',
      '--nfs-path',
      '/x',
      '--nfs-mount-options',
      'vers=3',
      '--force-nfs',
    ]);
    expect(forced.code).toBe(0);

    // Several problems: each on its own line with its flag, in words.
    const several = await cliInProcess([
      'render',
      ...rwx,
      '--replicas',
      '0',
      '--probe-interval-ms',
      '0',
    ]);
    expect(several.stderr).toContain(
      'invalid option replicas: must be at least 1 (set with --replicas)',
    );
    expect(several.stderr).toContain(
      'invalid option agent.probeIntervalMs: must be at least 1 (set with --probe-interval-ms)',
    );
    expect(several.stderr).not.toMatch(/Too small|more problem/);
    const missing = await cliInProcess(['render']);
    expect(missing.stderr).toMatch(/--nfs-server and --nfs-path.*--storage-class/);
  });

  it('--version prints the package version; --java-options takes a value starting with "-"', async () => {
    const pkg = JSON.parse(
      await readFile(join(ROOT, 'packages/manifests/package.json'), 'utf8'),
    ) as {
      version: string;
    };
    const v = await cli(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout).toBe(`${pkg.version}\n`);
    const r = await cli(
      [
        'render',
        '--storage-class',
        'nfs-csi',
        '--java-options',
        '-Xmx700m',
        '--broker-memory-limit',
        '1Gi',
      ],
      { ACTIVEMQ_HA_BROKER_PASSWORD: 'from-the-environment-42' },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('-Xmx700m');
    expect(r.stdout).toContain('-XX:+ExitOnOutOfMemoryError');
  });

  it('init writes a tree kubectl kustomize builds, with generated passwords never printed', async () => {
    await using dir = await tempDir();
    const r = await cli([
      'init',
      dir.path,
      '--namespace',
      'mq',
      '--nfs-server',
      'nfs.example.com',
      '--nfs-path',
      '/mq',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const overlay = join(dir.path, 'overlays', 'example');
    expect(r.stderr).toContain(join(overlay, 'credentials.env'));
    expect(r.stderr).toContain(join(overlay, 'jetty-realm.properties'));
    const env = await readFile(join(overlay, 'credentials.env'), 'utf8');
    const password = /ACTIVEMQ_PASSWORD=(.+)/.exec(env)?.[1] ?? '';
    expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(r.stderr).not.toContain(password);
    expect((await stat(join(overlay, 'credentials.env'))).mode & 0o777).toBe(0o600);
    // The default agent image is not published: init says how to build it.
    expect(r.stderr).toContain('docker build -f packages/agent/Dockerfile');
    expect(r.stderr).toContain(`kubectl apply -k ${join(overlay, 'namespace')}`);

    const objects = [
      ...(await kustomize(join(overlay, 'namespace'))),
      ...(await kustomize(overlay)),
    ];
    expect(schemaProblems(objects)).toEqual([]);
    expect(restrictedViolations(objects)).toEqual([]);
    expect(objects.map((o) => o.kind)).toEqual(
      expect.arrayContaining([
        'Namespace',
        'Deployment',
        'PersistentVolume',
        'PersistentVolumeClaim',
        'Secret',
      ]),
    );
  });

  it('a second init with the same flags changes nothing; rotation needs its own flag', async () => {
    await using dir = await tempDir();
    const flags = ['init', dir.path, '--nfs-server', 'nfs', '--nfs-path', '/mq'];
    expect((await cliInProcess(flags)).code).toBe(0);
    const env = join(dir.path, 'overlays', 'example', 'credentials.env');
    const realm = join(dir.path, 'overlays', 'example', 'jetty-realm.properties');
    const before = [await readFile(env, 'utf8'), await readFile(realm, 'utf8')];

    const again = await cliInProcess(flags);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/Wrote 0 file\(s\)/);
    expect([await readFile(env, 'utf8'), await readFile(realm, 'utf8')]).toEqual(before);

    // --force overwrites changed files but keeps the passwords.
    expect((await cliInProcess([...flags, '--force'])).code).toBe(0);
    expect(await readFile(env, 'utf8')).toBe(before[0]);

    // A different password is a rotation: refused without --rotate-credentials.
    const other = await cliInProcess(flags, {
      ACTIVEMQ_HA_BROKER_PASSWORD: 'another-password-123',
    });
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('--rotate-credentials');
    expect(await readFile(env, 'utf8')).toBe(before[0]);

    // --dry-run and --diff show the rotation and write nothing.
    const dry = await cliInProcess([...flags, '--rotate-credentials', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`change ${env}`);
    expect(dry.stdout).toContain(`same   ${join(dir.path, 'base', 'deployment.yaml')}`);
    const diff = await cliInProcess([
      ...flags,
      '--rotate-credentials',
      '--diff',
      '--replicas',
      '3',
    ]);
    expect(diff.stdout).toContain('-  replicas: 2');
    expect(diff.stdout).toContain('+  replicas: 3');
    expect(diff.stdout).toContain('(credentials changed; contents not shown)');
    expect(diff.stdout).not.toMatch(/ACTIVEMQ_PASSWORD=/);
    expect(await readFile(env, 'utf8')).toBe(before[0]);

    const rotated = await cliInProcess([...flags, '--rotate-credentials']);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(await readFile(env, 'utf8')).not.toBe(before[0]);
    expect(await readFile(realm, 'utf8')).not.toBe(before[1]);
  });

  it('TLS and a security file: users get generated passwords kept on re-runs; --leases only warns', async () => {
    await using dir = await tempDir();
    const security = join(dir.path, 'security.yaml');
    await writeFile(
      security,
      [
        'brokerUserGroups: [admins]',
        'users:',
        '  - { username: shop, groups: [shop] }',
        'authorization:',
        '  - { queue: "orders.>", write: [shop], read: [admins], admin: [shop, admins] }',
        '',
      ].join('\n'),
    );
    const out = join(dir.path, 'tree');
    const flags = [
      'init',
      out,
      '--storage-class',
      'nfs-csi',
      '--protocols',
      'openwire,openwire-tls,stomp-tls',
      '--cert-manager-issuer',
      'internal-ca',
      '--cert-manager-issuer-kind',
      'ClusterIssuer',
      '--security-file',
      security,
      '--leases',
    ];
    const first = await cliInProcess(flags);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain('warning: --leases is obsolete');
    expect(first.stderr).toContain('Generated a random user shop password');
    expect(first.stderr).toContain(
      'kubectl -n activemq create secret generic activemq-tls-password --from-literal=password=',
    );
    const env = join(out, 'overlays', 'example', 'credentials.env');
    const before = await readFile(env, 'utf8');
    expect(before).toMatch(/^ACTIVEMQ_PASSWORD_SHOP=\S{32}$/m);
    const again = await cliInProcess(flags);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/Wrote 0 file\(s\)/);
    expect(await readFile(env, 'utf8')).toBe(before);

    const objects = await kustomize(join(out, 'overlays', 'example'));
    expect(schemaProblems(objects)).toEqual([]);
    expect(objects.find((o) => o.kind === 'Certificate')?.metadata.name).toBe('activemq-tls');
    const xml = (
      objects.find((o) => o.kind === 'ConfigMap') as unknown as { data: Record<string, string> }
    ).data['activemq.xml'];
    expect(xml).toContain(
      '<authorizationEntry queue="orders.&gt;" read="admins" write="shop" admin="shop,admins"/>',
    );

    const refused = await cliInProcess([...flags.slice(0, -1), '--no-leases']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--no-leases is no longer possible');
  });

  it('refuses to overwrite changed files unless forced', async () => {
    await using dir = await tempDir();
    expect((await cli(['init', dir.path, '--storage-class', 'nfs-csi'])).code).toBe(0);
    const deployment = join(dir.path, 'base', 'deployment.yaml');
    const env = join(dir.path, 'overlays', 'example', 'credentials.env');
    const before = await readFile(env, 'utf8');
    await writeFile(deployment, '# edited by hand\n');

    // A second init would write the original deployment.yaml: refused, nothing touched.
    const again = await cli(['init', dir.path, '--storage-class', 'nfs-csi']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('base/deployment.yaml');
    expect(again.stderr).toContain('--force');
    expect(await readFile(deployment, 'utf8')).toBe('# edited by hand\n');
    expect(await readFile(env, 'utf8')).toBe(before);

    // --base-only regenerates the base and keeps the overlay's passwords; --force overwrites.
    expect((await cli(['init', dir.path, '--storage-class', 'nfs-csi', '--base-only'])).code).toBe(
      1,
    );
    const forced = await cli([
      'init',
      dir.path,
      '--storage-class',
      'nfs-csi',
      '--base-only',
      '--force',
    ]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(await readFile(deployment, 'utf8')).toContain('kind: Deployment');
    expect(await readFile(env, 'utf8')).toBe(before);
  });

  it('render prints multi-document YAML on stdout and says where generated passwords went', async () => {
    const r = await cli(
      ['render', '--storage-class', 'nfs-csi', '--namespace', 'mq', '--replicas', '3'],
      {
        ACTIVEMQ_HA_BROKER_PASSWORD: 'from-the-environment-42',
      },
    );
    expect(r.code, r.stderr).toBe(0);
    const objects = parseAllDocuments(r.stdout, { version: '1.1' }).map(
      (d) => d.toJS() as KubeObject,
    );
    expect(schemaProblems(objects)).toEqual([]);
    expect(restrictedViolations(objects)).toEqual([]);
    expect(objects.find((o) => o.kind === 'Deployment')?.spec).toMatchObject({ replicas: 3 });
    const secret = objects.find((o) => o.kind === 'Secret') as unknown as {
      data: Record<string, string>;
    };
    expect(Buffer.from(secret.data.ACTIVEMQ_PASSWORD ?? '', 'base64').toString()).toBe(
      'from-the-environment-42',
    );
    expect(r.stderr).toMatch(/Generated random console password\(s\).*Secret activemq-credentials/);
    expect(r.stderr).not.toContain('from-the-environment-42');
  });
});

describe('GitOps', () => {
  it('an overlay with --existing-secret builds from a fresh clone of the repository', async () => {
    await using dir = await tempDir();
    const repo = join(dir.path, 'repo');
    const r = await cliInProcess([
      'init',
      repo,
      '--existing-secret',
      '--namespace',
      'mq',
      '--nfs-server',
      'nfs',
      '--nfs-path',
      '/mq',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const git = (cwd: string, ...args: string[]) =>
      run('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd });
    await git(repo, 'init', '-q');
    await git(repo, 'add', '-A');
    await git(repo, 'commit', '-q', '-m', 'manifests');
    const clone = join(dir.path, 'clone');
    await git(dir.path, 'clone', '-q', repo, clone);

    const overlay = join(clone, 'overlays', 'example');
    const objects = await kustomize(overlay);
    expect(schemaProblems(objects)).toEqual([]);
    expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
    // The Deployment names the Secret the cluster already holds.
    expect(JSON.stringify(objects)).toContain('"name":"activemq-credentials"');
    expect(await kustomize(join(overlay, 'namespace'))).toHaveLength(1);
  });
});
