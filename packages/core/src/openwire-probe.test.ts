import { describe, expect, it } from 'vitest';
import {
  decodeWireFormatInfo,
  encodeWireFormatInfo,
  readFrame,
  SHUTDOWN_INFO_TYPE,
} from './openwire-codec.js';
import { openwireProbe } from './openwire-probe.js';
import { closedPort, tcpFixture } from './testing/tcp-fixture.js';

/** What an ActiveMQ 5.17 broker sends first (its properties, abridged). */
const BROKER_WFI = encodeWireFormatInfo(12, {
  TcpNoDelayEnabled: true,
  SizePrefixDisabled: false,
  CacheSize: 1024,
  ProviderName: 'ActiveMQ',
  StackTraceEnabled: true,
  PlatformDetails: 'JVM: 17',
  CacheEnabled: true,
  TightEncodingEnabled: true,
  MaxFrameSize: 104857600n,
  MaxInactivityDuration: 30000n,
  MaxInactivityDurationInitalDelay: 10000n,
  ProviderVersion: '5.17.6',
});

describe('openwireProbe', () => {
  it('is ok when the broker answers with its WireFormatInfo; sends its own and a ShutdownInfo', async () => {
    await using server = await tcpFixture((s) => s.write(BROKER_WFI));
    const result = await openwireProbe({ port: server.port }).run();
    expect(result).toMatchObject({
      status: 'ok',
      info: { version: 12, providerName: 'ActiveMQ', providerVersion: '5.17.6' },
    });
    // What we sent must itself be a valid WireFormatInfo followed by a ShutdownInfo.
    await expect.poll(() => server.received[0]?.length ?? 0).toBeGreaterThan(20);
    const first = readFrame(server.received[0]!);
    if (!first.complete) throw new Error('incomplete request');
    expect(first.type).toBe(1);
    const sent = decodeWireFormatInfo(first.body);
    expect(sent.version).toBe(12);
    expect(sent.properties).toMatchObject({ TightEncodingEnabled: false, CacheEnabled: false });
    await expect
      .poll(() => {
        const rest = server.received[0]!.subarray(4 + first.body.length + 1);
        const second = readFrame(rest);
        return second.complete ? second.type : undefined;
      })
      .toBe(SHUTDOWN_INFO_TYPE);
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
