import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { stompProbe, tcpProbe } from '@activemq-ha/core';
import { createTestCertificate } from '@activemq-ha/testkit';
import { describe, expect, it } from 'vitest';
import { closedPort, tcpFixture } from '../src/testing/tcp-fixture.js';

const CONNECTED = 'CONNECTED\nversion:1.2\nserver:ActiveMQ/6.2.0\nheart-beat:0,0\n\n\0';

describe('socket probes over TLS', () => {
  it('speaks STOMP inside TLS to a server with a self-signed certificate', async () => {
    await using cert = await createTestCertificate({ keystorePassword: 'unused-password' });
    const server = createTlsServer({ key: cert.keyPem, cert: cert.certPem }, (s) => {
      s.once('data', () => s.write(CONNECTED));
      s.on('error', () => {});
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const result = await stompProbe({ port, tls: true }).run();
      expect(result).toMatchObject({
        probe: `stomp+ssl://127.0.0.1:${port}`,
        status: 'ok',
        info: { server: 'ActiveMQ/6.2.0' },
      });
    } finally {
      server.close();
    }
  });

  it('is a protocol result when the peer accepts TCP but speaks no TLS', async () => {
    await using server = await tcpFixture((s) => {
      s.once('data', () => s.end('CONNECTED\n\n\0'));
    });
    const result = await tcpProbe({ port: server.port, tls: true }).run();
    expect(result.status).toBe('protocol');
  });

  it('is refused when nothing listens (a waiting slave)', async () => {
    const port = await closedPort();
    expect((await stompProbe({ port, tls: true }).run()).status).toBe('refused');
  });
});
