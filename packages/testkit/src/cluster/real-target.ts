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
import { EndpointSliceRouting } from './endpoint-slice-routing.js';
import { poll } from './group-pods.js';
import { NodeKubelet, type NodeKubeletOptions, type RestartBackOff } from './node-kubelet.js';
import { podNetwork } from './pod-network.js';
import { PodWatch } from './pod-watch.js';

export interface RealTargetOptions {
  readonly namespace: string;
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly service: CreateServiceOptions;
  /** A running control plane to use (not stopped by close()); @default a new one */
  readonly controlPlane?: ControlPlane;
  /** The kubelet stand-in's crash-loop back-off. @default the kubelet's */
  readonly restartBackOff?: RestartBackOff;
  /** The kubelet stand-in's container runtime, for pods a controller creates. @default {} */
  readonly images?: NodeKubeletOptions['images'];
  /** Where the processes of an image-run pod listen. @default '127.0.0.1' */
  readonly podHost?: NodeKubeletOptions['podHost'];
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
    /**
     * The Service's EndpointSlices as the API publishes them (a watch, no sync lag): the
     * ready pods the controller lists for the Service's first port, for timing hand-overs.
     */
    readonly slices: EndpointSliceRouting,
    /**
     * kube-proxy stand-ins (1 s minimum sync) listening on the Service's ClusterIP, one per
     * Service port by port number; empty outside the routable pod network.
     */
    readonly serviceRouting: ReadonlyMap<number, EndpointSliceRouting>,
    /** The Service's ClusterIP as the API allocated it. */
    readonly clusterIP: string,
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
      const created = await core.createNamespacedService({
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
      const clusterIP = created.spec?.clusterIP ?? '';
      const slices = await EndpointSliceRouting.start({
        kubeConfig: kc,
        namespace,
        service: s.name,
        minSyncPeriodMs: 0,
        ...(s.ports[0]?.name ? { portName: s.ports[0].name } : {}),
      });
      cleanup.push(() => slices.close());
      const serviceRouting = new Map<number, EndpointSliceRouting>();
      if ((await podNetwork()).kind === 'routable' && clusterIP && clusterIP !== 'None') {
        for (const p of s.ports) {
          const routing = await EndpointSliceRouting.start({
            kubeConfig: kc,
            namespace,
            service: s.name,
            ...(p.name ? { portName: p.name } : {}),
            listen: { host: clusterIP, port: p.port },
          });
          cleanup.push(() => routing.close());
          serviceRouting.set(p.port, routing);
        }
      }
      const kubelet = new NodeKubelet({
        kubeConfig: kc,
        namespace,
        ...(options.restartBackOff ? { restartBackOff: options.restartBackOff } : {}),
        ...(options.images ? { images: options.images } : {}),
        ...(options.podHost ? { podHost: options.podHost } : {}),
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
        slices,
        serviceRouting,
        clusterIP,
      );
    } catch (error) {
      for (const c of cleanup.reverse()) await c();
      if (owns) await controlPlane.stop();
      throw error;
    }
  }

  async close(): Promise<void> {
    this.podWatch.stop();
    this.kubelet.stop();
    this.tokenFile.stop();
    await Promise.all([this.slices, ...this.serviceRouting.values()].map((r) => r.close()));
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
