// The control plane's own certificate authority, minted per run with the openssl CLI (the emulator's
// hand-written DER in kube/self-signed-cert.ts covers one self-signed leaf; a CA, client
// certificates with an Organization and serving SANs are what openssl is for). Keys come from
// node:crypto; nothing private is ever committed.
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ControlPlaneError } from './errors.js';

const run = promisify(execFile);

export interface ControlPlanePki {
  readonly caCert: string;
  readonly caCertFile: string;
  readonly caKeyFile: string;
  readonly servingCertFile: string;
  readonly servingKeyFile: string;
  /** Client certificate of `system:masters`: the admin the kubeconfig and the controller manager use. */
  readonly adminCert: string;
  readonly adminKey: string;
  readonly adminCertFile: string;
  readonly adminKeyFile: string;
  /** Service-account token signing key (private) and its public half, for verification. */
  readonly serviceAccountKeyFile: string;
  readonly serviceAccountPublicKeyFile: string;
}

interface CertSpec {
  readonly name: string;
  readonly subject: Readonly<Record<string, string>>;
  readonly extensions: readonly string[];
}

function newKey(): { key: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** One certificate from a config of our own, so the machine's openssl.cnf adds nothing to it. */
async function mint(
  dir: string,
  spec: CertSpec,
  ca?: { cert: string; key: string },
): Promise<{ cert: string; key: string; certFile: string; keyFile: string }> {
  const { key } = newKey();
  const keyFile = join(dir, `${spec.name}.key`);
  const certFile = join(dir, `${spec.name}.crt`);
  const configFile = join(dir, `${spec.name}.cnf`);
  await writeFile(keyFile, key, { mode: 0o600 });
  const subject = Object.entries(spec.subject).map(([k, v]) => `${k} = ${v}`);
  await writeFile(
    configFile,
    [
      '[req]',
      'distinguished_name = dn',
      'prompt = no',
      'x509_extensions = ext',
      '[dn]',
      ...subject,
      '[ext]',
      ...spec.extensions,
      '',
    ].join('\n'),
  );
  const args = [
    'req',
    '-new',
    '-x509',
    '-config',
    configFile,
    '-key',
    keyFile,
    '-out',
    certFile,
    '-days',
    '7',
    '-sha256',
  ];
  if (ca) args.push('-CA', ca.cert, '-CAkey', ca.key);
  try {
    await run('openssl', args, { timeout: 30_000 });
  } catch (error) {
    throw new ControlPlaneError(
      'PKI_FAILED',
      `openssl could not mint ${spec.name}.crt: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return { cert: await readFile(certFile, 'utf8'), key, certFile, keyFile };
}

/**
 * Mints the CA, the API server's serving certificate (loopback plus the in-cluster names and the
 * Service CIDR's first address, as kubeadm does), an admin client certificate and the
 * service-account signing key pair into `dir`.
 */
export async function createControlPlanePki(
  dir: string,
  kubernetesServiceIp: string,
): Promise<ControlPlanePki> {
  const ca = await mint(dir, {
    name: 'ca',
    subject: { CN: 'activemq-ha-test-ca' },
    extensions: [
      'basicConstraints = critical,CA:TRUE',
      'keyUsage = critical,digitalSignature,keyCertSign,cRLSign',
      'subjectKeyIdentifier = hash',
    ],
  });
  const caFiles = { cert: ca.certFile, key: ca.keyFile };
  const leaf = (usage: string) => [
    'basicConstraints = critical,CA:FALSE',
    'keyUsage = critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage = ${usage}`,
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid',
  ];
  const dnsNames = [
    'localhost',
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    'kubernetes.default.svc.cluster.local',
  ];
  const serving = await mint(
    dir,
    {
      name: 'apiserver',
      subject: { CN: 'kube-apiserver' },
      extensions: [
        ...leaf('serverAuth'),
        `subjectAltName = ${['IP:127.0.0.1', `IP:${kubernetesServiceIp}`, ...dnsNames.map((d) => `DNS:${d}`)].join(',')}`,
      ],
    },
    caFiles,
  );
  // system:masters is bound to cluster-admin by the API server's bootstrap policy.
  const admin = await mint(
    dir,
    {
      name: 'admin',
      subject: { O: 'system:masters', CN: 'activemq-ha-admin' },
      extensions: leaf('clientAuth'),
    },
    caFiles,
  );
  const sa = newKey();
  const serviceAccountKeyFile = join(dir, 'sa.key');
  const serviceAccountPublicKeyFile = join(dir, 'sa.pub');
  await writeFile(serviceAccountKeyFile, sa.key, { mode: 0o600 });
  await writeFile(serviceAccountPublicKeyFile, sa.publicKey);
  return {
    caCert: ca.cert,
    caCertFile: ca.certFile,
    caKeyFile: ca.keyFile,
    servingCertFile: serving.certFile,
    servingKeyFile: serving.keyFile,
    adminCert: admin.cert,
    adminKey: admin.key,
    adminCertFile: admin.certFile,
    adminKeyFile: admin.keyFile,
    serviceAccountKeyFile,
    serviceAccountPublicKeyFile,
  };
}
