import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { parse as parseYaml } from 'yaml';
import { overlayDefaults } from '../components.js';
import {
  CREDENTIAL_FILES,
  generatePassword,
  parseCredentialsEnv,
  parseJettyRealm,
  parseUserPasswords,
} from '../credentials.js';
import { ManifestsError } from '../errors.js';
import { groupNames } from '../objects/manifest.js';
import { tlsSettings } from '../objects/tls.js';
import {
  agentImageBuildCommand,
  type BaseOptions,
  type CredentialsOptions,
  DEFAULT_AGENT_IMAGE,
  type ExistingSecretCredentials,
  PACKAGE_VERSION,
} from '../options.js';
import { type FileTree, renderBase } from '../render-base.js';
import { renderYaml } from '../render-objects.js';
import { renderOverlay } from '../render-overlay.js';
import { type ResolvedBaseOptions, resolveBaseOptions } from '../resolve-options.js';
import { planTree, writeTree } from '../write-tree.js';
import { flagForField, UsageError } from './flags.js';
import { helpText } from './help.js';
import { type ParsedCli, parseCli } from './parse-cli.js';

export interface CliIo {
  readonly stdout: { write(chunk: string): unknown };
  readonly stderr: { write(chunk: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
}

const PROGRAM = 'activemq-ha-manifests';

/** Runs one CLI invocation and returns its exit code: 0 ok, 1 runtime failure, 2 usage error. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const parsed = parseCli(argv);
    if (parsed.cli.help) {
      io.stdout.write(helpText());
      return 0;
    }
    if (parsed.cli.version) {
      io.stdout.write(`${PACKAGE_VERSION}\n`);
      return 0;
    }
    if (parsed.cli.leases === false) {
      throw new UsageError(
        '--no-leases is no longer possible: the agent always keeps the group Lease (it numbers leadership terms and exposes a split brain); drop the flag',
      );
    }
    if (parsed.cli.leases) {
      io.stderr.write(
        `${PROGRAM}: warning: --leases is obsolete and has no effect: the agent always keeps the group Lease and the Role always grants it; drop the flag.\n`,
      );
    }
    if (parsed.command === 'init') return await init(parsed, io);
    if (parsed.command === 'render') return await render(parsed, io);
    throw new UsageError('missing command: init <dir> or render');
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${PROGRAM}: ${error.message}\nTry '${PROGRAM} --help'.\n`);
      return 2;
    }
    if (error instanceof ManifestsError && error.code === 'INVALID_OPTION') {
      for (const problem of error.problems) {
        const flag = flagForField(problem.field);
        const hint = flag ? ` (set with --${flag.name})` : '';
        io.stderr.write(`${PROGRAM}: invalid option ${problem.field}: ${problem.message}${hint}\n`);
      }
      io.stderr.write(`Try '${PROGRAM} --help'.\n`);
      return 2;
    }
    const hint =
      error instanceof ManifestsError && error.code === 'FILE_CONFLICT'
        ? ' Use --force to overwrite (passwords are kept unless --rotate-credentials), or --base-only to regenerate only the base.'
        : '';
    io.stderr.write(
      `${PROGRAM}: ${error instanceof Error ? error.message : String(error)}${hint}\n`,
    );
    return 1;
  }
}

type OverlayCredentials = CredentialsOptions | ExistingSecretCredentials;

async function init(parsed: ParsedCli, io: CliIo): Promise<number> {
  if (parsed.positionals.length !== 1)
    throw new UsageError('init takes exactly one directory: init <dir>');
  const dir = parsed.positionals[0] as string;
  const overlayName = parsed.cli.overlay ?? 'example';
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(overlayName)) {
    throw new UsageError(`--overlay: "${overlayName}" must be a plain directory name`);
  }
  const baseOptions = await baseOptionsOf(parsed);
  const tree: Record<string, string> = prefix('base', renderBase(baseOptions));
  const base = resolveBaseOptions(baseOptions);
  let generated: string[] = [];
  const overlayDir = join('overlays', overlayName);
  if (!parsed.cli.baseOnly) {
    const credentials = await credentialsFor(parsed, io, base, join(dir, overlayDir));
    generated = credentials.generated;
    Object.assign(
      tree,
      prefix(
        overlayDir,
        renderOverlay({
          ...overlayDefaults(base),
          ...parsed.overlay,
          credentials: credentials.options,
        }),
      ),
    );
  }
  if (parsed.cli.dryRun || parsed.cli.diff) return preview(dir, tree, parsed, io);

  const rotated = parsed.cli.rotateCredentials
    ? CREDENTIAL_FILES.map((file) => join(overlayDir, file))
    : [];
  const result = await writeTree(dir, tree, { force: parsed.cli.force ?? false, replace: rotated });
  io.stderr.write(
    `Wrote ${result.written.length} file(s) under ${dir} (${result.unchanged.length} already up to date).\n`,
  );
  for (const what of generated) {
    const file = what === 'console' ? CREDENTIAL_FILES[1] : CREDENTIAL_FILES[0];
    io.stderr.write(
      `Generated a random ${what} password; it is in ${join(dir, overlayDir, file)} (mode 0600, git-ignored), not printed.\n`,
    );
  }
  printNextSteps(io, base, parsed, join(dir, overlayDir));
  return 0;
}

/** `--dry-run` lists what would change, `--diff` shows it; neither writes. */
async function preview(dir: string, tree: FileTree, parsed: ParsedCli, io: CliIo): Promise<number> {
  const plan = await planTree(dir, tree);
  const changed = plan.filter((f) => f.existing !== f.contents);
  for (const file of plan) {
    const state =
      file.existing === undefined ? 'create' : file.existing === file.contents ? 'same' : 'change';
    if (parsed.cli.dryRun) io.stdout.write(`${state.padEnd(7)}${join(dir, file.rel)}\n`);
    if (parsed.cli.diff && state !== 'same') {
      const secret = (CREDENTIAL_FILES as readonly string[]).some((f) => file.rel.endsWith(f));
      const path = join(dir, file.rel);
      io.stdout.write(
        secret
          ? `--- ${path}\n+++ ${path}\n(credentials ${state === 'create' ? 'created' : 'changed'}; contents not shown)\n`
          : createTwoFilesPatch(
              path,
              path,
              file.existing ?? '',
              file.contents,
              undefined,
              undefined,
              {
                context: 3,
              },
            ),
      );
    }
  }
  io.stderr.write(
    `${changed.length} file(s) would be created or changed under ${dir}; nothing was written.\n`,
  );
  return 0;
}

function printNextSteps(io: CliIo, base: ResolvedBaseOptions, parsed: ParsedCli, overlay: string) {
  if (base.agent.image === DEFAULT_AGENT_IMAGE) {
    io.stderr.write(
      `The agent image ${base.agent.image}:${base.agent.version} is not published: build and push your own (at the root of the activemq-ha repository):\n  ${agentImageBuildCommand()}\nthen regenerate with --agent-image <registry>/activemq-ha/agent.\n`,
    );
  }
  const tls = tlsSettings(groupNames(base.name), base);
  if (tls) {
    const ns = String(parsed.overlay.namespace ?? 'activemq');
    const certificate = base.tls?.certManager
      ? `cert-manager writes the keystore into Secret ${tls.secretName}`
      : `create Secret ${tls.secretName} with the PKCS12 keystore under ${tls.keystoreKey}`;
    io.stderr.write(
      `TLS: ${certificate}; the keystore password is read from Secret ${tls.passwordSecret.name}, key ${tls.passwordSecret.key}:\n  kubectl -n ${ns} create secret generic ${tls.passwordSecret.name} --from-literal=${tls.passwordSecret.key}="$(openssl rand -base64 24)"\n`,
    );
  }
  if (parsed.cli.baseOnly) return;
  const createNamespace = parsed.overlay.createNamespace !== false;
  if (createNamespace && parsed.overlay.namespaceInBuild !== true) {
    io.stderr.write(`Create the namespace once: kubectl apply -k ${join(overlay, 'namespace')}\n`);
  }
  io.stderr.write(`Build and apply: kubectl apply -k ${overlay}\n`);
}

async function render(parsed: ParsedCli, io: CliIo): Promise<number> {
  if (parsed.positionals.length > 0) throw new UsageError('render takes no arguments');
  const baseOptions = await baseOptionsOf(parsed);
  const base = resolveBaseOptions(baseOptions);
  const credentials = await credentialsFor(parsed, io, base);
  const yaml = renderYaml({
    base: baseOptions,
    overlay: { ...parsed.overlay, credentials: credentials.options },
  });
  io.stdout.write(yaml);
  if (credentials.generated.length > 0) {
    io.stderr.write(
      `Generated random ${credentials.generated.join(' and ')} password(s); they are only in the Secret ${base.name}-credentials-* of the output (base64).\n`,
    );
  }
  return 0;
}

/**
 * Passwords for the overlay, by precedence: a --*-password-file, the environment, the overlay's
 * existing files (so a second `init` with the same flags changes nothing), a new random one.
 * Replacing an existing password needs --rotate-credentials: it restarts every pod and locks out
 * clients still holding the old one.
 */
async function credentialsFor(
  parsed: ParsedCli,
  io: CliIo,
  base: ResolvedBaseOptions,
  overlayDir?: string,
): Promise<{ options: OverlayCredentials; generated: string[] }> {
  const consoleEnabled = base.console.enabled;
  const usernames = base.security.users.map((u) => u.username);
  const given = parsed.overlay.credentials as
    | (Partial<CredentialsOptions> & { existingSecret?: boolean })
    | undefined;
  if (given?.existingSecret) return { options: { existingSecret: true }, generated: [] };
  const rotate = parsed.cli.rotateCredentials ?? false;
  const existing =
    overlayDir && !rotate ? await existingCredentials(overlayDir, usernames) : { users: {} };
  const generated: string[] = [];
  const pick = async (
    what: 'broker' | 'console',
    file: string | undefined,
    env: string,
    current: string | undefined,
  ) => {
    const supplied =
      file !== undefined
        ? (await readFile(file, 'utf8')).replace(/\r?\n$/, '')
        : io.env[env] || undefined;
    if (supplied !== undefined && current !== undefined && supplied !== current) {
      throw new UsageError(
        `the supplied ${what} password differs from the one in ${overlayDir}; pass --rotate-credentials to replace it (pods restart, clients need the new one)`,
      );
    }
    if (supplied !== undefined) return supplied;
    if (current !== undefined) return current;
    generated.push(what);
    return generatePassword();
  };
  const brokerPassword = await pick(
    'broker',
    parsed.cli.brokerPasswordFile,
    'ACTIVEMQ_HA_BROKER_PASSWORD',
    existing.broker,
  );
  const consolePassword = consoleEnabled
    ? await pick(
        'console',
        parsed.cli.consolePasswordFile,
        'ACTIVEMQ_HA_CONSOLE_PASSWORD',
        existing.console,
      )
    : undefined;
  // The security.users' passwords: kept from the overlay, else new (no flag supplies them).
  const userPasswords: Record<string, string> = {};
  for (const user of usernames) {
    const current = existing.users[user];
    if (current === undefined) generated.push(`user ${user}`);
    userPasswords[user] = current ?? generatePassword();
  }
  return {
    options: {
      ...given,
      brokerPassword,
      ...(consolePassword ? { consolePassword } : {}),
      ...(usernames.length > 0 ? { userPasswords } : {}),
    },
    generated,
  };
}

/** The parsed flags' base options, with `security` from `--security-file` (YAML). */
async function baseOptionsOf(parsed: ParsedCli): Promise<BaseOptions> {
  const file = parsed.cli.securityFile;
  if (file === undefined) return parsed.base as unknown as BaseOptions;
  let security: unknown;
  try {
    security = parseYaml(await readFile(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--security-file ${file}: ${(error as Error).message}`);
  }
  if (security === null || typeof security !== 'object' || Array.isArray(security)) {
    throw new UsageError(
      `--security-file ${file}: must be a mapping with brokerUserGroups, users and authorization`,
    );
  }
  return { ...(parsed.base as unknown as BaseOptions), security: security as never };
}

async function existingCredentials(
  overlayDir: string,
  usernames: readonly string[],
): Promise<{ broker?: string; console?: string; users: Record<string, string> }> {
  const read = (file: string) => readFile(join(overlayDir, file), 'utf8').catch(() => undefined);
  const [env, realm] = await Promise.all(CREDENTIAL_FILES.map(read));
  const broker = env === undefined ? undefined : parseCredentialsEnv(env)?.password;
  const console = realm === undefined ? undefined : parseJettyRealm(realm)?.password;
  const users = env === undefined ? {} : parseUserPasswords(env, usernames);
  return { ...(broker ? { broker } : {}), ...(console ? { console } : {}), users };
}

function prefix(dir: string, files: FileTree): Record<string, string> {
  return Object.fromEntries(
    Object.entries(files).map(([path, contents]) => [join(dir, path), contents]),
  );
}
