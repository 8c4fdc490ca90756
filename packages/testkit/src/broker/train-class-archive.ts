import { existsSync, mkdirSync } from 'node:fs';
import { Socket } from 'node:net';
import { dirname } from 'node:path';
import { createClient, servers } from '@activemq-ha/client';
import {
  classArchiveFile,
  discardClassArchive,
  existingClassArchive,
  installClassArchive,
} from './class-archive.js';
import { locateActivemq, locateJava } from './locate-activemq.js';
import { startBrokerGroup } from './start-broker-group.js';

export interface TrainClassArchiveOptions {
  /** A broker matrix version, as `startBrokerGroup` takes it. @default its default */
  readonly version?: string;
  /** @default $JAVA_HOME, else `java` on PATH */
  readonly javaHome?: string;
  /** Train again although an archive exists. @default false */
  readonly force?: boolean;
  readonly log?: (line: string) => void;
}

export interface TrainedClassArchive {
  readonly file: string;
  /** False when an existing archive was kept. */
  readonly trained: boolean;
}

/**
 * Writes the class archive `brokerCommand` uses for this broker release and JVM, by walking one
 * JVM down the takeover path: a broker writes persistent messages and is SIGKILLed (an unclean
 * store, as a dead master leaves it), a second JVM recovers that store, replays its journal,
 * serves STOMP and OpenWire, and dumps every class it loaded when it exits on SIGTERM.
 */
export async function trainClassArchive(
  options: TrainClassArchiveOptions = {},
): Promise<TrainedClassArchive> {
  const java = locateJava(options.javaHome);
  const activemq = locateActivemq(undefined, options.version);
  const file = classArchiveFile(java, activemq.release);
  if (!options.force && existingClassArchive(java, activemq.release)) {
    return { file, trained: false };
  }
  const written = `${file}.${process.pid}.tmp`;
  // The JVM writes its archive only into a directory that exists.
  mkdirSync(dirname(file), { recursive: true });
  const log = options.log ?? (() => undefined);
  const group = await startBrokerGroup({
    size: 1,
    ...(options.version ? { version: options.version } : {}),
    ...(options.javaHome ? { javaHome: options.javaHome } : {}),
    classArchive: 'off',
    extraJvmArgs: [`-XX:ArchiveClassesAtExit=${written}`],
  });
  try {
    const broker = group.brokers[0]!;
    const traffic = async () => {
      const client = createClient({
        discovery: servers([`stomp://${broker.host}:${broker.ports.stomp}`]),
      });
      try {
        await client.connect();
        let received = 0;
        await client.subscribe(
          '/queue/activemq-ha.class-archive',
          async (m) => {
            received++;
            await m.ack();
          },
          { ack: 'client-individual', prefetch: 100 },
        );
        for (let i = 0; i < 200; i++) await client.send('/queue/activemq-ha.class-archive', 'x');
        return received;
      } finally {
        await client.close({ timeoutMs: 3000 });
      }
    };
    await traffic();
    await openwireHello(broker.host, broker.ports.openwire);
    // The first JVM dies without writing anything: only the one that recovers dumps.
    await group.kill(broker.id, 'SIGKILL');
    await group.restart(broker.id);
    await group.waitForServing(broker.id);
    await openwireHello(broker.host, broker.ports.openwire);
    log(`recovered and received ${await traffic()} messages`);
  } finally {
    await group.stop();
  }
  if (!existsSync(written)) {
    throw new Error(
      `the training JVM wrote no class archive at ${written} (see its console output above)`,
    );
  }
  try {
    installClassArchive(written, file);
  } finally {
    discardClassArchive(written);
  }
  return { file, trained: true };
}

/** Opens an OpenWire connection and waits for the broker's WireFormatInfo, loading its codec. */
async function openwireHello(host: string, port: number): Promise<void> {
  await new Promise<void>((resolve) => {
    const socket = new Socket();
    const done = () => {
      socket.destroy();
      resolve();
    };
    socket.setTimeout(5000, done);
    socket.once('error', done);
    socket.once('data', done);
    socket.connect(port, host);
  });
}
