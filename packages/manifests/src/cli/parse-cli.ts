import { parseArgs } from 'node:util';
import { FLAGS, type Flag, UsageError } from './flags.js';

export const COMMANDS = ['init', 'render'] as const;
export type Command = (typeof COMMANDS)[number];

export interface ParsedCli {
  readonly command?: Command;
  readonly positionals: readonly string[];
  /** Unvalidated option trees; the library validates them and names bad fields. */
  readonly base: Record<string, unknown>;
  readonly overlay: Record<string, unknown>;
  readonly cli: {
    readonly help?: boolean;
    readonly version?: boolean;
    readonly force?: boolean;
    readonly dryRun?: boolean;
    readonly diff?: boolean;
    readonly rotateCredentials?: boolean;
    readonly baseOnly?: boolean;
    readonly overlay?: string;
    readonly brokerPasswordFile?: string;
    readonly consolePasswordFile?: string;
    readonly securityFile?: string;
    readonly leases?: boolean;
  };
}

/** Strict parsing: unknown flags, missing values and malformed numbers are UsageErrors. */
export function parseCli(argv: readonly string[]): ParsedCli {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: joinValues(argv),
      strict: true,
      allowPositionals: true,
      allowNegative: true,
      options: Object.fromEntries(
        FLAGS.map((flag) => [
          flag.name,
          {
            type: flag.kind === 'boolean' ? ('boolean' as const) : ('string' as const),
            multiple: flag.multiple ?? false,
            ...(flag.short ? { short: flag.short } : {}),
          },
        ]),
      ),
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const [first, ...positionals] = parsed.positionals;
  if (first !== undefined && !(COMMANDS as readonly string[]).includes(first)) {
    throw new UsageError(`unknown command "${first}"; use one of ${COMMANDS.join(', ')}`);
  }
  const command = first as Command | undefined;
  const root: Record<string, Record<string, unknown>> = { base: {}, overlay: {}, cli: {} };
  for (const flag of FLAGS) {
    const raw = parsed.values[flag.name];
    if (raw === undefined || (flag.offOnly && raw === true)) continue;
    if (command && flag.commands && !flag.commands.includes(command)) {
      throw new UsageError(`--${flag.name} only applies to: ${flag.commands.join(', ')}`);
    }
    const values = Array.isArray(raw) ? raw : [raw];
    const converted = values.map((v) => convert(flag, v));
    const value =
      flag.kind === 'pairs'
        ? Object.assign({}, ...converted)
        : flag.multiple
          ? converted
          : converted[0];
    setPath(root, flag.target, value);
  }
  return {
    ...(command ? { command } : {}),
    positionals,
    base: root.base ?? {},
    overlay: root.overlay ?? {},
    cli: root.cli ?? {},
  };
}

/**
 * `--java-options -Xmx2g`: parseArgs would read `-Xmx2g` as flags and call the value ambiguous.
 * A flag that takes a value always takes the next argument, so it is joined as `--flag=value`.
 */
function joinValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const flag = arg.startsWith('--') ? FLAGS.find((f) => `--${f.name}` === arg) : undefined;
    const next = argv[i + 1];
    if (flag && flag.kind !== 'boolean' && next?.startsWith('-')) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

function convert(flag: Flag, value: string | boolean): unknown {
  if (typeof value === 'boolean') return value;
  switch (flag.kind) {
    case 'int':
      if (!/^-?\d+$/.test(value))
        throw new UsageError(`--${flag.name}: expected an integer, got "${value}"`);
      return Number(value);
    case 'list':
      return value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    case 'pairs': {
      const eq = value.indexOf('=');
      if (eq <= 0) throw new UsageError(`--${flag.name}: expected key=value, got "${value}"`);
      return { [value.slice(0, eq)]: value.slice(eq + 1) };
    }
    default:
      return value;
  }
}

function setPath(root: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = root;
  for (const key of keys.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1] as string] = value;
}
