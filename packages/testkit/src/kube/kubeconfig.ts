import { renameSync, writeFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';

export interface KubeconfigParams {
  readonly server: string;
  readonly token: string;
  readonly namespace: string;
  /** @default 'emulator' */
  readonly name?: string;
  /** PEM CA for an https server. */
  readonly caCert?: string | undefined;
}

/** A kubeconfig both client-node and kubectl read: inline CA data and bearer token. */
export function kubeconfigYaml(p: KubeconfigParams): string {
  const name = p.name ?? 'emulator';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [
      {
        name,
        cluster: p.caCert
          ? {
              server: p.server,
              'certificate-authority-data': Buffer.from(p.caCert).toString('base64'),
            }
          : { server: p.server },
      },
    ],
    users: [{ name, user: { token: p.token } }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: p.namespace } }],
    'current-context': name,
  });
}

/**
 * Replaces a file atomically (write + rename), so a reader never sees it half written — the
 * same guarantee kubelet's projected token volume gives by swapping a symlink.
 */
export function writeFileAtomicSync(path: string, content: string): void {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600 });
  renameSync(tmp, path);
}

export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, content, { mode: 0o600 });
  await rename(tmp, path);
}
