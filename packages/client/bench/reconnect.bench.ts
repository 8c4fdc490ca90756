/**
 * Reconnect benchmark: N clients while nobody is home for `--outage` seconds (a port that
 * refuses, as when every broker of the group is down), then a STOMP server comes up on that port.
 * Prints connection attempts per second per client in the fast window and after it, and how long
 * each client took to connect once the server was back. A scripted server stands in for the
 * broker so that the figures are the policy's, not the JVM's start-up.
 * Run: `pnpm bench:reconnect [--clients 20] [--outage 60]`.
 */
import { parseArgs } from 'node:util';
import { createClient, type HaClient } from '@activemq-ha/client';
import { FakeStompServer } from '../test/fake-stomp-server.js';
import { percentile } from '../test/traffic.js';
import { markdownTable } from './markdown-table.js';

const now = () => performance.now();

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '20' },
    outage: { type: 'string', default: '60' },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});
if (args.help) {
  console.log('usage: reconnect.bench.ts [--clients N] [--outage SECONDS]');
  process.exit(0);
}
const CLIENTS = Number(args.clients);
const OUTAGE_MS = Number(args.outage) * 1000;
if (!Number.isInteger(CLIENTS) || CLIENTS < 1 || !(OUTAGE_MS > 0)) {
  console.error('--clients must be a positive integer and --outage a positive number');
  process.exit(2);
}

// A port that refuses: take one, then close it.
const probe = await FakeStompServer.start();
const port = probe.port;
await probe.close();

const attempts: number[][] = [];
const clients: HaClient[] = [];
const lostAt = now();
for (let i = 0; i < CLIENTS; i++) {
  const times: number[] = [];
  attempts.push(times);
  const c = createClient({ discovery: `stomp://127.0.0.1:${port}` });
  c.on('error', () => {});
  c.on('connecting', () => times.push(now() - lostAt));
  clients.push(c);
}
await new Promise((r) => setTimeout(r, OUTAGE_MS));
const server = await FakeStompServer.start(port);
const backAt = now();
const connectLag = await Promise.all(
  clients.map((c) => c.whenConnected().then(() => now() - backAt)),
);
const fastWindowMs = 10_000;
const rate = (from: number, to: number) => {
  const per = attempts.map(
    (t) => t.filter((x) => x >= from && x < to).length / ((to - from) / 1000),
  );
  return per.reduce((a, b) => a + b, 0) / per.length;
};
console.log(
  markdownTable(
    [
      'clients',
      'outage s',
      'attempts/s/client, first 10 s',
      'attempts/s/client, after',
      'connect after return p50 / p95 / max ms',
    ],
    [
      [
        String(CLIENTS),
        String(OUTAGE_MS / 1000),
        rate(0, Math.min(fastWindowMs, OUTAGE_MS)).toFixed(1),
        OUTAGE_MS > fastWindowMs ? rate(fastWindowMs, OUTAGE_MS).toFixed(2) : 'n/a',
        `${percentile(connectLag, 50).toFixed(0)} / ${percentile(connectLag, 95).toFixed(0)} / ${Math.max(...connectLag).toFixed(0)}`,
      ],
    ],
  ),
);
await Promise.all(clients.map((c) => c.close({ timeoutMs: 1000 })));
await server.close();
