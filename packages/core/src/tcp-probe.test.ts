import { describe, expect, it } from 'vitest';
import { tcpProbe } from './tcp-probe.js';
import { closedPort, tcpFixture } from './testing/tcp-fixture.js';

describe('tcpProbe', () => {
  it('is ok when the port accepts a connection', async () => {
    await using server = await tcpFixture();
    const result = await tcpProbe({ port: server.port }).run();
    expect(result).toMatchObject({ status: 'ok', probe: `tcp://127.0.0.1:${server.port}` });
    expect(server.connections).toBe(1);
  });

  it('is refused when nothing listens', async () => {
    const result = await tcpProbe({ port: await closedPort() }).run();
    expect(result).toMatchObject({ status: 'refused', errorCode: 'ECONNREFUSED' });
  });

  it('reports an unresolvable host as error (inconclusive), not refused', async () => {
    const result = await tcpProbe({ host: 'no-such-host.invalid', port: 1, timeoutMs: 3000 }).run();
    expect(['error', 'timeout']).toContain(result.status);
  });
});
