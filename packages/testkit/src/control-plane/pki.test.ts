import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ControlPlanePki, createControlPlanePki } from './pki.js';

describe('createControlPlanePki', () => {
  let dir: string;
  let pki: ControlPlanePki;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pki-test-'));
    pki = await createControlPlanePki(dir, '10.96.0.1');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('signs a serving certificate for loopback and the in-cluster names, and an admin in system:masters', () => {
    const ca = new X509Certificate(pki.caCert);
    const serving = new X509Certificate(readFileSync(pki.servingCertFile));
    const admin = new X509Certificate(pki.adminCert);
    expect(ca.ca).toBe(true);
    expect(serving.checkIssued(ca) && serving.verify(ca.publicKey)).toBe(true);
    expect(admin.checkIssued(ca) && admin.verify(ca.publicKey)).toBe(true);
    expect(serving.ca).toBe(false);
    expect(serving.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(serving.subjectAltName).toContain('IP Address:10.96.0.1');
    expect(serving.subjectAltName).toContain('DNS:kubernetes.default.svc.cluster.local');
    // The API server maps O to groups and CN to the user name.
    expect(admin.subject).toContain('O=system:masters');
    expect(admin.subject).toContain('CN=activemq-ha-admin');
  });

  it('makes a TLS server and a client that trust each other through the CA alone', async () => {
    const server = createServer(
      {
        cert: readFileSync(pki.servingCertFile),
        key: readFileSync(pki.servingKeyFile),
        ca: pki.caCert,
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => {
        const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
        res.end(peer.subject?.CN ?? '');
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const port = (server.address() as { port: number }).port;
    try {
      const cn = await new Promise<string>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            path: '/',
            ca: pki.caCert,
            cert: pki.adminCert,
            key: pki.adminKey,
            agent: false,
          },
          (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString()));
            res.on('end', () => resolve(body));
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(cn).toBe('activemq-ha-admin');
    } finally {
      server.close();
    }
  });
});
