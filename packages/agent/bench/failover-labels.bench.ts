/**
 * pnpm bench:agent [--failovers N] [--broker-version V]: SIGKILLs the active broker N times (default 20) in a group of
 * 3 with real agents and prints p50/p95/max of
 *   - broker takeover: kill → next broker serving (ActiveMQ's own floor),
 *   - serving → label: next broker answering OpenWire (first WireFormatInfo reply to probes
 *     started every 20 ms by the bench) → its pod labelled leader=yes in the API,
 *   - kill → EndpointSlice: kill → the Service's slice lists only the new pod as ready.
 */
import { parseArgs } from 'node:util';
import { openwireProbe } from '@activemq-ha/core';

import {
  firstProtocolAnswer,
  locateActivemq,
  percentiles,
  printTable,
  RoutingHandover,
  startHaCluster,
} from '@activemq-ha/testkit';
import { requireAgentBundle } from '../test/agent-entrypoint.js';

const { values } = parseArgs({
  options: {
    failovers: { type: 'string', default: '20' },
    // A version of scripts/broker-matrix.txt (default: $ACTIVEMQ_VERSION, else the matrix default).
    'broker-version': { type: 'string' },
  },
});
const failovers = Number(values.failovers);
if (!Number.isInteger(failovers) || failovers < 1) {
  console.error(`--failovers must be a positive integer, got "${values.failovers}"`);
  process.exit(2);
}

const brokerVersion = values['broker-version'];
const cluster = await startHaCluster({
  agentEntrypoint: requireAgentBundle(),
  size: 3,
  ...(brokerVersion ? { brokerVersion } : {}),
});
const takeover: number[] = [];
const toLabel: number[] = [];
const toSlice: number[] = [];
try {
  await cluster.kube.waitFor(() => cluster.leaders().length === 1, { timeoutMs: 30_000 });
  for (let i = 0; i < failovers; i++) {
    // Timestamps on the bench's clock, taken as the emulator commits each write.
    using handover = new RoutingHandover(cluster);
    const result = await cluster.brokers.failover('SIGKILL');
    handover.expect(cluster.podOfBroker(result.to.id).name);
    const answeringAt = await firstProtocolAnswer(
      openwireProbe({ host: result.to.host, port: result.to.ports.openwire, timeoutMs: 5000 }),
    );
    const { labelAt, sliceAt } = await handover.done();
    takeover.push(result.takeoverMs);
    toLabel.push(labelAt - answeringAt);
    toSlice.push(sliceAt - result.killed.sentAt);
    process.stderr.write(
      `failover ${i + 1}/${failovers}: takeover ${result.takeoverMs.toFixed(0)} ms, serving→label ${(labelAt - answeringAt).toFixed(0)} ms, kill→slice ${(sliceAt - result.killed.sentAt).toFixed(0)} ms\n`,
    );
    await cluster.brokers.restart(result.from.id);
    await cluster.brokers.waitForSlave(result.from.id);
  }
} finally {
  await cluster.close();
}

printTable(
  `agent failover, ActiveMQ ${locateActivemq(undefined, brokerVersion).release}, ${failovers} SIGKILLs, group of 3, lock acquire 1000 ms / keep-alive 500 ms, probe every 100 ms`,
  [
    ['broker takeover (kill → serving)', percentiles(takeover)],
    ['serving → label leader=yes', percentiles(toLabel)],
    ['kill → EndpointSlice updated', percentiles(toSlice)],
  ],
);
