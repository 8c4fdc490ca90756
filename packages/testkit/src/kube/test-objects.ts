// Objects the in-process helpers create: what a pod looks like once kubelet runs it.
import type { JsonObject } from './json.js';
import type { KubeObject } from './types.js';
import { nowTime } from './write-strategy.js';

export interface ContainerPortSpec {
  /** IANA service name (`stomp`, `openwire`) a Service's targetPort can refer to. */
  readonly name?: string;
  readonly containerPort: number;
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
}

export interface CreatePodOptions {
  readonly name: string;
  /** @default the emulator's namespace */
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  /** Pods of a test run on loopback; the service proxy connects here. @default '127.0.0.1' */
  readonly podIP?: string;
  /** Initial Ready condition. @default true */
  readonly ready?: boolean;
  /** Ports of the (single) container; named ports resolve Service targetPorts. @default [] */
  readonly containerPorts?: readonly ContainerPortSpec[];
  /** @default 'broker' */
  readonly containerName?: string;
  /** @default 'emulated-node' */
  readonly nodeName?: string;
}

export interface ServicePortSpec {
  /** Required when the Service has more than one port. */
  readonly name?: string;
  readonly port: number;
  /** Number or container port name. @default port */
  readonly targetPort?: number | string;
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
  readonly appProtocol?: string;
}

export interface CreateServiceOptions {
  readonly name: string;
  /** @default the emulator's namespace */
  readonly namespace?: string;
  /** Pods to select; without one the controller manages no EndpointSlices (as in Kubernetes). */
  readonly selector?: Readonly<Record<string, string>>;
  readonly ports: readonly ServicePortSpec[];
  readonly labels?: Readonly<Record<string, string>>;
  /** @default false */
  readonly publishNotReadyAddresses?: boolean;
  /** `'None'` for a headless Service. @default allocated from 10.96.0.0/12 */
  readonly clusterIP?: string;
}

export function readinessConditions(
  ready: boolean,
  containerName: string,
  at: string,
): JsonObject[] {
  const status = ready ? 'True' : 'False';
  const notReady = ready
    ? {}
    : {
        reason: 'ContainersNotReady',
        message: `containers with unready status: [${containerName}]`,
      };
  return [
    {
      type: 'PodReadyToStartContainers',
      status: 'True',
      lastProbeTime: null,
      lastTransitionTime: at,
    },
    { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: at },
    { type: 'Ready', status, lastProbeTime: null, lastTransitionTime: at, ...notReady },
    { type: 'ContainersReady', status, lastProbeTime: null, lastTransitionTime: at, ...notReady },
    { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: at },
  ];
}

export function buildPod(o: CreatePodOptions, namespace: string): KubeObject {
  const at = nowTime();
  const containerName = o.containerName ?? 'broker';
  const podIP = o.podIP ?? '127.0.0.1';
  const ready = o.ready ?? true;
  const container: JsonObject = { name: containerName, image: 'apache/activemq-classic:emulated' };
  if (o.containerPorts && o.containerPorts.length > 0) {
    container.ports = o.containerPorts.map((p) => ({
      ...(p.name ? { name: p.name } : {}),
      containerPort: p.containerPort,
      protocol: p.protocol ?? 'TCP',
    }));
  }
  const metadata: KubeObject['metadata'] = { name: o.name, namespace: o.namespace ?? namespace };
  if (o.labels) metadata.labels = { ...o.labels };
  if (o.annotations) metadata.annotations = { ...o.annotations };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata,
    spec: { containers: [container], nodeName: o.nodeName ?? 'emulated-node' },
    status: {
      phase: 'Running',
      conditions: readinessConditions(ready, containerName, at),
      hostIP: '127.0.0.1',
      hostIPs: [{ ip: '127.0.0.1' }],
      podIP,
      podIPs: [{ ip: podIP }],
      startTime: at,
      qosClass: 'BestEffort',
      containerStatuses: [
        {
          name: containerName,
          ready,
          started: true,
          restartCount: 0,
          image: 'apache/activemq-classic:emulated',
          imageID: '',
          containerID: `emulated://${o.name}`,
          state: { running: { startedAt: at } },
        },
      ],
    },
  };
}

export function buildService(o: CreateServiceOptions, namespace: string): KubeObject {
  const metadata: KubeObject['metadata'] = { name: o.name, namespace: o.namespace ?? namespace };
  if (o.labels) metadata.labels = { ...o.labels };
  const spec: JsonObject = {
    ports: o.ports.map((p) => {
      const port: JsonObject = {
        protocol: p.protocol ?? 'TCP',
        port: p.port,
        targetPort: p.targetPort ?? p.port,
      };
      if (p.name) port.name = p.name;
      if (p.appProtocol) port.appProtocol = p.appProtocol;
      return port;
    }),
  };
  if (o.selector) spec.selector = { ...o.selector };
  if (o.publishNotReadyAddresses) spec.publishNotReadyAddresses = true;
  if (o.clusterIP) spec.clusterIP = o.clusterIP;
  return { apiVersion: 'v1', kind: 'Service', metadata, spec };
}

/** A Node as a kubelet registers it: Ready, reachable on loopback. */
export function buildNode(name: string): KubeObject {
  const at = nowTime();
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' } },
    spec: {},
    status: {
      addresses: [
        { type: 'InternalIP', address: '127.0.0.1' },
        { type: 'Hostname', address: name },
      ],
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status',
          lastHeartbeatTime: at,
          lastTransitionTime: at,
        },
      ],
    },
  };
}
