import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CREDENTIAL_FILES, generatePassword } from '../credentials.js';
import { ManifestsError } from '../errors.js';
import type { BaseOptions, CredentialsOptions } from '../options.js';
import { type FileTree, renderBase } from '../render-base.js';
import { renderYaml } from '../render-objects.js';
import { renderOverlay } from '../render-overlay.js';
import { resolveBaseOptions } from '../resolve-options.js';
import { writeTree } from '../write-tree.js';
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
    if (parsed.command === 'init') return await init(parsed, io);
    if (parsed.command === 'render') return await render(parsed, io);
    throw new UsageError('missing command: init <dir> or render');
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${PROGRAM}: ${error.message}\nTry '${PROGRAM} --help'.\n`);
      return 2;
    }
    if (error instanceof ManifestsError && error.code === 'INVALID_OPTION') {
      const flag = flagForField(error.field);
      const hint = flag ? ` (set with --${flag.name})` : '';
      io.stderr.write(
        `${PROGRAM}: invalid option ${error.message}${hint}\nTry '${PROGRAM} --help'.\n`,
      );
      return 2;
    }
    const hint =
      error instanceof ManifestsError && error.code === 'FILE_CONFLICT'
        ? ' Use --force to overwrite, or --base-only to regenerate only the base.'
        : '';
    io.stderr.write(
      `${PROGRAM}: ${error instanceof Error ? error.message : String(error)}${hint}\n`,
    );
    return 1;
  }
}

async function init(parsed: ParsedCli, io: CliIo): Promise<number> {
  if (parsed.positionals.length !== 1)
    throw new UsageError('init takes exactly one directory: init <dir>');
  const dir = parsed.positionals[0] as string;
  const overlayName = parsed.cli.overlay ?? 'example';
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(overlayName)) {
    throw new UsageError(`--overlay: "${overlayName}" must be a plain directory name`);
  }
  const baseOptions = parsed.base as BaseOptions;
  const tree: Record<string, string> = prefix('base', renderBase(baseOptions));
  let generated: string[] = [];
  const overlayDir = join('overlays', overlayName);
  if (!parsed.cli.baseOnly) {
    const base = resolveBaseOptions(baseOptions);
    const credentials = await credentialsFor(parsed, io, base.console.enabled);
    generated = credentials.generated;
    Object.assign(
      tree,
      prefix(
        overlayDir,
        renderOverlay({
          ...parsed.overlay,
          name: base.name,
          console: { enabled: base.console.enabled },
          credentials: credentials.options,
        }),
      ),
    );
  }
  const result = await writeTree(dir, tree, { force: parsed.cli.force ?? false });
  io.stderr.write(
    `Wrote ${result.written.length} file(s) under ${dir} (${result.unchanged.length} already up to date).\n`,
  );
  for (const what of generated) {
    const file = what === 'broker' ? CREDENTIAL_FILES[0] : CREDENTIAL_FILES[1];
    io.stderr.write(
      `Generated a random ${what} password; it is in ${join(dir, overlayDir, file)} (mode 0600, git-ignored), not printed.\n`,
    );
  }
  if (!parsed.cli.baseOnly) {
    io.stderr.write(
      `Build and apply: kubectl kustomize ${join(dir, overlayDir)} | kubectl apply -f -\n`,
    );
  }
  return 0;
}

async function render(parsed: ParsedCli, io: CliIo): Promise<number> {
  if (parsed.positionals.length > 0) throw new UsageError('render takes no arguments');
  const baseOptions = parsed.base as BaseOptions;
  const base = resolveBaseOptions(baseOptions);
  const credentials = await credentialsFor(parsed, io, base.console.enabled);
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

async function credentialsFor(
  parsed: ParsedCli,
  io: CliIo,
  consoleEnabled: boolean,
): Promise<{ options: CredentialsOptions; generated: ('broker' | 'console')[] }> {
  const generated: ('broker' | 'console')[] = [];
  const pick = async (what: 'broker' | 'console', file: string | undefined, env: string) => {
    if (file !== undefined) return (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
    const fromEnv = io.env[env];
    if (fromEnv) return fromEnv;
    generated.push(what);
    return generatePassword();
  };
  const given = parsed.overlay.credentials as Partial<CredentialsOptions> | undefined;
  const brokerPassword = await pick(
    'broker',
    parsed.cli.brokerPasswordFile,
    'ACTIVEMQ_HA_BROKER_PASSWORD',
  );
  const consolePassword = consoleEnabled
    ? await pick('console', parsed.cli.consolePasswordFile, 'ACTIVEMQ_HA_CONSOLE_PASSWORD')
    : undefined;
  return {
    options: { ...given, brokerPassword, ...(consolePassword ? { consolePassword } : {}) },
    generated,
  };
}

function prefix(dir: string, files: FileTree): Record<string, string> {
  return Object.fromEntries(
    Object.entries(files).map(([path, contents]) => [join(dir, path), contents]),
  );
}
