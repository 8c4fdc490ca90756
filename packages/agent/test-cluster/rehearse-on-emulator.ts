/**
 * Rehearses `pnpm test:cluster` without a cluster: starts the testkit's HaCluster (three real
 * brokers on one shared store, three real agent processes, the Kubernetes API emulator with an
 * EndpointSlice controller and a kubelet stand-in), plays the Deployment controller, and runs the
 * whole cluster suite against it — destructive and client parts included — through the
 * emulator's kubeconfig. It checks the suite's own logic (watch, overlap proof, polling, client
 * bookkeeping); it is no substitute for a real cluster (see docs/operations.md).
 *
 * Pod deletion runs as on a cluster: the API marks the pod terminating, the kubelet stand-in
 * SIGTERMs broker and agent (the agent's SIGTERM hand-over is exercised) and removes the pod. The
 * replacement pod keeps the deleted pod's name (a StatefulSet's; a Deployment would pick a new one).
 *
 *   pnpm build && npx tsx packages/agent/test-cluster/rehearse-on-emulator.ts
 *
 * With `--api real` the same runs against a real kube-apiserver and kube-controller-manager
 * (testkit's startControlPlane): real EndpointSlices, RBAC and bound tokens for the agents, and the
 * stand-in kubelet's graceful deletion (deletionTimestamp, SIGTERM, removal after exit). The suite
 * sees the admin kubeconfig, as it would see any cluster's. Run it inside the stand-in pod network
 * (scripts/pod-network.sh): brokers bind their pod IPs and the suite's client dials the addresses
 * the real EndpointSlice controller publishes. Outside it (unshare refused) the client traffic
 * part is off, because the mapped stand-in pod IPs are not routable.
 *
 *   pnpm build && sh scripts/pod-network.sh npx tsx packages/agent/test-cluster/rehearse-on-emulator.ts --api real
 *
 * With `--only-kubeconfig` the suite gets nothing but `KUBECONFIG` (a copy of the admin
 * kubeconfig whose current context names the group's namespace), as a user pointing
 * `pnpm test:cluster` at a cluster would run it: the read-only checks, with every default.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type HaCluster, type HaClusterApi, startHaCluster } from '@activemq-ha/testkit';
import { requireAgentBundle } from '../test/agent-entrypoint.js';

const GROUP_LABELS = { 'app.kubernetes.io/name': 'activemq' };
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * What the kubelet and the StatefulSet controller do about a deleted pod: the kubelet stand-in
 * (the same on both targets) runs the graceful deletion, the replacement comes back by name.
 */
function playDeployment(cluster: HaCluster): () => void {
  return cluster.replaceDeletedPods((error) => console.error('replace failed', error));
}

function runSuite(env: NodeJS.ProcessEnv): Promise<number> {
  // Only what is given here reaches the suite's settings, never the caller's own cluster ones.
  const own = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => k !== 'KUBECONFIG' && !k.startsWith('ACTIVEMQ_HA_CLUSTER_'),
    ),
  );
  const child = spawn('npx', ['vitest', 'run', '--project', 'cluster'], {
    cwd: ROOT,
    env: { ...own, ...env },
    stdio: 'inherit',
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}

const { values } = parseArgs({
  options: {
    api: { type: 'string', default: 'emulator' },
    'only-kubeconfig': { type: 'boolean', default: false },
  },
  strict: true,
});
if (values.api !== 'emulator' && values.api !== 'real') {
  console.error(`--api must be emulator or real, not ${values.api}`);
  process.exit(2);
}
const cluster = await startHaCluster({
  agentEntrypoint: requireAgentBundle(),
  size: 3,
  groupLabels: GROUP_LABELS,
  api: values.api as HaClusterApi,
});
if (cluster.podNetwork.kind === 'mapped')
  console.error(`client traffic part off: ${cluster.podNetwork.reason}`);
/** The admin kubeconfig with the group's namespace in its current context, as a user's would be. */
function kubeconfigNamingTheNamespace(): string {
  const kc = cluster.kubeConfig();
  const current = kc.getCurrentContext();
  kc.contexts = kc.contexts.map((c) =>
    c.name === current ? { ...c, namespace: cluster.namespace } : c,
  );
  const file = join(cluster.brokers.dir, 'kubeconfig-with-namespace');
  writeFileSync(file, kc.exportConfig(), { mode: 0o600 });
  return file;
}

const stopPlaying = playDeployment(cluster);
try {
  const suiteEnv: NodeJS.ProcessEnv = values['only-kubeconfig']
    ? { KUBECONFIG: kubeconfigNamingTheNamespace() }
    : {
        KUBECONFIG: cluster.kubeconfigPath,
        ACTIVEMQ_HA_CLUSTER_NAMESPACE: cluster.namespace,
        ACTIVEMQ_HA_CLUSTER_DESTRUCTIVE: '1',
        // Outside the routable stand-in pod network the real target's pods carry mapped pod IPs
        // (testkit pod-network.ts) that only the kube-proxy stand-in translates; the suite's
        // client dials pod IPs, as a runner outside a cluster's network could not either.
        ACTIVEMQ_HA_CLUSTER_CLIENT: cluster.podNetwork.kind === 'routable' ? '1' : '0',
        ACTIVEMQ_HA_CLUSTER_RESTORE_TIMEOUT_MS: '120000',
      };
  process.exitCode = await runSuite(suiteEnv);
  if (process.exitCode !== 0) cluster.dumpLogs();
} finally {
  stopPlaying();
  await cluster.close();
}
