/**
 * pnpm bench:agent [--failovers N] [--rate R] [--takeover fast|balanced|gentle]: SIGKILLs the
 * active broker N times (default 20) in a group of 3 with real agents while a producer sends R
 * persistent messages per second with receipts (default 200, i.e. one every 5 ms; 0 = idle) and
 * a consumer acks each, both @activemq-ha/client in Kubernetes discovery mode. Prints p50/p95/max
 * of
 *   - broker takeover: kill → next broker serving (ActiveMQ's own floor),
 *   - serving → label: next broker answering OpenWire (first WireFormatInfo reply to probes
 *     started every 20 ms by the bench) → its pod labelled leader=yes in the API,
 *   - kill → EndpointSlice: kill → the Service's slice lists only the new pod as ready,
 * and the whole failover cut into stages (the new broker's log for lock, keep-alive, recovery
 * and start; the emulator for label and slice; the producer for its first confirmed send).
 * `--slice-lag none` runs the emulator's EndpointSlice controller without its modelled lag.
 * `--api real` runs against a real kube-apiserver + kube-controller-manager (testkit
 * startControlPlane) and the stand-in kubelet; the label and slice moments are then when the
 * bench's own pod and EndpointSlice watches see them. Run it inside the stand-in pod network
 * (`sh scripts/pod-network.sh pnpm bench:agent --api real`) so that the clients reach the pod IPs
 * the real EndpointSlice controller publishes; outside it only `--rate 0` works.
 * `--warmup on` (the default, as the manifests deploy it) loads the takeover warm-up agent into
 * the broker JVMs (sh scripts/setup-takeover-warmup.sh): every waiting broker rehearses before the
 * next kill; `--warmup off` runs them cold.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openwireProbe } from '@activemq-ha/core';
import {
  describeStages,
  type FailoverStages,
  failoverStages,
  firstConfirmationBy,
  firstProtocolAnswer,
  formatFailoverBreakdown,
  type HaClusterApi,
  isTakeoverProfile,
  now,
  percentiles,
  printTable,
  procMemory,
  RoutingHandover,
  readTakeoverBreakdown,
  startHaCluster,
  TAKEOVER_PROFILES,
  Traffic,
} from '@activemq-ha/testkit';
import { requireAgentBundle } from '../test/agent-entrypoint.js';

const { values } = parseArgs({
  options: {
    failovers: { type: 'string', default: '20' },
    rate: { type: 'string', default: '200' },
    takeover: { type: 'string', default: 'fast' },
    'slice-lag': { type: 'string', default: 'default' },
    api: { type: 'string', default: 'emulator' },
    // A version of scripts/broker-matrix.txt (default: $ACTIVEMQ_VERSION, else the matrix default).
    'broker-version': { type: 'string' },
    warmup: { type: 'string', default: 'on' },
  },
});
const sliceLag = values['slice-lag'];
if (sliceLag !== 'default' && sliceLag !== 'none') {
  console.error(`--slice-lag must be "default" or "none", got "${sliceLag}"`);
  process.exit(2);
}
const api = values.api as HaClusterApi;
if (api !== 'emulator' && api !== 'real') {
  console.error(`--api must be "emulator" or "real", got "${values.api}"`);
  process.exit(2);
}
if (api === 'real' && sliceLag === 'none') {
  console.error("--slice-lag none is the emulator's; the real controller has its own lag");
  process.exit(2);
}
const failovers = Number(values.failovers);
const rate = Number(values.rate);
if (!Number.isInteger(failovers) || failovers < 1 || !Number.isInteger(rate) || rate < 0) {
  console.error(
    `--failovers must be a positive integer and --rate a non-negative one, got "${values.failovers}", "${values.rate}"`,
  );
  process.exit(2);
}
if (!isTakeoverProfile(values.takeover)) {
  console.error(`--takeover must be fast, balanced or gentle, got "${values.takeover}"`);
  process.exit(2);
}
const takeover = values.takeover;
if (values.warmup !== 'off' && values.warmup !== 'on') {
  console.error(`--warmup must be "off" or "on", got "${values.warmup}"`);
  process.exit(2);
}
const takeoverWarmup = values.warmup === 'on';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

const cluster = await startHaCluster({
  agentEntrypoint: requireAgentBundle(),
  size: 3,
  takeover,
  lockRetryLog: true,
  takeoverWarmup,
  api,
  ...(values['broker-version'] ? { brokerVersion: values['broker-version'] } : {}),
  ...(sliceLag === 'none' ? { endpointSliceLag: 'none' as const } : {}),
});
if (rate > 0 && cluster.podNetwork.kind === 'mapped') {
  await cluster.close();
  console.error(`--api real with traffic: ${cluster.podNetwork.reason}`);
  process.exit(2);
}
const traffic =
  rate > 0 ? new Traffic(cluster.kubeConfig(), cluster.namespace, cluster.serviceName) : undefined;
const takeoverMs: number[] = [];
const toLabel: number[] = [];
const toSlice: number[] = [];
const stages: FailoverStages[] = [];
const agentRss: number[] = [];
const agentAnon: number[] = [];
let agentPeak = 0;
const started = Date.now();
try {
  await cluster.waitFor(() => cluster.leaders().length === 1, { timeoutMs: 30_000 });
  // A consumer at concurrency 1 acks one message per broker round trip and falls behind the
  // producer (the drain at the end would then count its backlog as lost): 8 at a time keeps up.
  await traffic?.start(rate, 20, 8);
  for (let i = 0; i < failovers; i++) {
    // A kill at a random phase of the broker's checkpoint cycle.
    if (traffic) await sleep(1500 + Math.random() * 1500);
    // Timestamps on the bench's clock (`now()`, epoch ms), taken as the emulator commits each
    // write (real API: as the bench's watches see it).
    using handover = new RoutingHandover(cluster, now);
    const result = await cluster.brokers.failover('SIGKILL', { pollIntervalMs: 5 });
    handover.expect(cluster.podOfBroker(result.to.id).name);
    const answeringAt = await firstProtocolAnswer(
      openwireProbe({ host: result.to.host, port: result.to.ports.openwire, timeoutMs: 5000 }),
    );
    const { labelAt, sliceAt } = await handover.done();
    const killedAt = result.killed.sentAt;
    const breakdown = readTakeoverBreakdown(result.to.logFile, {
      killedAt,
      lockAcquireSleepIntervalMs: cluster.brokers.lockAcquireSleepIntervalMs,
      lockKeepAlivePeriodMs: cluster.brokers.lockKeepAlivePeriodMs,
    });
    let firstSendAt: number | undefined;
    if (traffic) {
      // Traffic stamps with Date.now(); the bench's clock is now().
      const offset = now() - Date.now();
      const deadline = now() + 10_000;
      for (;;) {
        const confirmations = traffic.stats.confirmations.map((t) => t + offset);
        firstSendAt = firstConfirmationBy(confirmations, killedAt, breakdown);
        if (firstSendAt !== undefined || now() > deadline) break;
        await sleep(5);
      }
    }
    const s = failoverStages({ killedAt, takeover: breakdown, labelAt, sliceAt, firstSendAt });
    stages.push(s);
    takeoverMs.push(result.takeoverMs);
    toLabel.push(labelAt - answeringAt);
    toSlice.push(sliceAt - killedAt);
    process.stderr.write(
      `failover ${i + 1}/${failovers}: ${api === 'emulator' ? `stale slice syncs so far ${cluster.kube.staleEndpointSliceSyncs}` : 'real API'}, takeover ${result.takeoverMs.toFixed(0)} ms, serving→label ${(labelAt - answeringAt).toFixed(0)} ms, kill→slice ${(sliceAt - killedAt).toFixed(0)} ms | ${describeStages(s)} | load ${loadAverage()}\n`,
    );
    for (const pod of cluster.pods) {
      const m = procMemory(pod.agent?.pid);
      if (!m) continue;
      agentRss.push(m.rssMiB);
      agentAnon.push(m.anonMiB);
      agentPeak = Math.max(agentPeak, m.peakMiB);
    }
    await cluster.brokers.restart(result.from.id);
    // A JVM start takes far longer than 30 s on a loaded machine; the figures say so, a timeout
    // would only end the run.
    await cluster.brokers.waitForSlave(result.from.id, { timeoutMs: 120_000 });
  }
} finally {
  await traffic?.stop(5000);
  await cluster.close();
}

const settings = TAKEOVER_PROFILES[takeover];
const describe = `${api === 'real' ? 'real kube-apiserver + kube-controller-manager, ' : 'emulator, '}takeover ${takeover} (lock acquire ${settings.lockAcquireSleepIntervalMs} ms / keep-alive ${settings.lockKeepAlivePeriodMs} ms / checkpoint ${settings.checkpointIntervalMs} ms)${takeoverWarmup ? ', takeover warm-up on' : ', takeover warm-up off'}, agents at defaults, ${rate ? `${rate} persistent msg/s with receipts` : 'idle'}`;
printTable(`agent failover, ${failovers} SIGKILLs, group of 3, ${describe}`, [
  ['broker takeover (kill → serving)', percentiles(takeoverMs)],
  ['serving → label leader=yes', percentiles(toLabel)],
  [
    `kill → EndpointSlice updated (${api === 'real' ? 'real controller' : `slice lag: ${sliceLag}`})`,
    percentiles(toSlice),
  ],
]);
console.log(
  `\nWhere the failover goes (${failovers} SIGKILLs, ${((Date.now() - started) / 1000).toFixed(0)} s, load average at the end ${loadAverage()}):\n`,
);
console.log(formatFailoverBreakdown(stages));
console.log(
  `\nAgent memory (the bundle, Node ${process.versions.node}): RSS after each failover p50 ${percentiles(agentRss).p50.toFixed(1)} MiB / max ${Math.max(...agentRss).toFixed(1)} MiB, peak RSS (VmHWM) ${agentPeak.toFixed(1)} MiB over ${agentRss.length} samples; of it anonymous (RssAnon, the process's own; the rest is mostly the node binary's shared file pages) p50 ${percentiles(agentAnon).p50.toFixed(1)} / max ${Math.max(...agentAnon).toFixed(1)} MiB.`,
);
if (traffic) {
  const t = traffic.stats;
  console.log(
    `\nTraffic: sent ${t.sent}, confirmed ${t.confirmed}, received ${t.received}, lost ${traffic.missing()}.`,
  );
}
