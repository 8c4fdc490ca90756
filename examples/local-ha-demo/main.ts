/**
 * The local HA demo: three real ActiveMQ brokers sharing one KahaDB, the Kubernetes API emulator
 * with the Service and pod labels of the generated base, one real agent process per pod, and a
 * producer and a consumer on @activemq-ha/client in Kubernetes discovery mode. It kills the
 * active broker round after round and reports what each failover cost.
 *
 * With `--api real` the same runs against a real kube-apiserver + kube-controller-manager (testkit
 * startControlPlane) and the stand-in kubelet; `npm run demo -- --api real` runs it inside the
 * stand-in pod network (scripts/pod-network.sh), where the clients reach the pod IPs the real
 * EndpointSlice controller publishes.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  failoverStages,
  firstConfirmationBy,
  type HaCluster,
  type HaClusterApi,
  largestGap,
  leaderOverlaps,
  RoutingHandover,
  readTakeoverBreakdown,
  startHaCluster,
  Traffic,
} from '@activemq-ha/testkit';
import { topologyFromBase } from './base-objects.js';
import { type FailoverRow, printSummary } from './report.js';

const HELP = `Usage: pnpm demo [-- flags]

  --rounds N        failovers to cause (default 5); the last one is a pod deletion
                    (a DELETE through the API: the pod turns terminating, the kubelet
                    stand-in SIGTERMs agent and broker, the agent hands over at once)
  --interval MS     pause between failovers (default 4000)
  --signal SIG      SIGKILL or SIGTERM for the active broker (default SIGKILL)
  --rate N          messages per second the producer sends (default 200)
  --protocol P      stomp or openwire: the Service port the clients use (default stomp)
  --api API         emulator (default) or real: a real kube-apiserver, kube-controller-manager
                    and EndpointSlice controller (run inside scripts/pod-network.sh)
  --help            this text

Exit code 0 when every confirmed message arrived and no two pods were labelled leader beyond
the fencing step; 1 otherwise; 2 on bad flags.`;

interface Flags {
  rounds: number;
  interval: number;
  signal: 'SIGKILL' | 'SIGTERM';
  rate: number;
  protocol: 'stomp' | 'openwire';
  api: HaClusterApi;
}

function parseFlags(argv: string[]): Flags | undefined {
  const { values } = parseArgs({
    args: argv.filter((a) => a !== '--'),
    strict: true,
    options: {
      rounds: { type: 'string', default: '5' },
      interval: { type: 'string', default: '4000' },
      signal: { type: 'string', default: 'SIGKILL' },
      rate: { type: 'string', default: '200' },
      protocol: { type: 'string', default: 'stomp' },
      api: { type: 'string', default: 'emulator' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return undefined;
  const int = (name: string, raw: string, min: number) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`--${name} must be an integer >= ${min}, got "${raw}"`);
    return n;
  };
  if (values.signal !== 'SIGKILL' && values.signal !== 'SIGTERM') {
    throw new Error(`--signal must be SIGKILL or SIGTERM, got "${values.signal}"`);
  }
  if (values.protocol !== 'stomp' && values.protocol !== 'openwire') {
    throw new Error(`--protocol must be stomp or openwire, got "${values.protocol}"`);
  }
  if (values.api !== 'emulator' && values.api !== 'real') {
    throw new Error(`--api must be emulator or real, got "${values.api}"`);
  }
  return {
    protocol: values.protocol,
    api: values.api,
    rounds: int('rounds', values.rounds, 1),
    interval: int('interval', values.interval, 0),
    signal: values.signal,
    rate: int('rate', values.rate, 1),
  };
}

const t0 = Date.now();
const stamp = () => `+${((Date.now() - t0) / 1000).toFixed(3).padStart(7)}s`;
const say = (text: string) => process.stdout.write(`${stamp()}  ${text}\n`);

async function main(): Promise<number> {
  let flags: Flags | undefined;
  try {
    flags = parseFlags(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`demo: ${(error as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  if (!flags) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }

  const topology = topologyFromBase();
  say(
    `starting 3 brokers, ${flags.api === 'real' ? 'a real kube-apiserver, etcd and kube-controller-manager' : 'the Kubernetes API emulator'} and 3 agents (Service ${topology.service.name} from renderBase())`,
  );
  const cluster = await startHaCluster({
    agentEntrypoint: fileURLToPath(new URL('../../packages/agent/dist/agent.js', import.meta.url)),
    size: 3,
    // The summary's breakdown reads when each broker took the lock from its log.
    lockRetryLog: true,
    service: topology.service,
    groupLabels: Object.fromEntries(
      Object.entries(topology.podLabels).filter(([k]) => k !== 'leader'),
    ),
    agentArgs: topology.agentArgs,
    api: flags.api,
  });
  if (cluster.podNetwork.kind === 'mapped') {
    await cluster.close();
    process.stderr.write(`demo: --api real: ${cluster.podNetwork.reason}\n`);
    return 2;
  }
  let traffic: Traffic | undefined;
  const stopLive = live(cluster, () => traffic);
  try {
    await cluster.waitFor(() => cluster.leaders().length === 1, { timeoutMs: 30_000 });
    say(
      `leader: ${cluster.leaders()[0]} (kubectl --kubeconfig ${cluster.kubeconfigPath} get pods -L leader${cluster.api === 'real' ? ', from inside the pod network' : ''})`,
    );
    traffic = new Traffic(
      cluster.kubeConfig(),
      cluster.namespace,
      cluster.serviceName,
      '/queue/demo',
      flags.protocol,
    );
    await traffic.start(flags.rate);
    say(`producer and consumer connected over ${flags.protocol} through EndpointSlice discovery`);

    const rows: FailoverRow[] = [];
    for (let round = 1; round <= flags.rounds; round++) {
      await new Promise((r) => setTimeout(r, flags.interval));
      const podDeletion = round === flags.rounds && flags.rounds > 1;
      rows.push(
        await failoverRound(cluster, traffic, round, podDeletion ? 'pod deletion' : flags.signal),
      );
    }
    await new Promise((r) => setTimeout(r, Math.min(flags.interval, 2000)));
    say('stopping traffic, waiting for the consumer to drain');
    await traffic.stop();
    stopLive();
    const overlaps = leaderOverlaps(cluster.labelHistory()).filter(
      (o) => o.end === undefined || (o.durationMs ?? 0) > 2000,
    );
    const lost = traffic.missing();
    printSummary(rows, traffic.stats, lost, overlaps.length);
    return lost === 0 && overlaps.length === 0 ? 0 : 1;
  } finally {
    stopLive();
    await cluster.close();
  }
}

async function failoverRound(
  cluster: HaCluster,
  traffic: Traffic,
  round: number,
  how: 'SIGKILL' | 'SIGTERM' | 'pod deletion',
): Promise<FailoverRow> {
  const { broker } = await cluster.brokers.waitForActive();
  const pod = cluster.podOfBroker(broker.id);
  using handover = new RoutingHandover(cluster, Date.now);
  say(
    `round ${round}: ${how === 'pod deletion' ? `deleting pod ${pod.name} (the API marks it terminating, the kubelet SIGTERMs agent and broker)` : `${how} broker of ${pod.name}`}`,
  );
  let removed: Promise<void> | undefined;
  let result: {
    from: typeof broker;
    to: typeof broker;
    killed: { sentAt: number };
    takeoverMs: number;
  };
  if (how === 'pod deletion') {
    removed = cluster.kubelet.removal(pod.name);
    const sentAt = await cluster.deletePod(pod.name);
    const next = await cluster.brokers.waitForActive({ exclude: broker.id, timeoutMs: 60_000 });
    result = {
      from: broker,
      to: next.broker,
      killed: { sentAt },
      takeoverMs: next.servingAt - sentAt,
    };
  } else result = await cluster.brokers.failover(how);
  const target = cluster.podOfBroker(result.to.id).name;
  handover.expect(target);
  say(`round ${round}: ${result.to.id} serving after ${result.takeoverMs.toFixed(0)} ms`);
  const { labelAt, sliceAt } = await handover.done();
  say(`round ${round}: ${target} labelled leader=yes, EndpointSlice updated`);
  if (removed) {
    // The kubelet removed the pod once its containers stopped; the StatefulSet brings it back.
    await removed;
    await cluster.replacePod(pod.name);
  } else {
    // The killed broker's container restarts inside its pod and waits for the lock.
    await cluster.brokers.restart(result.from.id);
  }
  // A JVM start takes far longer than 30 s on a loaded machine; the figures say so, a timeout
  // would only end the run.
  await cluster.brokers.waitForSlave(result.from.id, { timeoutMs: 120_000 });
  const killedAt = result.killed.sentAt;
  const window = killedAt + 15_000;
  // Give the clients a moment to show traffic again before measuring their gaps.
  const deadline = Date.now() + 15_000;
  while (
    Date.now() < deadline &&
    (last(traffic.stats.confirmations) < sliceAt || last(traffic.stats.deliveries) < sliceAt)
  ) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const takeover = readTakeoverBreakdown(result.to.logFile, {
    killedAt,
    lockAcquireSleepIntervalMs: cluster.brokers.lockAcquireSleepIntervalMs,
    lockKeepAlivePeriodMs: cluster.brokers.lockKeepAlivePeriodMs,
  });
  const firstSendAt = firstConfirmationBy(traffic.stats.confirmations, killedAt, takeover);
  return {
    round,
    how,
    from: pod.name,
    to: target,
    stages: failoverStages({ killedAt, takeover, labelAt, sliceAt, firstSendAt }),
    takeoverMs: result.takeoverMs,
    labelMs: labelAt - killedAt,
    sliceMs: sliceAt - killedAt,
    produceOutageMs: largestGap(
      traffic.stats.confirmations,
      killedAt,
      Math.min(window, Date.now()),
    ),
    consumeOutageMs: largestGap(traffic.stats.deliveries, killedAt, Math.min(window, Date.now())),
  };
}

function last(times: readonly number[]): number {
  return times.at(-1) ?? 0;
}

/** One status line, refreshed in place on a terminal and every 5 s otherwise. */
function live(cluster: HaCluster, traffic: () => Traffic | undefined): () => void {
  const tty = process.stdout.isTTY === true;
  let previous = { confirmed: 0, at: Date.now() };
  const timer = setInterval(
    () => {
      const s = traffic()?.stats;
      const now = Date.now();
      const rate = s ? ((s.confirmed - previous.confirmed) * 1000) / (now - previous.at) : 0;
      previous = { confirmed: s?.confirmed ?? 0, at: now };
      const leaders = cluster.leaders();
      const labels = cluster.pods
        .map((p) => `${p.name}=${leaders.includes(p.name) ? 'yes' : 'no'}`)
        .join(' ');
      const outage = s?.lastFailover ? ` | last client outage ${s.lastFailover.outageMs} ms` : '';
      const line = `${stamp()}  ${labels} | ${rate.toFixed(0)} msg/s | sent ${s?.sent ?? 0} confirmed ${s?.confirmed ?? 0} received ${s?.received ?? 0}${outage}`;
      if (tty) process.stdout.write(`\r\x1b[2K${line}\r`);
      else process.stdout.write(`${line}\n`);
    },
    tty ? 250 : 5000,
  );
  return () => {
    clearInterval(timer);
    if (tty) process.stdout.write('\r\x1b[2K');
  };
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`demo failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
