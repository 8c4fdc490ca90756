/**
 * ActiveMQ's Java JMS client over its failover transport as a benchmark side: the FailoverPeer
 * program (packages/openwire/test/java) produces and consumes, and reports each confirmed send
 * and each delivery on stdout as it happens; the times are taken here, on the bench's clock.
 */
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { activemqClasspath, javaProgram } from '../../openwire/test/java-peer.js';
import { Producer, Receiver, waitFor } from '../test/traffic.js';

const OUT = join(tmpdir(), 'activemq-ha-bench-java');

export interface JavaSide {
  readonly name: string;
  readonly producer: Producer;
  readonly receiver: Receiver;
  errors: number;
  filtered: number;
  /** Starts producing (the JVM is up and subscribed already). */
  start(): void;
  stop(): Promise<void>;
  close(): Promise<void>;
}

/** Compiles FailoverPeer if needed and returns its `java` command line prefix. */
async function peerCommand(): Promise<{ java: string; args: string[] }> {
  await javaProgram('FailoverPeer', OUT);
  const { locateJava } = await import('@activemq-ha/testkit');
  return {
    java: locateJava(),
    args: ['-Xmx256m', '-cp', `${OUT}:${activemqClasspath()}`, 'FailoverPeer'],
  };
}

export async function javaSide(
  url: string,
  queue: string,
  window: number,
  bytes: number,
): Promise<JavaSide> {
  const { java, args } = await peerCommand();
  const child = spawn(java, [...args, 'traffic', url, queue, String(window), String(bytes)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  // The bench's Producer bookkeeping, fed from the JVM's lines instead of calling send.
  const producer = new Producer(() => new Promise<string>(() => {}), 0);
  const receiver = new Receiver();
  let ready = false;
  let stopped = false;
  const side: JavaSide = {
    name: 'ActiveMQ Java client (failover:)',
    producer,
    receiver,
    errors: 0,
    filtered: 0,
    start: () => child.stdin.write('go\n'),
    stop: async () => {
      child.stdin.write('stop\n');
      await waitFor(() => stopped, 60_000, 'the Java producers to stop');
    },
    close: async () => {
      child.stdin.end();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        if (child.exitCode !== null) resolve();
      });
    },
  };
  createInterface({ input: child.stdout }).on('line', (line) => {
    const [kind, rest] = [line.slice(0, 1), line.slice(2)];
    if (line === 'READY') ready = true;
    else if (line === 'STOPPED') stopped = true;
    else if (kind === 'P') producer.record(rest);
    else if (kind === 'R') receiver.record(rest);
    else if (kind === 'E') side.errors++;
  });
  await waitFor(() => ready || child.exitCode !== null, 60_000, 'the Java peer to subscribe');
  if (!ready) throw new Error(`the Java peer exited with ${child.exitCode}`);
  return side;
}

/** Steady-state rate and send latency of the Java client on one broker. */
export async function javaRate(
  url: string,
  queue: string,
  count: number,
  window: number,
  bytes: number,
  persistent: boolean,
): Promise<{ rate: number; p50: number; p99: number }> {
  const run = await javaProgram('FailoverPeer', OUT);
  const out = await run(
    ['rate', url, queue, String(count), String(window), String(bytes), String(persistent)],
    300_000,
  );
  const line = out.split('\n').find((l) => l.startsWith('RATE '));
  if (!line) throw new Error(`no RATE line from the Java peer: ${out.slice(0, 500)}`);
  const [, rate, p50, p99] = line.split(' ').map(Number);
  return { rate: rate!, p50: p50!, p99: p99! };
}
