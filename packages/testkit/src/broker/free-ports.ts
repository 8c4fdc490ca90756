import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { BrokerGroupError } from './errors.js';

const LOWEST_PORT = 10_000;

/**
 * Picks `count` distinct ports that are free on `host` right now.
 *
 * Ports come from below the kernel's ephemeral range rather than from `listen(0)`: the harness
 * probes brokers thousands of times, and every probe's source port is ephemeral, so a broker port
 * taken from that range could be occupied by one of our own probes when a broker restarts. Other
 * test servers on the machine listening on port 0 stay out of our way for the same reason.
 */
export async function allocatePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const [ephemeralLow] = ephemeralRange();
  const high = Math.max(LOWEST_PORT + 1000, ephemeralLow);
  const chosen = new Set<number>();
  // Hold every probe socket until all are chosen, so one call never returns the same port twice.
  const held: Array<{ close(cb: () => void): void }> = [];
  try {
    for (let attempt = 0; chosen.size < count && attempt < count * 50; attempt++) {
      const port = LOWEST_PORT + Math.floor(Math.random() * (high - LOWEST_PORT));
      if (chosen.has(port)) continue;
      const server = await tryListen(port, host);
      if (server === undefined) continue;
      held.push(server);
      chosen.add(port);
    }
  } finally {
    await Promise.all(held.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
  if (chosen.size < count) {
    throw new BrokerGroupError(
      'NO_FREE_PORTS',
      `found only ${chosen.size} of ${count} free ports on ${host} between ${LOWEST_PORT} and ${high}`,
    );
  }
  return [...chosen];
}

function tryListen(
  port: number,
  host: string,
): Promise<ReturnType<typeof createServer> | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    // exclusive: do not share a handle with cluster workers; we want the kernel's own answer.
    server.listen({ port, host, exclusive: true }, () => resolve(server));
  });
}

function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    if (low && high) return [low, high];
  } catch {
    // Not Linux: fall back to IANA's dynamic range.
  }
  return [49_152, 65_535];
}
