/**
 * pnpm bench:soak [--faults N] [--seed S] [--rate R] [--bound-ms B]: the chaos soak of
 * test/chaos-soak.test.ts, longer (default 100 faults at 100 msg/s), printing per fault kind the
 * p50/p95/max of broker takeover, label convergence, EndpointSlice update and the clients'
 * produce and consume outages, with the delivery totals. Exit code 1 when an invariant broke.
 * SOAK_SEED / SOAK_FAULTS work here too; flags win.
 * `--api real`: against a real kube-apiserver + kube-controller-manager, without the emulator's
 * API faults; run it inside the stand-in pod network:
 * `pnpm -s build && sh scripts/pod-network.sh pnpm bench:soak --api real`.
 * `--warmup on|off`: the takeover warm-up agent in the broker JVMs (default on, as the manifests
 * deploy it; sh scripts/setup-takeover-warmup.sh builds it).
 */
import { parseArgs } from 'node:util';
import {
  DEFAULT_TAKEOVER_PROFILE,
  formatSoakReport,
  runSoak,
  SeededRandom,
  soakEnv,
  TAKEOVER_PROFILES,
} from '@activemq-ha/testkit';
import { requireAgentBundle } from '../test/agent-entrypoint.js';

const { values } = parseArgs({
  options: {
    faults: { type: 'string' },
    seed: { type: 'string' },
    rate: { type: 'string', default: '100' },
    api: { type: 'string', default: 'emulator' },
    // A loaded machine's JVMs can need more than the default 15 s to answer after a takeover.
    'bound-ms': { type: 'string' },
    warmup: { type: 'string', default: 'on' },
  },
});
const int = (name: string, raw: string | undefined, min: number): number | undefined => {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`--${name} must be an integer >= ${min}, got "${raw}"\n`);
    process.exit(2);
  }
  return n;
};
if (values.api !== 'emulator' && values.api !== 'real') {
  process.stderr.write(`--api must be emulator or real, got "${values.api}"\n`);
  process.exit(2);
}
const api = values.api;
if (values.warmup !== 'on' && values.warmup !== 'off') {
  process.stderr.write(`--warmup must be on or off, got "${values.warmup}"\n`);
  process.exit(2);
}
const takeoverWarmup = values.warmup === 'on';
const env = soakEnv(process.env);
const faults = int('faults', values.faults, 1) ?? env.faults ?? 100;
const seed = int('seed', values.seed, 0) ?? env.seed ?? SeededRandom.freshSeed();
const rate = int('rate', values.rate, 1) ?? 100;
const convergenceBoundMs = int('bound-ms', values['bound-ms'], 1000);

process.stderr.write(
  `chaos soak: ${faults} faults, seed ${seed} (replay: --seed ${seed}), ${rate} msg/s, ${api} API\n`,
);
const started = Date.now();
const profile = TAKEOVER_PROFILES[DEFAULT_TAKEOVER_PROFILE];
// SIGINT (Ctrl-C): finish the fault under way, drain, and report the rounds done.
const stop = new AbortController();
// `on`, not `once`: tsx's own handler exits the process when no listener is left.
process.on('SIGINT', () => {
  process.stderr.write('SIGINT: stopping after the fault under way\n');
  stop.abort();
});
const result = await runSoak({
  signal: stop.signal,
  agentEntrypoint: requireAgentBundle(),
  faults,
  seed,
  ratePerSecond: rate,
  api,
  ...(convergenceBoundMs === undefined ? {} : { convergenceBoundMs }),
  takeoverWarmup,
  log: (line) =>
    process.stderr.write(`+${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s ${line}\n`),
});
console.log(
  formatSoakReport(
    result,
    `Chaos soak (${api === 'real' ? 'real kube-apiserver + kube-controller-manager, no API faults' : 'API emulator'}, 3 brokers, takeover ${DEFAULT_TAKEOVER_PROFILE}: lock acquire ${profile.lockAcquireSleepIntervalMs} ms / keep-alive ${profile.lockKeepAlivePeriodMs} ms / checkpoint ${profile.checkpointIntervalMs} ms, takeover warm-up ${values.warmup}, agents at defaults)`,
  ),
);
process.exitCode = result.violations.length === 0 ? 0 : 1;
