// What HaCluster runs against when `api: 'real'`: a real control plane (startControlPlane), the
// namespace with the generated ServiceAccount/Role/RoleBinding, a rotated bound token for the
// agents, the client Service, a stand-in kubelet for the one node and a pod watch for the tests'
// view of labels. Everything goes through @kubernetes/client-node, as a cluster's clients do.
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { type ControlPlane, startControlPlane } from '../control-plane/start-control-plane.js';
import { writeFileAtomic } from '../kube/kubeconfig.js';
import type { CreateServiceOptions } from '../kube/test-objects.js';
import { applyAgentRbac, ServiceAccountTokenFile } from './agent-identity.js';
import { poll } from './group-pods.js';
import { NodeKubelet, type RestartBackOff } from './node-kubelet.js';
import { PodWatch } from './pod-watch.js';

export interface RealTargetOptions {
  readonly namespace: string;
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly service: CreateServiceOptions;
  /** A running control plane to use (not stopped by close()); @default a new one */
  readonly controlPlane?: ControlPlane;
  /** The kubelet stand-in's crash-loop back-off. @default the kubelet's */
  readonly restartBackOff?: RestartBackOff;
}

export class RealTarget {
  private constructor(
    readonly controlPlane: ControlPlane,
    private readonly ownsControlPlane: boolean,
    readonly adminKubeConfig: KubeConfig,
    readonly namespace: string,
    readonly kubelet: NodeKubelet,
    readonly podWatch: PodWatch,
    readonly tokenFile: ServiceAccountTokenFile,
    /** Server and CA only: the agents authenticate with `tokenFile`. */
    readonly agentKubeconfigPath: string,
  ) {}

  static async start(options: RealTargetOptions): Promise<RealTarget> {
    const controlPlane = options.controlPlane ?? (await startControlPlane());
    const owns = options.controlPlane === undefined;
    const cleanup: Array<() => unknown> = [];
    try {
      const kc = new KubeConfig();
      kc.loadFromString(controlPlane.kubeconfig);
      const core = kc.makeApiClient(CoreV1Api);
      const namespace = options.namespace;
      await core.createNamespace({ body: { metadata: { name: namespace } } });
      // The service-account controller creates `default`; the ServiceAccount admission plugin
      // rejects pods until it exists.
      await poll(
        async () =>
          (await core.readNamespacedServiceAccount({ name: 'default', namespace })) !== undefined,
        {
          timeoutMs: 60_000,
          intervalMs: 100,
          description: `ServiceAccount ${namespace}/default (created by kube-controller-manager)`,
        },
      );
      const account = await applyAgentRbac(kc, namespace);
      const tokenFile = await ServiceAccountTokenFile.start(
        kc,
        namespace,
        account,
        join(controlPlane.dir, `${namespace}.token`),
      );
      cleanup.push(() => tokenFile.stop());
      const agentKubeconfigPath = join(controlPlane.dir, `${namespace}-agent.kubeconfig`);
      await writeFileAtomic(agentKubeconfigPath, agentKubeconfig(controlPlane, namespace));
      const s = options.service;
      await core.createNamespacedService({
        namespace,
        body: {
          metadata: { name: s.name, ...(s.labels ? { labels: { ...s.labels } } : {}) },
          spec: {
            ...(s.selector ? { selector: { ...s.selector } } : {}),
            ...(s.clusterIP ? { clusterIP: s.clusterIP } : {}),
            publishNotReadyAddresses: s.publishNotReadyAddresses ?? false,
            ports: s.ports.map((p) => ({
              ...(p.name ? { name: p.name } : {}),
              port: p.port,
              targetPort: (p.targetPort ?? p.port) as never,
              protocol: p.protocol ?? 'TCP',
              ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
            })),
          },
        },
      });
      const kubelet = new NodeKubelet({
        kubeConfig: kc,
        namespace,
        ...(options.restartBackOff ? { restartBackOff: options.restartBackOff } : {}),
      });
      await kubelet.start();
      cleanup.push(() => kubelet.stop());
      const selector = Object.entries(options.groupLabels)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      const podWatch = await PodWatch.start(kc, namespace, selector);
      return new RealTarget(
        controlPlane,
        owns,
        kc,
        namespace,
        kubelet,
        podWatch,
        tokenFile,
        agentKubeconfigPath,
      );
    } catch (error) {
      for (const c of cleanup.reverse()) c();
      if (owns) await controlPlane.stop();
      throw error;
    }
  }

  async close(): Promise<void> {
    this.podWatch.stop();
    this.kubelet.stop();
    this.tokenFile.stop();
    if (this.ownsControlPlane) await this.controlPlane.stop();
  }
}

/** A kubeconfig with the server and its CA but no user: credentials come from the token file. */
function agentKubeconfig(cp: ControlPlane, namespace: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'test',
        cluster: {
          server: cp.server,
          'certificate-authority-data': Buffer.from(cp.pki.caCert).toString('base64'),
        },
      },
    ],
    users: [{ name: 'agent', user: {} }],
    contexts: [{ name: 'agent', context: { cluster: 'test', user: 'agent', namespace } }],
    'current-context': 'agent',
  });
}
