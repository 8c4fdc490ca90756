/**
 * Failover benchmark: this client and plain stompit (Channel over ConnectFailover, same static
 * server list) side by side on one broker group, through N SIGKILLs of the active broker, then
 * steady-state throughput. With `--protocol openwire` the same run also has this client over
 * OpenWire and ActiveMQ's Java JMS client over its failover transport, on the same brokers.
 * Run: `pnpm bench:failover [--failovers 20] [--messages 3000] [--protocol openwire]`
 * (or FAILOVERS=… / MESSAGES=…). Prints a Markdown table.
 *
 * `--warmup on` (the default, as the manifests deploy it) loads the takeover warm-up agent into the
 * broker JVMs (sh scripts/setup-takeover-warmup.sh); `--warmup off` runs them cold.
 *
 * `--discovery kubernetes [--api emulator|real]`: the brokers run as pods of a testkit HaCluster
 * with real agents labelling the leader, and this client finds them through the Service's
 * EndpointSlices (stompit has no such mode: it keeps the static list, so its row is the floor
 * without Kubernetes). `--api real` needs the routable stand-in pod network:
 * `pnpm -s build && sh scripts/pod-network.sh pnpm bench:failover --discovery kubernetes --api real`.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createClient, type HaClient, kubernetes, servers } from '@activemq-ha/client';
import { openwireProbe, stompProbe } from '@activemq-ha/core';
import {
  type BrokerGroup,
  firstProtocolAnswer,
  type HaCluster,
  startBrokerGroup,
  startHaCluster,
} from '@activemq-ha/testkit';
import stompit from 'stompit';
import { now, outageAround, Producer, percentile, Receiver, waitFor } from '../test/traffic.js';
import { javaRate, javaSide } from './java-side.js';

const { values: args } = parseArgs({
  options: {
    failovers: { type: 'string', default: process.env.FAILOVERS ?? '20' },
    messages: { type: 'string', default: process.env.MESSAGES ?? '3000' },
    rounds: { type: 'string', default: '3' },
    window: { type: 'string', default: '8' },
    protocol: { type: 'string', default: 'stomp' },
    discovery: { type: 'string', default: 'static' },
    api: { type: 'string', default: 'emulator' },
    warmup: { type: 'string', default: 'on' },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});
if (args.help) {
  console.log(
    'usage: failover.bench.ts [--failovers N] [--messages M] [--window W] [--rounds R] [--protocol stomp|openwire] [--discovery static|kubernetes] [--api emulator|real] [--warmup on|off]',
  );
  process.exit(0);
}
if (args.discovery !== 'static' && args.discovery !== 'kubernetes') {
  console.error(`--discovery must be static or kubernetes, got ${args.discovery}`);
  process.exit(2);
}
if (args.api !== 'emulator' && args.api !== 'real') {
  console.error(`--api must be emulator or real, got ${args.api}`);
  process.exit(2);
}
if (args.warmup !== 'on' && args.warmup !== 'off') {
  console.error(`--warmup must be on or off, got ${args.warmup}`);
  process.exit(2);
}
const API = args.api;
const WARMUP = args.warmup === 'on';
const KUBERNETES = args.discovery === 'kubernetes';
const AGENT = fileURLToPath(new URL('../../agent/dist/agent.js', import.meta.url));
const FAILOVERS = positive('failovers', args.failovers);
const MESSAGES = positive('messages', args.messages);
const WINDOW = positive('window', args.window);
/** Steady-state passes per side (the median is reported). */
const ROUNDS = positive('rounds', args.rounds);
const PAYLOAD = 'x'.repeat(256);
if (args.protocol !== 'stomp' && args.protocol !== 'openwire') {
  console.error(`--protocol must be stomp or openwire, got ${args.protocol}`);
  process.exit(2);
}
/** OpenWire adds this client over OpenWire and the Java failover client to the same run. */
const OPENWIRE = args.protocol === 'openwire';
type Protocols = 'stomp' | 'openwire';

function positive(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be a positive integer, got ${value}`);
    process.exit(2);
  }
  return n;
}

interface Side {
  readonly name: string;
  readonly producer: Producer;
  readonly receiver: Receiver;
  close(): Promise<void>;
  errors: number;
  /** Duplicates a dedupe filter dropped before the handler (this client only). */
  filtered: number;
  /** When the producer's client had a session again after a loss (this client only). */
  readonly reconnects?: number[];
  /** When each dial of the producer's client began (this client only). */
  readonly dials?: number[];
  /** A side that produces on its own (the Java peer): starts and stops it. */
  start?(): void;
  stop?(): Promise<void>;
}

async function haSide(
  group: BrokerGroup<Protocols>,
  queue: string,
  cluster: HaCluster | undefined,
  protocol: Protocols = 'stomp',
): Promise<Side> {
  const discovery = () =>
    cluster
      ? kubernetes({
          namespace: cluster.namespace,
          service: cluster.serviceName,
          port: protocol,
          kubeConfig: cluster.kubeConfig(),
        })
      : servers(
          group.brokers.map((b) =>
            protocol === 'openwire'
              ? `tcp://${b.host}:${b.ports.openwire}`
              : `stomp://${b.host}:${b.ports.stomp}`,
          ),
        );
  const producerClient = createClient({ discovery: discovery(), outboxOverflow: 'wait' });
  const consumerClient = createClient({
    discovery: discovery(),
    logger: {
      debug: (_data, message) => {
        if (message === 'duplicate dropped') side.filtered++;
      },
      warn: () => {},
    },
  });
  const side: Side = {
    name: `@activemq-ha/client${protocol === 'openwire' ? ' (OpenWire)' : ''}${cluster ? ` (EndpointSlices, ${API} API)` : ''}`,
    producer: new Producer(async () => {
      const { messageId } = await producerClient.send(queue, PAYLOAD);
      return messageId;
    }, WINDOW),
    receiver: new Receiver(),
    errors: 0,
    filtered: 0,
    reconnects: [],
    dials: [],
    close: async () => {
      await Promise.all([
        producerClient.close({ timeoutMs: 2000 }),
        consumerClient.close({ timeoutMs: 2000 }),
      ]);
    },
  };
  for (const c of [producerClient, consumerClient] as HaClient[])
    c.on('error', () => side.errors++);
  producerClient.on('failover', () => side.reconnects!.push(now()));
  producerClient.on('connecting', () => side.dials!.push(now()));
  await consumerClient.subscribe(
    queue,
    async (m) => {
      side.receiver.record(m.id);
      await m.ack();
    },
    { ack: 'client-individual', dedupe: { window: 1_000_000 }, concurrency: 16 },
  );
  await producerClient.whenConnected();
  return side;
}

function stompitSide(group: BrokerGroup<Protocols>, queue: string): Side {
  const failover = () =>
    new stompit.ConnectFailover(
      group.brokers.map((b) => ({
        host: b.host,
        port: b.ports.stomp,
        connectHeaders: { host: '/', 'accept-version': '1.2' },
      })),
      { randomize: false },
    );
  const producerChannel = new stompit.Channel(failover(), {
    alwaysConnected: true,
    recoverAfterApplicationError: true,
  } as never);
  const consumerChannel = new stompit.Channel(failover(), {
    alwaysConnected: true,
    recoverAfterApplicationError: true,
  } as never);
  const side: Side = {
    name: 'stompit Channel+ConnectFailover',
    producer: new Producer(
      (seq) =>
        new Promise<string>((resolve, reject) => {
          const id = `${seq}-${randomUUID()}`;
          const headers = { destination: queue, persistent: 'true', 'ha-message-id': id };
          producerChannel.send(headers, PAYLOAD, (error?: Error | null) =>
            error ? reject(error) : resolve(id),
          );
        }),
      WINDOW,
    ),
    receiver: new Receiver(),
    errors: 0,
    filtered: 0,
    close: async () => {
      producerChannel.close(null as never);
      consumerChannel.close(null as never);
    },
  };
  for (const ch of [producerChannel, consumerChannel]) ch.on('error', () => side.errors++);
  consumerChannel.subscribe(
    { destination: queue, ack: 'client-individual' },
    (error: Error | null, message: stompit.Client.Message) => {
      if (error) {
        side.errors++;
        return;
      }
      const id = (message as unknown as { headers: Record<string, string> }).headers[
        'ha-message-id'
      ]!;
      message.readString('utf8', () => {
        side.receiver.record(id);
        consumerChannel.ack(message);
      });
    },
  );
  return side;
}

function javaFailoverUrl(group: BrokerGroup<Protocols>): string {
  const list = group.brokers.map((b) => `tcp://${b.host}:${b.ports.openwire}`).join(',');
  // Java's defaults except the delay cap, set to what this client's fast window does (its
  // default maxReconnectDelay of 30 s would measure the backoff, not the client).
  return `failover:(${list})?randomize=false&initialReconnectDelay=10&maxReconnectDelay=100`;
}

async function failoverRun(group: BrokerGroup<Protocols>, cluster: HaCluster | undefined) {
  const sides: Side[] = [
    await haSide(group, '/queue/bench.ha', cluster),
    stompitSide(group, '/queue/bench.stompit'),
  ];
  // Which protocol's first answer is each side's floor (same order as `sides`).
  const floors: Protocols[] = ['stomp', 'stomp'];
  if (OPENWIRE) {
    sides.push(await haSide(group, '/queue/bench.ha-openwire', cluster, 'openwire'));
    sides.push(await javaSide(javaFailoverUrl(group), 'bench.java', WINDOW, PAYLOAD.length));
    floors.push('openwire', 'openwire');
  }
  for (const s of sides) (s.start ?? (() => s.producer.start()))();
  const kills: { at: number; takeoverMs: number; answerMs: number; openwireMs: number }[] = [];
  try {
    for (let k = 0; k < FAILOVERS; k++) {
      const marks = sides.map((s) => s.producer.confirmed.size);
      // Both producers must be flowing before each kill (bounded: a stuck side does not hang us).
      await waitFor(
        () => sides.every((s, i) => s.producer.confirmed.size >= marks[i]! + 100),
        30_000,
        'traffic',
      ).catch(() => console.error(`kill ${k + 1}: a producer made no progress for 30 s`));
      const r = await group.failover('SIGKILL', { timeoutMs: 60_000 });
      const [answeredAt, openwireAt] = await Promise.all([
        firstProtocolAnswer(
          stompProbe({ host: r.to.host, port: r.to.ports.stomp, timeoutMs: 5000 }),
        ),
        OPENWIRE
          ? firstProtocolAnswer(
              openwireProbe({ host: r.to.host, port: r.to.ports.openwire, timeoutMs: 5000 }),
            )
          : Promise.resolve(Number.NaN),
      ]);
      kills.push({
        at: r.killed.sentAt,
        takeoverMs: r.takeoverMs,
        answerMs: answeredAt - r.killed.sentAt,
        openwireMs: openwireAt - r.killed.sentAt,
      });
      // The killed broker starts again only once every side has sent through the new master (or
      // 10 s passed), as bench:agent does: in a cluster its pod starts on a node of its own, but
      // here a JVM starting on the same 2 cores would take them from the new master in exactly the
      // window each client's share is measured in.
      await waitFor(
        () => sides.every((s) => outageAround(s.producer.confirmTimes, r.killed.sentAt)),
        10_000,
        'first sends',
      ).catch(() =>
        console.error(`kill ${k + 1}: a side sent nothing through the new master in 10 s`),
      );
      await group.restart(r.from.id);
      await group.waitForSlave(r.from.id, { timeoutMs: 60_000 });
      console.error(`kill ${k + 1}/${FAILOVERS}: takeover ${r.takeoverMs.toFixed(0)} ms`);
    }
    const marks = sides.map((s) => s.producer.confirmed.size);
    await waitFor(
      () => sides.every((s, i) => s.producer.confirmed.size >= marks[i]! + 100),
      30_000,
      'traffic',
    ).catch(() => {});
  } finally {
    await Promise.all(sides.map((s) => (s.stop ? s.stop() : s.producer.stop())));
  }
  // Let every side drain what the broker still holds for it.
  await Promise.all(
    sides.map((s) =>
      waitFor(
        () => s.receiver.missing(s.producer.confirmed.keys()).length === 0,
        30_000,
        'drain',
      ).catch(() => {}),
    ),
  );
  const rows = sides.map((s, side) => {
    const window = (i: number) => [kills[i]!.at, kills[i + 1]?.at ?? now()] as const;
    // The outage each kill caused: from the last confirmation (delivery) before it to the first
    // one after it, not the largest gap of the window (a later stall is not the failover).
    const gap = (times: readonly number[], k: (typeof kills)[number]) => {
      const o = outageAround(times, k.at);
      return o ? o.end - o.start : Number.NaN;
    };
    const produce = kills.map((k) => gap(s.producer.confirmTimes, k));
    // Paired with the same kill's floor: the client's own share of each outage, from the broker's
    // first answer to the client's first confirmed send after the kill. A difference of two
    // percentiles would mix different kills, and a loaded machine spreads takeovers widely. Not
    // the outage minus the floor either: the outage starts at the last confirmation before the
    // kill, and a stall just before it (of the old broker, or of this process, which records the
    // Java peer's confirmations too) would count as every client's share.
    const overFloor = kills.map((k) => {
      const o = outageAround(s.producer.confirmTimes, k.at);
      const floorMs = floors[side] === 'openwire' ? k.openwireMs : k.answerMs;
      return o ? o.end - (k.at + floorMs) : Number.NaN;
    });
    const consume = kills.map((k) => gap(s.receiver.deliveryTimes, k));
    // This client's share cut in two: floor → session again, session → first confirmation
    // (re-subscribe, re-send, the broker's answer). NaN where the session was never lost.
    const split = kills.map((k, i) => {
      const [from, to] = window(i);
      const back = s.reconnects?.find((t) => t >= from && t < to);
      const floorAt = k.at + (floors[side] === 'openwire' ? k.openwireMs : k.answerMs);
      const confirmed =
        back === undefined ? undefined : s.producer.confirmTimes.find((t) => t >= back);
      // The dial that got the session: how much of floor → session was the wait for a round
      // (the reconnect delay), how much the dial and handshake themselves.
      const dial = back === undefined ? undefined : s.dials?.findLast((t) => t <= back);
      return {
        toSession: back === undefined ? Number.NaN : back - floorAt,
        dialToSession: back === undefined || dial === undefined ? Number.NaN : back - dial,
        toConfirm: back === undefined || confirmed === undefined ? Number.NaN : confirmed - back,
      };
    });
    return {
      name: s.name,
      confirmed: s.producer.confirmed.size,
      lost: s.receiver.missing(s.producer.confirmed.keys()).length,
      duplicates: s.receiver.duplicates,
      filtered: s.filtered,
      sendFailures: s.producer.failures,
      errors: s.errors,
      produce,
      consume,
      overFloor,
      split,
    };
  });
  // One line per kill: whether the tail of one client is the same kill's for all of them (the
  // broker's first second) or its own.
  kills.forEach((k, i) => {
    const cells = rows.map((r) => {
      const sp = r.split[i]!;
      const own = Number.isFinite(sp.toSession)
        ? ` (${fmt(sp.toSession)} [dial ${fmt(sp.dialToSession)}] + ${fmt(sp.toConfirm)})`
        : '';
      return `${r.name} +${fmt(r.overFloor[i]!)}${own}`;
    });
    console.error(
      `kill ${i + 1}: floor ${fmt(k.openwireMs)} ms OpenWire, ${fmt(k.answerMs)} ms STOMP | ${cells.join(' | ')}`,
    );
  });
  await Promise.all(sides.map((s) => s.close()));
  return { kills, rows };
}

async function haRateOf(uri: string, queue: string, persistent: boolean): Promise<Rate> {
  const headers = { persistent: String(persistent) };
  const ha = createClient({ discovery: [uri], outboxOverflow: 'wait' });
  await ha.whenConnected();
  const result = await rate((i) => ha.send(queue, PAYLOAD, { ...headers, seq: i }).then(() => {}));
  await ha.close();
  return result;
}

async function rawStompitRate(host: string, port: number, persistent: boolean): Promise<Rate> {
  const raw = await new Promise<stompit.Client>((resolve, reject) =>
    stompit.connect(
      { host, port, connectHeaders: { host: '/', 'accept-version': '1.2' } },
      (e, c) => (e ? reject(e) : resolve(c)),
    ),
  );
  raw.on('error', () => {});
  // Without heart-beats stompit never disables Nagle; do it so both sides run on equal sockets.
  (raw.getTransportSocket() as unknown as { setNoDelay(on: boolean): void }).setNoDelay(true);
  const result = await rate(
    (i) =>
      new Promise<void>((resolve) => {
        const frame = raw.send(
          {
            destination: `/queue/tp.raw.${persistent}`,
            persistent: String(persistent),
            seq: i,
            'ha-message-id': randomUUID(),
          },
          { onReceipt: () => resolve() } as never,
        );
        frame.end(PAYLOAD);
      }),
  );
  await new Promise<void>((resolve) => raw.disconnect(() => resolve()));
  return result;
}

/**
 * Each side's steady-state rate, ROUNDS times in an order rotated every round, and the median
 * round of each side: one pass of a few seconds per side, one after the other, measured mostly
 * which side ran while the broker's JIT and the disk's cache were warmest.
 */
async function throughputRun(group: BrokerGroup<Protocols>, persistent: boolean) {
  const active = await group.waitForActive({ timeoutMs: 60_000 });
  const { host, ports } = active.broker;
  const measures: [string, () => Promise<Rate>][] = [
    [
      'ha',
      () => haRateOf(`stomp://${host}:${ports.stomp}`, `/queue/tp.ha.${persistent}`, persistent),
    ],
    ['raw', () => rawStompitRate(host, ports.stomp, persistent)],
  ];
  if (OPENWIRE) {
    measures.push(
      [
        'ow',
        () => haRateOf(`tcp://${host}:${ports.openwire}`, `/queue/tp.ow.${persistent}`, persistent),
      ],
      [
        'java',
        () =>
          javaRate(
            `tcp://${host}:${ports.openwire}`,
            `tp.java.${persistent}`,
            MESSAGES,
            WINDOW,
            PAYLOAD.length,
            persistent,
          ),
      ],
    );
  }
  const results = new Map<string, Rate[]>(measures.map(([name]) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < measures.length; i++) {
      const [name, measure] = measures[(i + round) % measures.length]!;
      results.get(name)!.push(await measure());
    }
  }
  const median = (name: string): Rate | undefined => {
    const rates = [...(results.get(name) ?? [])].sort((a, b) => a.rate - b.rate);
    return rates[Math.floor((rates.length - 1) / 2)];
  };
  return {
    haRate: median('ha'),
    rawRate: median('raw'),
    owRate: median('ow'),
    javaResult: median('java'),
  };
}

interface Rate {
  readonly rate: number;
  readonly p50: number;
  readonly p99: number;
}

async function rate(send: (i: number) => Promise<void>): Promise<Rate> {
  let next = 0;
  const latencies: number[] = [];
  const start = now();
  await Promise.all(
    Array.from({ length: WINDOW }, async () => {
      while (next < MESSAGES) {
        const sentAt = now();
        await send(next++);
        latencies.push(now() - sentAt);
      }
    }),
  );
  return {
    rate: (MESSAGES / (now() - start)) * 1000,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : 'n/a');
const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : 'n/a');
const rateCell = (r: Rate | undefined) =>
  r ? `${fmt(r.rate)} (${ms(r.p50)} / ${ms(r.p99)})` : 'n/a';

async function start(): Promise<{ group: BrokerGroup<Protocols>; cluster?: HaCluster }> {
  const lock = { lockAcquireSleepIntervalMs: 1000, lockKeepAlivePeriodMs: 500 };
  if (!KUBERNETES) {
    const protocols: Protocols[] = OPENWIRE ? ['stomp', 'openwire'] : ['stomp'];
    return {
      group: await startBrokerGroup<Protocols>({
        size: 2,
        protocols,
        takeoverWarmup: WARMUP,
        ...lock,
      }),
    };
  }
  if (!existsSync(AGENT)) {
    console.error(`${AGENT} is missing: run pnpm -s build first`);
    process.exit(2);
  }
  const cluster = await startHaCluster({
    agentEntrypoint: AGENT,
    size: 2,
    api: API,
    takeoverWarmup: WARMUP,
    ...lock,
  });
  if (cluster.podNetwork.kind === 'mapped') {
    await cluster.close();
    console.error(`--api real: ${cluster.podNetwork.reason}`);
    process.exit(2);
  }
  await cluster.waitFor(() => cluster.leaders().length === 1, { timeoutMs: 30_000 });
  // The cluster's brokers open both protocols.
  return { group: cluster.brokers as unknown as BrokerGroup<Protocols>, cluster };
}

async function main() {
  const { group, cluster } = await start();
  try {
    const started = now();
    const { kills, rows } = await failoverRun(group, cluster);
    const tp = [await throughputRun(group, true), await throughputRun(group, false)];
    const takeovers = kills.map((k) => k.takeoverMs);
    const answers = kills.map((k) => k.answerMs);
    const out: string[] = [];
    out.push(
      `${kills.length} SIGKILL failovers, 2 brokers${cluster ? ` as pods with agents, ${API === 'real' ? 'real kube-apiserver + kube-controller-manager' : 'API emulator'}; this client in Kubernetes discovery mode, stompit on the static list` : ''} (lockAcquireSleepInterval 1000 ms, lockKeepAlivePeriod 500 ms, takeover warm-up ${WARMUP ? 'on' : 'off'}; the killed broker restarted after every side's first send), ${WINDOW} sends in flight per producer, ${PAYLOAD.length} B persistent messages, client-individual acks; ${((now() - started) / 1000).toFixed(0)} s`,
      '',
      '| client | produce outage p50 / p95 (ms) | over its floor, same kill: first answer → first confirmed send after the outage, p50 / p95 / max (ms) | consume outage p50 / p95 (ms) | confirmed | confirmed lost | duplicates to handler | duplicates filtered | send failures |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      `| broker takeover: port accepts | ${fmt(percentile(takeovers, 50))} / ${fmt(percentile(takeovers, 95))} | | | | | | | |`,
      `| broker takeover: answers STOMP (floor) | ${fmt(percentile(answers, 50))} / ${fmt(percentile(answers, 95))} | | | | | | | |`,
    );
    if (OPENWIRE) {
      const ow = kills.map((k) => k.openwireMs);
      out.push(
        `| broker takeover: answers OpenWire (floor) | ${fmt(percentile(ow, 50))} / ${fmt(percentile(ow, 95))} | | | | | | | |`,
      );
    }
    for (const r of rows) {
      out.push(
        `| ${r.name} | ${fmt(percentile(r.produce, 50))} / ${fmt(percentile(r.produce, 95))} | ${fmt(percentile(r.overFloor, 50))} / ${fmt(percentile(r.overFloor, 95))} / ${fmt(Math.max(...r.overFloor))} | ${fmt(percentile(r.consume, 50))} / ${fmt(percentile(r.consume, 95))} | ${r.confirmed} | ${r.lost} | ${r.duplicates} | ${r.filtered} | ${r.sendFailures} |`,
      );
    }
    const splits = rows.filter((r) => r.split.some((sp) => Number.isFinite(sp.toSession)));
    if (splits.length > 0) {
      out.push(
        '',
        "This client's share per kill, cut in two (ms, p50 / p95 / max): its floor → a session again (reconnect rounds), then → the first confirmed send (re-subscribe, re-send, the broker's answer):",
        '',
        '| client | floor → session | of which the last dial → session | session → first confirmed |',
        '| --- | --- | --- | --- |',
        ...splits.map((r) => {
          const cell = (v: number[]) => {
            const ok = v.filter(Number.isFinite);
            return `${fmt(percentile(ok, 50))} / ${fmt(percentile(ok, 95))} / ${fmt(Math.max(...ok))}`;
          };
          return `| ${r.name} | ${cell(r.split.map((sp) => sp.toSession))} | ${cell(r.split.map((sp) => sp.dialToSession))} | ${cell(r.split.map((sp) => sp.toConfirm))} |`;
        }),
      );
    }
    out.push(
      '',
      `Steady state, ${MESSAGES} messages of ${PAYLOAD.length} B, ${WINDOW} in flight, the median of ${ROUNDS} passes per side (order rotated each pass); messages/s (send latency p50 / p99 ms). This client and raw stompit wait for each RECEIPT or Response; Java sends persistent messages synchronously and non-persistent ones without any confirmation (its default):`,
      '',
      '| messages/s | @activemq-ha/client (STOMP) | raw stompit Client | @activemq-ha/client (OpenWire) | ActiveMQ Java client |',
      '| --- | --- | --- | --- | --- |',
      ...tp.map(
        (t, i) =>
          `| ${i === 0 ? 'persistent' : 'non-persistent'} | ${rateCell(t.haRate)} | ${rateCell(t.rawRate)} | ${rateCell(t.owRate)} | ${rateCell(t.javaResult)} |`,
      ),
    );
    console.log(out.join('\n'));
  } catch (error) {
    group.dumpLogs();
    throw error;
  } finally {
    if (cluster) await cluster.close();
    else await group.stop();
  }
}

await main();
