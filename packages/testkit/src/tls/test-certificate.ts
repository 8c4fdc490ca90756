import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestCertificateOptions {
  /** Subject alternative names. @default ['localhost'] */
  readonly dnsNames?: readonly string[];
  /** Password of the PKCS12 keystore (as cert-manager's `keystores.pkcs12.passwordSecretRef`). */
  readonly keystorePassword: string;
}

/**
 * A self-signed server certificate and the PKCS12 keystore a broker reads, written by the real
 * `openssl` (OpenSSL 3 writes PBES2/AES keystores, as cert-manager's `Modern2023` profile does).
 * Removed with its directory on dispose.
 */
export interface TestCertificate extends AsyncDisposable {
  readonly certPem: string;
  readonly keyPem: string;
  /** Path of `keystore.p12` (key and certificate under the alias `broker`). */
  readonly keystorePath: string;
}

export async function createTestCertificate(
  options: TestCertificateOptions,
): Promise<TestCertificate> {
  const dir = await mkdtemp(join(tmpdir(), 'activemq-ha-tls-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    const key = join(dir, 'tls.key');
    const cert = join(dir, 'tls.crt');
    const keystorePath = join(dir, 'keystore.p12');
    const names = options.dnsNames ?? ['localhost'];
    const [first = 'localhost'] = names;
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${first}`,
      '-addext',
      `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`,
      '-keyout',
      key,
      '-out',
      cert,
    ]);
    // The password goes through a file, never the command line.
    const passFile = join(dir, 'pass');
    await writeFile(passFile, options.keystorePassword, { mode: 0o600 });
    await run('openssl', [
      'pkcs12',
      '-export',
      '-name',
      'broker',
      '-inkey',
      key,
      '-in',
      cert,
      '-out',
      keystorePath,
      '-passout',
      `file:${passFile}`,
    ]);
    return {
      certPem: await readFile(cert, 'utf8'),
      keyPem: await readFile(key, 'utf8'),
      keystorePath,
      [Symbol.asyncDispose]: dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}
