/**
 * pnpm bench:takeover [--failovers N] [--takeover fast|balanced|gentle] [--acquire MS]
 *   [--keep-alive MS] [--checkpoint MS] [--kahadb name=value ...] [--jvm=FLAG ...]
 *   [--class-archive auto|off|FILE] [--warmup off|on|ROUNDS] [--steady-seconds S]
 *
 * The broker's part of a failover, one setting at a time: two real brokers on one KahaDB under
 * the soak's kind of load (a persistent send every 5 ms with a receipt, a consumer acking each
 * message, both @activemq-ha/client over the static server list), N SIGKILLs of the active one.
 * Per failover it prints the takeover breakdown read from the new broker's log (lock detection,
 * keep-alive wait, journal replay, connectors), kill → first confirmed send, and the CPU time the
 * new master's JVM spent from the kill until it served (on a shared machine a steadier measure of
 * the cold-code cost than wall time); then p50/p95/max. `--jvm` appends JVM flags to both brokers
 * (`--jvm=-XX:SharedArchiveFile=…`: the value starts with a dash, so it needs the `=`).
 * `--warmup on` loads the takeover warm-up agent (sh scripts/setup-takeover-warmup.sh) into both
 * JVMs; each restarted broker then rehearses before the next kill.
 * With --steady-seconds it first measures the steady-state cost of the settings on the active
 * broker: confirmed sends per second with receipts (8 in flight, as fast as it goes), and the
 * JVM's disk writes (write_bytes of /proc/PID/io) per second at the 5 ms load.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createClient, type HaClient, servers } from '@activemq-ha/client';
import {
  isTakeoverProfile,
  type KahaDbTuning,
  TAKEOVER_PROFILES,
  type TakeoverProfile,
} from '@activemq-ha/manifests';
import {
  type BrokerGroup,
  now,
  percentiles,
  printTable,
  startBrokerGroup,
  type TakeoverBreakdown,
  takeoverBreakdown,
} from '@activemq-ha/testkit';

const { values } = parseArgs({
  options: {
    failovers: { type: 'string', default: '12' },
    takeover: { type: 'string', default: 'fast' },
    acquire: { type: 'string' },
    'keep-alive': { type: 'string' },
    checkpoint: { type: 'string' },
    kahadb: { type: 'string', multiple: true, default: [] },
    jvm: { type: 'string', multiple: true, default: [] },
    'class-archive': { type: 'string', default: 'off' },
    warmup: { type: 'string', default: 'off' },
    'steady-seconds': { type: 'string', default: '0' },
    label: { type: 'string' },
  },
  strict: true,
});
const int = (name: string, raw: string | undefined): number | undefined => {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} must be a non-negative integer, got "${raw}"`);
    process.exit(2);
  }
  return n;
};
if (!isTakeoverProfile(values.takeover)) {
  console.error(`--takeover must be fast, balanced or gentle, got "${values.takeover}"`);
  process.exit(2);
}
const takeover: TakeoverProfile = values.takeover;
const warmup = warmupOption(values.warmup);
const failovers = int('failovers', values.failovers) ?? 12;
const steadySeconds = int('steady-seconds', values['steady-seconds']) ?? 0;
const kahaDb = Object.fromEntries(
  values.kahadb.map((pair) => {
    const [name, raw = ''] = pair.split('=');
    const value =
      raw === 'true' ? true : raw === 'false' ? false : /^\d+$/.test(raw) ? Number(raw) : raw;
    return [name, value];
  }),
) as KahaDbTuning;
const settings = {
  ...TAKEOVER_PROFILES[takeover],
  ...(values.acquire ? { lockAcquireSleepIntervalMs: int('acquire', values.acquire) } : {}),
  ...(values['keep-alive']
    ? { lockKeepAlivePeriodMs: int('keep-alive', values['keep-alive']) }
    : {}),
  ...(values.checkpoint ? { checkpointIntervalMs: int('checkpoint', values.checkpoint) } : {}),
};
const label =
  values.label ??
  `${takeover}: acquire ${settings.lockAcquireSleepIntervalMs} / keep-alive ${settings.lockKeepAlivePeriodMs} / checkpoint ${settings.checkpointIntervalMs}${values.kahadb.length ? ` / ${values.kahadb.join(' ')}` : ''}${values.jvm.length ? ` / ${values.jvm.join(' ')}` : ''} / class archive ${values['class-archive']} / warm-up ${values.warmup}`;

const QUEUE = '/queue/takeover-bench';
const PAYLOAD = 'x'.repeat(256);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

const group = await startBrokerGroup<'stomp'>({
  size: 2,
  protocols: ['stomp'],
  ...settings,
  kahaDb,
  lockRetryLog: true,
  extraJvmArgs: values.jvm,
  classArchive: values['class-archive'],
  takeoverWarmup: warmup,
});
const list = servers(group.brokers.map((b) => `stomp://${b.host}:${b.ports.stomp}`));
const producer = createClient({ discovery: list, outboxSize: 1000 });
const consumer = createClient({ discovery: list });
const confirmations: number[] = [];
let received = 0;
const rows: {
  kill: number;
  breakdown: TakeoverBreakdown;
  firstSendMs: number;
  cpuMs: number | undefined;
  standbyRssMiB: number | undefined;
}[] = [];
try {
  await Promise.all([producer.connect(), consumer.connect()]);
  await consumer.subscribe(
    QUEUE,
    async (m) => {
      received++;
      await m.ack();
    },
    { ack: 'client-individual', prefetch: 100 },
  );
  if (steadySeconds > 0) {
    const steady = await steadyState(group, producer, steadySeconds);
    console.error(
      `steady state (${label}): ${steady.throughput.toFixed(0)} confirmed sends/s with receipts (8 in flight), ${steady.cpuPerSendMs.toFixed(2)} ms broker CPU per send; at 200 msg/s the broker uses ${(steady.cpuShare * 100).toFixed(0)} % of a core and the active JVM writes ${(steady.writeBytesPerSecond / 1024).toFixed(0)} KiB/s, ${steady.writeSyscallsPerSecond.toFixed(0)} write calls/s; load ${loadAverage()}`,
    );
  }
  let running = true;
  const loop = (async () => {
    const pending = new Set<Promise<void>>();
    while (running) {
      const p = producer.send(QUEUE, PAYLOAD).then(
        () => void confirmations.push(now()),
        () => undefined,
      );
      pending.add(p);
      void p.finally(() => pending.delete(p));
      if (pending.size >= 20) await Promise.race(pending);
      await sleep(5);
    }
    await Promise.allSettled(pending);
  })();
  for (let i = 0; i < failovers; i++) {
    // Let the checkpoint cycle fall where it may: a kill at a random phase of it.
    await sleep(2000 + Math.random() * 2000);
    const candidates = group.brokers.filter((b) => b.running);
    const active = await group.active();
    const offsets = new Map(candidates.map((b) => [b.id, logSize(b.logFile)]));
    const waiting = candidates.filter((b) => b.id !== active?.id);
    const cpuBefore = new Map(waiting.map((b) => [b.id, cpuMs(b.pid)]));
    const rssBefore = new Map(waiting.map((b) => [b.id, rssMiB(b.pid)]));
    const result = await group.failover('SIGKILL', { pollIntervalMs: 5 });
    const before = cpuBefore.get(result.to.id);
    const after = cpuMs(result.to.pid);
    const takeoverCpuMs = before === undefined || after === undefined ? undefined : after - before;
    const exitedAt = result.killed.exitedAt;
    const deadline = now() + 10_000;
    while (!confirmations.some((t) => t > exitedAt) && now() < deadline) await sleep(5);
    const first = confirmations.find((t) => t > exitedAt);
    // The port opens just before the "started" line is written; read the log once it is there.
    const log = await logAfter(result.to.logFile, offsets.get(result.to.id) ?? 0, / started \|/);
    const breakdown = takeoverBreakdown(log, {
      killedAt: result.killed.sentAt,
      lockAcquireSleepIntervalMs: group.lockAcquireSleepIntervalMs,
      lockKeepAlivePeriodMs: group.lockKeepAlivePeriodMs,
    });
    const firstSendMs = first === undefined ? Number.NaN : first - result.killed.sentAt;
    rows.push({
      kill: result.killed.sentAt,
      breakdown,
      firstSendMs,
      cpuMs: takeoverCpuMs,
      standbyRssMiB: rssBefore.get(result.to.id),
    });
    console.error(
      `failover ${i + 1}/${failovers}: ${formatBreakdown(breakdown)} | serving ${result.takeoverMs.toFixed(0)} | first send ${firstSendMs.toFixed(0)} ms | new master CPU ${takeoverCpuMs ?? '–'} ms | standby RSS before ${rssBefore.get(result.to.id)?.toFixed(0) ?? '–'} MiB | load ${loadAverage()}`,
    );
    await group.restart(result.from.id);
    // A JVM booting on a CPU-starved machine can need more than the default 30 s.
    await group.waitForSlave(result.from.id, { timeoutMs: 90_000 });
  }
  running = false;
  await loop;
} finally {
  await Promise.allSettled([
    producer.close({ timeoutMs: 3000 }),
    consumer.close({ timeoutMs: 3000 }),
  ]);
  await group.stop();
}

const pick = (f: (b: TakeoverBreakdown) => number | undefined) =>
  percentiles(rows.map((r) => f(r.breakdown)).filter((v): v is number => v !== undefined));
printTable(
  `broker takeover, ${rows.length} SIGKILLs under load, ${label} (load ${loadAverage()})`,
  [
    ['lock detection (kill → lock taken)', pick((b) => b.lockDetectionMs)],
    ['keep-alive wait', pick((b) => b.keepAliveWaitMs)],
    ['journal replay', pick((b) => b.replayMs)],
    ['journal operations replayed (a count, not ms)', pick((b) => b.replayedOperations)],
    ['store open (keep-alive over → replay starts)', pick((b) => b.storeOpenMs)],
    ['broker start (replayed → connectors started)', pick((b) => b.brokerStartMs)],
    ['kill → connectors started', pick((b) => b.startedMs)],
    [
      'kill → first confirmed send',
      percentiles(rows.map((r) => r.firstSendMs).filter(Number.isFinite)),
    ],
    [
      "new master's CPU time, kill → serving",
      percentiles(rows.map((r) => r.cpuMs).filter((v): v is number => v !== undefined)),
    ],
    [
      'standby JVM RSS before the kill (MiB, not ms)',
      percentiles(rows.map((r) => r.standbyRssMiB).filter((v): v is number => v !== undefined)),
    ],
  ],
);
console.error(`received ${received}, confirmed ${confirmations.length}`);

/** `off`, `on` or a number of scratch recoveries. */
function warmupOption(raw: string): boolean | number {
  if (raw === 'off' || raw === 'on') return raw === 'on';
  const n = int('warmup', raw);
  return n ?? false;
}

async function logAfter(file: string, offset: number, until: RegExp): Promise<string> {
  const deadline = now() + 5000;
  for (;;) {
    const text = readFileSync(file).subarray(offset).toString();
    if (until.test(text) || now() > deadline) return text;
    await sleep(20);
  }
}

/** User + system CPU time of a process in ms (/proc/PID/stat, clock ticks of 10 ms). */
function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/** Resident set of a process in MiB (/proc/PID/status VmRSS). */
function rssMiB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib === undefined ? undefined : Number(kib) / 1024;
  } catch {
    return undefined;
  }
}

function logSize(file: string): number {
  try {
    return readFileSync(file).length;
  } catch {
    return 0;
  }
}

function formatBreakdown(b: TakeoverBreakdown): string {
  const ms = (v: number | undefined) => (v === undefined ? '–' : `${Math.round(v)}`);
  return `lock ${ms(b.lockDetectionMs)} + keep-alive ${ms(b.keepAliveWaitMs)} + open ${ms(b.storeOpenMs)} + replay ${ms(b.replayMs)} (${b.replayedOperations ?? '–'} ops) + start ${ms(b.brokerStartMs)} = ${ms(b.startedMs)} ms`;
}

async function steadyState(group: BrokerGroup<'stomp'>, client: HaClient, seconds: number) {
  // Throughput: 8 sends in flight, as fast as receipts come back.
  const active = await group.active();
  const pid = active?.pid;
  const cpuAtStart = cpuMs(pid);
  let confirmed = 0;
  const until = now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (now() < until) {
        await client.send(QUEUE, PAYLOAD);
        confirmed++;
      }
    }),
  );
  const throughput = confirmed / seconds;
  const cpuAtFull = cpuMs(pid);
  // Disk writes of the active JVM at the bench's own load (a send every 5 ms).
  const io = () => {
    const text = pid ? readFileSync(`/proc/${pid}/io`, 'utf8') : '';
    const field = (name: string) => Number(new RegExp(`${name}: (\\d+)`).exec(text)?.[1] ?? 0);
    return { bytes: field('write_bytes'), calls: field('syscw') };
  };
  const before = io();
  const cpuBefore = cpuMs(pid);
  const started = now();
  while (now() - started < seconds * 1000) {
    void client.send(QUEUE, PAYLOAD).catch(() => undefined);
    await sleep(5);
  }
  const after = io();
  const cpuAfter = cpuMs(pid);
  const elapsed = (now() - started) / 1000;
  const diff = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? Number.NaN : a - b;
  return {
    throughput,
    // The broker's CPU per confirmed send at full speed, and its CPU share at 200 msg/s.
    cpuPerSendMs: diff(cpuAtFull, cpuAtStart) / Math.max(1, confirmed),
    cpuShare: diff(cpuAfter, cpuBefore) / (elapsed * 1000),
    writeBytesPerSecond: (after.bytes - before.bytes) / elapsed,
    writeSyscallsPerSecond: (after.calls - before.calls) / elapsed,
  };
}
