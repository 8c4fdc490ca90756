import {
  decodePayload,
  encodeFrame,
  FrameSplitter,
  INITIAL_WIRE_FORMAT,
  type PropertyValue,
} from '@activemq-ha/openwire';
import { describe, expect, it } from 'vitest';
import { openwireProbe } from './openwire-probe.js';
import { closedPort, tcpFixture } from './testing/tcp-fixture.js';

/** What an ActiveMQ 5.17 broker sends first (its properties, abridged). */
const BROKER_WFI = Buffer.from(
  encodeFrame(
    {
      type: 'WireFormatInfo',
      version: 12,
      properties: new Map<string, PropertyValue>([
        ['TcpNoDelayEnabled', true],
        ['SizePrefixDisabled', false],
        ['CacheSize', 1024],
        ['ProviderName', 'ActiveMQ'],
        ['StackTraceEnabled', true],
        ['PlatformDetails', 'JVM: 17'],
        ['CacheEnabled', true],
        ['TightEncodingEnabled', true],
        ['MaxFrameSize', 104857600n],
        ['MaxInactivityDuration', 30000n],
        ['MaxInactivityDurationInitalDelay', 10000n],
        ['ProviderVersion', '5.17.6'],
      ]),
    },
    INITIAL_WIRE_FORMAT,
  ),
);

/** The frames a peer sent, decoded in the initial (loose) format. */
function sentCommands(bytes: Buffer) {
  return new FrameSplitter(1 << 20).push(bytes).map((p) => decodePayload(p, INITIAL_WIRE_FORMAT));
}

describe('openwireProbe', () => {
  it('is ok when the broker answers with its WireFormatInfo; sends its own and a ShutdownInfo', async () => {
    await using server = await tcpFixture((s) => s.write(BROKER_WFI));
    const result = await openwireProbe({ port: server.port }).run();
    expect(result).toMatchObject({
      status: 'ok',
      info: { version: 12, providerName: 'ActiveMQ', providerVersion: '5.17.6' },
    });
    // What we sent must itself be a valid WireFormatInfo followed by a ShutdownInfo.
    await expect
      .poll(() => sentCommands(server.received[0] ?? Buffer.alloc(0)).map((c) => c.type))
      .toEqual(['WireFormatInfo', 'ShutdownInfo']);
    const [sent] = sentCommands(server.received[0]!);
    if (sent?.type !== 'WireFormatInfo') throw new Error('no WireFormatInfo sent');
    expect(sent.version).toBe(12);
    expect(sent.properties?.get('TightEncodingEnabled')).toBe(false);
    expect(sent.properties?.get('CacheEnabled')).toBe(false);
  });

  it('copes with the broker frame arriving byte by byte', async () => {
    await using server = await tcpFixture((s) => {
      let i = 0;
      const drip = () => {
        if (i >= BROKER_WFI.length || s.destroyed) return;
        s.write(BROKER_WFI.subarray(i, i + 7));
        i += 7;
        setImmediate(drip);
      };
      drip();
    });
    expect((await openwireProbe({ port: server.port }).run()).status).toBe('ok');
  });

  it('is refused when nothing listens', async () => {
    expect((await openwireProbe({ port: await closedPort() }).run()).status).toBe('refused');
  });

  it('reports a STOMP or HTTP answer on the port as a protocol error', async () => {
    await using server = await tcpFixture((s) => s.write('HTTP/1.1 400 Bad Request\r\n\r\n'));
    const result = await openwireProbe({ port: server.port }).run();
    expect(result).toMatchObject({ status: 'protocol', errorCode: 'MALFORMED' });
  });

  it('reports a wrong first command as a protocol error', async () => {
    const keepAlive = Buffer.from('000000060a0000000000', 'hex');
    await using server = await tcpFixture((s) => s.write(keepAlive));
    const result = await openwireProbe({ port: server.port }).run();
    expect(result).toMatchObject({ status: 'protocol', errorCode: 'UNEXPECTED_COMMAND' });
  });

  it('times out on a silent listener (an open port is not enough)', async () => {
    await using server = await tcpFixture();
    const result = await openwireProbe({ port: server.port, timeoutMs: 150 }).run();
    expect(result.status).toBe('timeout');
  });
});
