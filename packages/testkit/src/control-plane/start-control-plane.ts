import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { allocatePorts } from '../broker/free-ports.js';
import { trackDirectory, untrackDirectory } from '../broker/process-reaper.js';
import { type ControlPlaneBinaries, locateControlPlaneBinaries } from './binaries.js';
import { ComponentProcess } from './component-process.js';
import { httpsGet } from './https-get.js';
import { type ControlPlanePki, createControlPlanePki } from './pki.js';

/**
 * The controllers a test cluster needs and nothing that acts on nodes: endpoints and
 * EndpointSlices (the routing signal), the garbage collector (owner references), the
 * service-account controller (creates each namespace's `default` account, without which the
 * ServiceAccount admission plugin rejects every pod) and the token controller. Node lifecycle and
 * pod GC are left out: they would evict or delete the pods of stand-in nodes.
 */
export const TEST_CONTROLLERS = [
  'endpointslice-controller',
  'endpoints-controller',
  'garbage-collector-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
] as const;

/**
 * TEST_CONTROLLERS plus what rolls a Deployment out: the deployment controller (ReplicaSets per
 * template, maxSurge/maxUnavailable, minReadySeconds, the progress deadline) and the replicaset
 * controller (pods, and which to delete first: pod-deletion-cost). Names from
 * cmd/kube-controller-manager/names.
 */
export const ROLLOUT_CONTROLLERS = [
  ...TEST_CONTROLLERS,
  'deployment-controller',
  'replicaset-controller',
] as const;

export interface ControlPlaneOptions {
  /** @default '10.96.0.0/12' (kubeadm's) */
  readonly serviceCidr?: string;
  /** @default TEST_CONTROLLERS */
  readonly controllers?: readonly string[];
  /** Appended to kube-apiserver's flags (later flags win). @default [] */
  readonly apiserverArgs?: readonly string[];
  /** Appended to kube-controller-manager's flags. @default [] */
  readonly controllerManagerArgs?: readonly string[];
  /** Namespace of the kubeconfig's context. @default 'default' */
  readonly namespace?: string;
  /** Per component. @default 120000 */
  readonly startTimeoutMs?: number;
  /** The binaries; @default locateControlPlaneBinaries() */
  readonly binaries?: ControlPlaneBinaries;
}

export interface ControlPlanePorts {
  readonly etcdClient: number;
  readonly etcdPeer: number;
  readonly apiserver: number;
  readonly controllerManager: number;
}

/** A running etcd + kube-apiserver + kube-controller-manager on loopback. */
export interface ControlPlane extends AsyncDisposable {
  /** `https://127.0.0.1:<port>` */
  readonly server: string;
  /** Admin (system:masters) kubeconfig with inline CA and client certificate. */
  readonly kubeconfigPath: string;
  readonly kubeconfig: string;
  readonly namespace: string;
  readonly ports: ControlPlanePorts;
  readonly pki: ControlPlanePki;
  readonly binaries: ControlPlaneBinaries;
  /** The temporary directory: etcd data, certificates, logs. Removed by stop(). */
  readonly dir: string;
  /** `--service-account-issuer`: the `iss` of every service-account token. */
  readonly serviceAccountIssuer: string;
  /** pids of the running components (for tests that prove stop() leaves nothing). */
  pids(): number[];
  /** The last lines of each component's log, for a failing test. */
  dumpLogs(): void;
  /** Stops the controller manager, the API server and etcd, then removes the directory. */
  stop(): Promise<void>;
}

const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

/** The first address of an IPv4 CIDR: the `kubernetes` Service's ClusterIP. */
function firstServiceIp(cidr: string): string {
  const [base] = cidr.split('/');
  const octets = (base ?? '').split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) {
    throw new TypeError(`serviceCidr ${cidr} is not an IPv4 CIDR`);
  }
  octets[3] = (octets[3] ?? 0) + 1;
  return octets.join('.');
}

function adminKubeconfig(server: string, pki: ControlPlanePki, namespace: string): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [
      {
        name: 'activemq-ha-test',
        cluster: { server, 'certificate-authority-data': b64(pki.caCert) },
      },
    ],
    users: [
      {
        name: 'admin',
        user: {
          'client-certificate-data': b64(pki.adminCert),
          'client-key-data': b64(pki.adminKey),
        },
      },
    ],
    contexts: [
      {
        name: 'admin@activemq-ha-test',
        context: { cluster: 'activemq-ha-test', user: 'admin', namespace },
      },
    ],
    'current-context': 'admin@activemq-ha-test',
  });
}

/**
 * Starts a real control plane from the binaries scripts/setup-kube.sh built: etcd, then
 * kube-apiserver (RBAC + Node authorization, the default admission chain plus NodeRestriction,
 * bound service-account tokens), then kube-controller-manager with `TEST_CONTROLLERS`. Resolves
 * once the API server's /readyz and the controller manager's /healthz answer ok. On any failure
 * everything started so far is stopped and the directory removed before the error propagates.
 */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const binaries = options.binaries ?? locateControlPlaneBinaries();
  const serviceCidr = options.serviceCidr ?? '10.96.0.0/12';
  const namespace = options.namespace ?? 'default';
  const timeoutMs = options.startTimeoutMs ?? 120_000;
  const dir = await mkdtemp(join(tmpdir(), 'activemq-ha-control-plane-'));
  trackDirectory(dir, () => false);
  const components: ComponentProcess[] = [];
  const stop = async () => {
    for (const c of [...components].reverse()) await c.stop();
    untrackDirectory(dir);
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  };
  try {
    const [etcdClient, etcdPeer, apiserver, controllerManager] = (await allocatePorts(4)) as [
      number,
      number,
      number,
      number,
    ];
    const ports = { etcdClient, etcdPeer, apiserver, controllerManager };
    const pki = await createControlPlanePki(dir, firstServiceIp(serviceCidr));
    const server = `https://127.0.0.1:${apiserver}`;
    const kubeconfig = adminKubeconfig(server, pki, namespace);
    const kubeconfigPath = join(dir, 'admin.kubeconfig');
    await writeFile(kubeconfigPath, kubeconfig, { mode: 0o600 });
    const admin = { ca: pki.caCert, cert: pki.adminCert, key: pki.adminKey };

    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    const etcd = await ComponentProcess.start(
      'etcd',
      binaries.etcd,
      [
        '--name=test',
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-cluster=test=http://127.0.0.1:${etcdPeer}`,
        // A throwaway store on a shared machine: durability buys nothing, fsync latency costs.
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
      dir,
    );
    components.push(etcd);
    await etcd.waitHealthy(async () => {
      const res = await fetch(`${etcdUrl}/health`, { signal: AbortSignal.timeout(2000) });
      return res.ok && ((await res.json()) as { health?: string }).health === 'true';
    }, timeoutMs);

    const kubeApiserver = await ComponentProcess.start(
      'kube-apiserver',
      binaries.kubeApiserver,
      [
        `--etcd-servers=${etcdUrl}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${apiserver}`,
        `--tls-cert-file=${pki.servingCertFile}`,
        `--tls-private-key-file=${pki.servingKeyFile}`,
        `--client-ca-file=${pki.caCertFile}`,
        `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
        `--service-account-key-file=${pki.serviceAccountPublicKeyFile}`,
        `--service-account-signing-key-file=${pki.serviceAccountKeyFile}`,
        `--service-cluster-ip-range=${serviceCidr}`,
        '--authorization-mode=Node,RBAC',
        // The default chain (NamespaceLifecycle, ServiceAccount, PodSecurity, ResourceQuota, ...)
        // plus what kubeadm adds.
        '--enable-admission-plugins=NodeRestriction',
        // The `kubernetes` Service's endpoints would be 127.0.0.1, which Endpoints validation
        // rejects; nothing here routes to the API through its ClusterIP.
        '--endpoint-reconciler-type=none',
        `--cert-dir=${join(dir, 'apiserver-certs')}`,
        '--profiling=false',
        ...(options.apiserverArgs ?? []),
      ],
      dir,
    );
    components.push(kubeApiserver);
    await kubeApiserver.waitHealthy(
      async () => (await httpsGet(`${server}/readyz`, admin, 2000)).status === 200,
      timeoutMs,
    );

    const kcm = await ComponentProcess.start(
      'kube-controller-manager',
      binaries.kubeControllerManager,
      [
        `--kubeconfig=${kubeconfigPath}`,
        `--authentication-kubeconfig=${kubeconfigPath}`,
        `--authorization-kubeconfig=${kubeconfigPath}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${controllerManager}`,
        `--cert-dir=${join(dir, 'controller-manager-certs')}`,
        '--leader-elect=false',
        `--controllers=${(options.controllers ?? TEST_CONTROLLERS).join(',')}`,
        `--service-account-private-key-file=${pki.serviceAccountKeyFile}`,
        `--root-ca-file=${pki.caCertFile}`,
        `--service-cluster-ip-range=${serviceCidr}`,
        '--profiling=false',
        ...(options.controllerManagerArgs ?? []),
      ],
      dir,
    );
    components.push(kcm);
    // Its serving certificate is self-signed in memory; /healthz is an always-allowed path.
    await kcm.waitHealthy(
      async () =>
        (await httpsGet(`https://127.0.0.1:${controllerManager}/healthz`, {}, 2000)).status === 200,
      timeoutMs,
    );

    return {
      server,
      kubeconfig,
      kubeconfigPath,
      namespace,
      ports,
      pki,
      binaries,
      dir,
      serviceAccountIssuer: SERVICE_ACCOUNT_ISSUER,
      pids: () => components.filter((c) => c.running).map((c) => c.pid),
      dumpLogs: () => {
        for (const c of components)
          process.stderr.write(`===== ${c.name} (${c.logFile})\n${c.tail(30)}\n`);
      },
      stop,
      [Symbol.asyncDispose]: stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
