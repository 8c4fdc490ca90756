#!/usr/bin/env node
import { startAgent } from './agent.js';
import { configHelp, loadConfig } from './config.js';
import { ConfigError } from './errors.js';
import { installWarmup } from './install-warmup.js';
import { createLogger } from './logger.js';
import { checkStore } from './store-check.js';
import { AGENT_VERSION } from './version.js';

const CONFIG_ERROR_CODES = new Set([
  'CONFIG_INVALID',
  'KUBECONFIG_INVALID',
  'INVALID_OPTION',
  'TOKEN_FILE',
]);

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * `activemq-ha-agent`: exit 2 on bad configuration (naming the setting), 1 on a runtime failure
 * or a hand-over whose required release failed, 0 after a SIGTERM/SIGINT hand-over.
 */
async function main(argv: readonly string[]): Promise<void> {
  if (argv[0] === 'check-store') return checkStoreCommand(argv.slice(1));
  if (argv[0] === 'install-warmup') return installWarmupCommand(argv.slice(1));
  if (argv.includes('--version') || argv.includes('-v')) {
    process.stdout.write(`${AGENT_VERSION}\n`);
    return;
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(configHelp());
    return;
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(argv, process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(
      `activemq-ha-agent: ${error.message}\nRun activemq-ha-agent --help for every setting.\n`,
    );
    process.exitCode = 2;
    return;
  }
  const log = createLogger(config.logLevel, config.podName);
  let agent: Awaited<ReturnType<typeof startAgent>>;
  try {
    agent = await startAgent(config, log);
  } catch (error) {
    // Settings that only fail once used (kubeconfig, token file, label syntax checked by core)
    // are configuration errors too: exit 2, like a bad flag, so a crash loop says "fix the config".
    const code = errorCode(error);
    const usage = code !== undefined && CONFIG_ERROR_CODES.has(code);
    process.stderr.write(`activemq-ha-agent: ${(error as Error).message}\n`);
    log.fatal({ event: 'start-failed', err: error, code }, (error as Error).message);
    process.exitCode = usage ? 2 : 1;
    return;
  }
  const onSignal = (signal: NodeJS.Signals) => {
    log.info({ event: 'signal', signal }, `${signal}: handing over`);
    agent.stop().then(
      (h) => {
        // A release that was required but did not happen leaves a stale label: say so.
        process.exitCode = h.required && !h.released ? 1 : 0;
      },
      (error: unknown) => {
        log.error({ event: 'stop-failed', err: error }, 'hand-over failed');
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

/**
 * `activemq-ha-agent check-store <dir>`: the init container's store check. Exit 0 when usable,
 * 1 (the path and uid on stderr) when not, 2 on bad usage.
 */
async function checkStoreCommand(args: readonly string[]): Promise<void> {
  if (args.length !== 1 || args[0]?.startsWith('-')) {
    process.stderr.write('Usage: activemq-ha-agent check-store <store directory>\n');
    process.exitCode = 2;
    return;
  }
  try {
    const result = await checkStore(args[0] as string);
    process.stdout.write(
      `activemq-ha-agent check-store: ${result.dir} is usable\n${result.checks.map((c) => `  ${c}\n`).join('')}`,
    );
  } catch (error) {
    process.stderr.write(`activemq-ha-agent check-store: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}

/**
 * `activemq-ha-agent install-warmup <dir>`: the init container that puts the takeover warm-up
 * java agent where the broker container loads it. Exit 0 when copied, 1 when not, 2 on bad usage.
 */
async function installWarmupCommand(args: readonly string[]): Promise<void> {
  if (args.length !== 1 || args[0]?.startsWith('-')) {
    process.stderr.write('Usage: activemq-ha-agent install-warmup <directory>\n');
    process.exitCode = 2;
    return;
  }
  try {
    const target = await installWarmup(args[0] as string);
    process.stdout.write(`activemq-ha-agent install-warmup: ${target}\n`);
  } catch (error) {
    process.stderr.write(`activemq-ha-agent install-warmup: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`activemq-ha-agent: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
