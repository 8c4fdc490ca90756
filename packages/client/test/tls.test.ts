import { execFileSync } from 'node:child_process';
import { connect } from 'node:net';
import { createServer, type Server } from 'node:tls';
import { createClient } from '@activemq-ha/client';
import { createTestCertificate, type TestCertificate } from '@activemq-ha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeStompServer } from './fake-stomp-server.js';

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!hasOpenssl())('stomp+ssl://', () => {
  let certificate: TestCertificate;
  let cert: Buffer;
  let key: Buffer;
  let fake: FakeStompServer;
  let terminator: Server;

  beforeAll(async () => {
    certificate = await createTestCertificate({ keystorePassword: 'unused' });
    cert = Buffer.from(certificate.certPem);
    key = Buffer.from(certificate.keyPem);
    fake = await FakeStompServer.start();
    // TLS terminator in front of the plain fake broker (what stomp+ssl:// on the broker does).
    terminator = createServer({ cert, key }, (tlsSocket) => {
      const plain = connect(fake.port, '127.0.0.1');
      tlsSocket.pipe(plain).pipe(tlsSocket);
      tlsSocket.on('error', () => plain.destroy());
      plain.on('error', () => tlsSocket.destroy());
    });
    await new Promise<void>((resolve) => terminator.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => terminator?.close(() => resolve()));
    await fake?.close();
    await certificate?.[Symbol.asyncDispose]();
  });

  it('connects with the given CA and verifies the host name', async () => {
    const port = (terminator.address() as { port: number }).port;
    const client = createClient({
      discovery: [`stomp+ssl://localhost:${port}`],
      tls: { ca: cert },
    });
    try {
      await client.whenConnected();
      await client.send('/queue/tls', 'secret');
      expect(fake.framesOf(0, 'SEND')[0]?.body).toBe('secret');
    } finally {
      await client.close({ timeoutMs: 1000 });
    }
  });

  it('refuses a server it cannot verify (and keeps retrying, as for any broker it cannot reach)', async () => {
    const port = (terminator.address() as { port: number }).port;
    const client = createClient({ discovery: [`stomp+ssl://localhost:${port}`] });
    const failures: string[] = [];
    client.on('state', (s) => {
      if (s.type === 'waiting' && s.lastError) failures.push(s.lastError.message);
    });
    try {
      await expect.poll(() => failures.length, { timeout: 10_000 }).toBeGreaterThan(0);
      expect(failures[0]).toMatch(/self[- ]signed|certificate/i);
      expect(client.state.type).not.toBe('connected');
    } finally {
      await client.close({ timeoutMs: 0 });
    }
  });
});
