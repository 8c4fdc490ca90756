/**
 * Generates a kustomize base and an overlay from code, the library way of
 * `activemq-ha-manifests init`:
 *
 *   npx tsx examples/generate-base.ts <dir>
 *   kubectl kustomize <dir>/overlays/production
 */
import { join } from 'node:path';
import {
  type BaseOptions,
  generatePassword,
  ManifestsError,
  renderBase,
  renderOverlay,
  writeTree,
} from '@activemq-ha/manifests';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: npx tsx examples/generate-base.ts <dir>\n');
  process.exitCode = 2;
} else {
  try {
    await generate(dir);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = error instanceof ManifestsError && error.code === 'INVALID_OPTION' ? 2 : 1;
  }
}

async function generate(dir: string): Promise<void> {
  const base: BaseOptions = {
    name: 'orders-mq',
    replicas: 2,
    protocols: ['openwire', 'stomp'],
    antiAffinity: 'required',
    storage: { size: '20Gi', nfs: { server: 'nfs.example.com', path: '/exports/orders-mq' } },
    // Faster takeover than the defaults, at the cost of more lock traffic on the NFS server.
    broker: { lockAcquireSleepIntervalMs: 250, lockKeepAlivePeriodMs: 100 },
    networkPolicy: { enabled: true },
  };
  // Validate and render everything before writing anything.
  const baseFiles = renderBase(base);
  const overlay = renderOverlay({
    name: base.name,
    namespace: 'orders',
    nfsVolume: true,
    credentials: { brokerPassword: generatePassword(), consolePassword: generatePassword() },
  });
  await writeTree(join(dir, 'base'), baseFiles);
  const overlayDir = join(dir, 'overlays', 'production');
  const written = await writeTree(overlayDir, overlay);
  process.stderr.write(
    `wrote ${Object.keys(baseFiles).length} base files and ${written.written.length} overlay files under ${dir}\n` +
      `passwords: ${join(overlayDir, 'credentials.env')} and ${join(overlayDir, 'jetty-realm.properties')} (mode 0600)\n` +
      `build: kubectl kustomize ${overlayDir}\n`,
  );
}
