/**
 * Captures golden OpenWire vectors: ActiveMQ's Java client (test/java/Capture.java) talks to a
 * real broker through a recording proxy, once with Java's default (tight) encoding and once
 * loose, both with the marshalling cache off (what this codec negotiates); each direction's stream is cut into frames and saved under test/fixtures.
 *
 *   pnpm tsx packages/openwire/test/capture-golden.ts
 *
 * Re-run after changing Capture.java; golden-vectors.test.ts decodes every frame and re-encodes
 * it byte-identically.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBrokerGroup } from '@activemq-ha/testkit';
import { javaProgram } from './java-peer.js';
import { RecordingProxy } from './recording-proxy.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** Cuts a size-prefixed stream into frames (hex), keeping a trailing partial one out. */
function frames(stream: Buffer): string[] {
  const out: string[] = [];
  let at = 0;
  while (at + 4 <= stream.length) {
    const size = stream.readInt32BE(at);
    if (at + 4 + size > stream.length) break;
    out.push(stream.subarray(at, at + 4 + size).toString('hex'));
    at += 4 + size;
  }
  return out;
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'openwire-capture-'));
  try {
    const capture = await javaProgram('Capture', join(work, 'classes'));
    await using group = await startBrokerGroup({ size: 1, protocols: ['openwire'] });
    const broker = (await group.active())!;
    for (const encoding of ['tight', 'loose'] as const) {
      await using proxy = await RecordingProxy.start(broker.host, broker.ports.openwire);
      // The marshalling cache off, as this codec negotiates it (Java's default is on).
      const options = `?wireFormat.cacheEnabled=false${encoding === 'loose' ? '&wireFormat.tightEncodingEnabled=false' : ''}`;
      const out = await capture([`tcp://127.0.0.1:${proxy.port}${options}`]);
      if (!out.includes('capture done')) throw new Error(`capture failed: ${out}`);
      // Let the broker's last frames (the answer to ShutdownInfo, if any) arrive.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const fixture = {
        capturedWith: `ActiveMQ Java client (${broker.id}: /usr/share/activemq, Debian 5.17.2), ${encoding}`,
        script: 'packages/openwire/test/capture-golden.ts',
        connections: Array.from({ length: proxy.connections }, (_, i) => ({
          client: frames(proxy.stream(i, 'client')),
          broker: frames(proxy.stream(i, 'broker')),
        })),
      };
      await writeFile(
        join(FIXTURES, `java-${encoding}.json`),
        `${JSON.stringify(fixture, null, 1)}\n`,
      );
      for (const [i, c] of fixture.connections.entries()) {
        console.log(
          `${encoding} #${i}: ${c.client.length} client, ${c.broker.length} broker frames`,
        );
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
