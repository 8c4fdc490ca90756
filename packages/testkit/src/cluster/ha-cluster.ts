import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { KahaDbTuning, TakeoverProfile } from '@activemq-ha/manifests';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { BrokerGroup } from '../broker/broker-group.js';
import type { BrokerHandle } from '../broker/group-member.js';
import { startBrokerGroup } from '../broker/start-broker-group.js';
import { now } from '../broker/timing.js';
import type { ControlPlane } from '../control-plane/start-control-plane.js';
import type { KubeWaitOptions } from '../kube/emulator-history.js';
import {
  type KubeEmulator,
  type KubeEmulatorOptions,
  startKubeEmulator,
} from '../kube/kube-emulator.js';
import type { LabelChange } from '../kube/label-history.js';
import type { CreateServiceOptions } from '../kube/test-objects.js';
import { AgentProcess, type AgentProcessOptions } from './agent-process.js';
import { startEmulatorKubelet } from './emulator-kubelet.js';
import { LEADER_LABEL, leaderNames } from './group-pods.js';
import type { LocalContainer, NodeKubelet } from './node-kubelet.js';
import { allocatePodIPs, type PodNetwork, podNetwork } from './pod-network.js';
import { RealTarget } from './real-target.js';

/** Which API the cluster's pods live in. */
export type HaClusterApi = 'emulator' | 'real';

type Protocols = 'openwire' | 'stomp';

export interface HaClusterOptions {
  /** Path of the agent bundle (`packages/agent/dist/agent.js`). */
  readonly agentEntrypoint: string;
  /** @default 3 */
  readonly size?: number;
  /** @default 'activemq' */
  readonly namespace?: string;
  /** Labels every broker pod carries (the group selector). @default { 'app.kubernetes.io/name': 'activemq' } */
  readonly groupLabels?: Readonly<Record<string, string>>;
  /** The client Service; its selector should include `leader: 'yes'`. @default a Service named `activemq` on openwire and stomp */
  readonly service?: Omit<CreateServiceOptions, 'namespace'>;
  /** The broker matrix version to run (see startBrokerGroup). @default $ACTIVEMQ_VERSION, else the default */
  readonly brokerVersion?: string;
  /** Lock and checkpoint preset of `@activemq-ha/manifests`. @default its default */
  readonly takeover?: TakeoverProfile;
  /** @default the takeover profile's */
  readonly lockAcquireSleepIntervalMs?: number;
  /** @default the takeover profile's */
  readonly lockKeepAlivePeriodMs?: number;
  /** @default the takeover profile's */
  readonly checkpointIntervalMs?: number;
  /** Further KahaDB attributes. @default none */
  readonly kahaDb?: KahaDbTuning;
  /** Log each failed lock attempt, for `takeoverBreakdown`. @default false */
  readonly lockRetryLog?: boolean;
  /** The takeover warm-up agent in every broker JVM (see startBrokerGroup). @default false */
  readonly takeoverWarmup?: boolean | number;
  /** Extra flags for every agent. */
  readonly agentArgs?: readonly string[];
  /** Extra environment for every agent. */
  readonly agentEnv?: NodeJS.ProcessEnv;
  /** How often the kubelet stand-in runs each agent's readiness probe. @default 500 */
  readonly readinessPeriodMs?: number;
  /**
   * Run the agent container's liveness probe (`GET /healthz`, the generated manifests' period 10 s,
   * timeout 3 s, failureThreshold 3) and restart containers that exit (broker and agent, with the
   * kubelet's crash-loop back-off). Off by default: most suites kill and restart containers
   * themselves. @default false
   */
  readonly kubeletRestarts?: boolean;
  /** Crash-loop back-off of those restarts. @default the kubelet's (10 s doubling to 300 s) */
  readonly restartBackOff?: { readonly initialMs?: number; readonly maxMs?: number };
  /**
   * The EndpointSlice controller's lag (see KubeEmulatorOptions.endpointSliceLag). `'none'` is
   * the same-tick controller the benchmarks used before realistic lag. @default kube-controller-manager's
   */
  readonly endpointSliceLag?: KubeEmulatorOptions['endpointSliceLag'];
  /** Start the agents (off when a test wants to drive labels itself). @default true */
  readonly agents?: boolean;
  /**
   * `'emulator'`: the in-process API emulator (fault injection, instant EndpointSlices).
   * `'real'`: a real kube-apiserver + controller manager (startControlPlane), a stand-in kubelet
   * and agents authenticated by the generated RBAC and a bound service-account token.
   * @default 'emulator'
   */
  readonly api?: HaClusterApi;
  /** With `api: 'real'`: an already running control plane to use (left running by close()). */
  readonly controlPlane?: ControlPlane;
  /** Consecutive failed readiness probes before a pod turns NotReady (real target). @default 1 */
  readonly readinessFailureThreshold?: number;
}

export interface HaPod {
  readonly name: string;
  readonly broker: BrokerHandle<Protocols>;
  agent: AgentProcess | undefined;
}

/**
 * A whole HA deployment on one machine: a real broker group, the Kubernetes API emulator with one
 * pod per broker and the client Service, one real agent process per pod started through its CLI,
 * and a kubelet stand-in that turns each agent's `/readyz` into the pod's Ready condition.
 */
export class HaCluster implements AsyncDisposable {
  #agentSeq = 0;
  /** The broker container of each pod object, kept across agent restarts. */
  readonly #brokerContainers = new Map<string, LocalContainer>();

  private constructor(
    readonly options: HaClusterOptions,
    readonly brokers: BrokerGroup<Protocols>,
    readonly target:
      | { readonly api: 'emulator'; readonly kube: KubeEmulator }
      | { readonly api: 'real'; readonly real: RealTarget },
    readonly pods: readonly HaPod[],
    readonly serviceName: string,
    /** The kubelet stand-in of the one node, the same implementation on both targets. */
    readonly kubelet: NodeKubelet,
    /**
     * On the real target: whether the pods' IPs are routable from this process (inside
     * scripts/pod-network.sh brokers bind their pod IPs) or only through the kube-proxy stand-in.
     * The emulator publishes the loopback addresses the brokers listen on: always routable.
     */
    readonly podNetwork: PodNetwork,
  ) {}

  get api(): HaClusterApi {
    return this.target.api;
  }

  /** The API emulator (fault injection, its own label history); only with `api: 'emulator'`. */
  get kube(): KubeEmulator {
    if (this.target.api !== 'emulator')
      throw new Error(
        'cluster.kube is the API emulator; this cluster runs against a real API server (api: real)',
      );
    return this.target.kube;
  }

  /** The real control plane and its stand-ins; only with `api: 'real'`. */
  get real(): RealTarget {
    if (this.target.api !== 'real') throw new Error('cluster.real exists only with api: real');
    return this.target.real;
  }

  static async start(options: HaClusterOptions): Promise<HaCluster> {
    const size = options.size ?? 3;
    const namespace = options.namespace ?? 'activemq';
    const groupLabels = options.groupLabels ?? { 'app.kubernetes.io/name': 'activemq' };
    const service = options.service ?? {
      name: 'activemq',
      selector: { ...groupLabels, leader: 'yes' },
      ports: [
        { name: 'openwire', port: 61616, targetPort: 'openwire' },
        { name: 'stomp', port: 61613, targetPort: 'stomp' },
      ],
    };
    const api = options.api ?? 'emulator';
    const network: PodNetwork = api === 'real' ? await podNetwork() : { kind: 'routable' };
    const target =
      api === 'real'
        ? ({
            api,
            real: await RealTarget.start({
              namespace,
              groupLabels,
              service: { ...service, namespace },
              ...(options.controlPlane ? { controlPlane: options.controlPlane } : {}),
              ...(options.restartBackOff ? { restartBackOff: options.restartBackOff } : {}),
            }),
          } as const)
        : ({
            api,
            kube: await startKubeEmulator({
              namespace,
              ...(options.endpointSliceLag !== undefined
                ? { endpointSliceLag: options.endpointSliceLag }
                : {}),
            }),
          } as const);
    let brokers: BrokerGroup<Protocols> | undefined;
    try {
      brokers = await startBrokerGroup({
        size,
        protocols: ['openwire', 'stomp'],
        takeover: options.takeover,
        lockAcquireSleepIntervalMs: options.lockAcquireSleepIntervalMs,
        lockKeepAlivePeriodMs: options.lockKeepAlivePeriodMs,
        checkpointIntervalMs: options.checkpointIntervalMs,
        kahaDb: options.kahaDb,
        lockRetryLog: options.lockRetryLog,
        takeoverWarmup: options.takeoverWarmup,
        ...(options.brokerVersion ? { version: options.brokerVersion } : {}),
        // Real pod IPs where they are routable; the emulator accepts the loopback address.
        ...(api === 'real' && network.kind === 'routable' ? { hosts: allocatePodIPs(size) } : {}),
      });
      let kubelet: NodeKubelet;
      if (target.api === 'emulator') {
        target.kube.createService({ ...service, namespace });
        kubelet = await startEmulatorKubelet(target.kube, namespace, options);
      } else kubelet = target.real.kubelet;
      const pods = brokers.brokers.map(
        (broker, i): HaPod => ({ name: `activemq-${i}`, broker, agent: undefined }),
      );
      const cluster = new HaCluster(options, brokers, target, pods, service.name, kubelet, network);
      for (const pod of pods) await cluster.#createPodObject(pod);
      if (options.agents ?? true) {
        await Promise.all(pods.map((pod) => cluster.startAgent(pod.name)));
      }
      return cluster;
    } catch (error) {
      await brokers?.stop();
      if (target.api === 'emulator') await target.kube.close();
      else await target.real.close();
      throw error;
    }
  }

  /** The pod object of `pod` in the API: leader=no, bound to the stand-in node on the real target. */
  async #createPodObject(pod: HaPod): Promise<void> {
    this.#brokerContainers.delete(pod.name);
    const groupLabels = this.options.groupLabels ?? { 'app.kubernetes.io/name': 'activemq' };
    const spec = {
      name: pod.name,
      labels: { ...groupLabels, leader: 'no' },
      podIP: pod.broker.host,
      containerPorts: [
        { name: 'openwire', containerPort: pod.broker.ports.openwire },
        { name: 'stomp', containerPort: pod.broker.ports.stomp },
      ],
      containers: ['activemq', 'agent'],
    };
    await this.kubelet.createPod(spec);
  }

  /**
   * What a ReplicaSet and the kubelet do after a pod was deleted: a new pod of the same name, its
   * broker restarted (it waits for the lock as a slave) and a new agent. The old containers must
   * have stopped already (the kubelet stops them on a graceful deletion, see deletePod).
   */
  async replacePod(name: string): Promise<void> {
    const pod = this.pod(name);
    if (pod.agent?.running)
      throw new Error(`agent of ${name} still runs; stop the old pod's containers first`);
    if (!pod.broker.running) await this.brokers.restart(pod.broker.id);
    await this.#createPodObject(pod);
    await this.startAgent(name);
  }

  /**
   * `kubectl delete pod`: a REST DELETE (grace period: the pod's 30 s unless given). The API marks
   * the pod terminating; the kubelet stand-in SIGTERMs broker and agent at once, SIGKILLs what is
   * left at the end of the grace period and removes the pod. Resolves when the DELETE was
   * answered, with the time it was sent; `kubelet.onPodRemoved` tells when the pod is gone.
   */
  async deletePod(
    name: string,
    opts: { readonly gracePeriodSeconds?: number } = {},
  ): Promise<number> {
    const kc =
      this.target.api === 'emulator'
        ? this.target.kube.kubeConfig()
        : this.target.real.adminKubeConfig;
    const sentAt = now();
    await kc.makeApiClient(CoreV1Api).deleteNamespacedPod({
      name,
      namespace: this.namespace,
      ...(opts.gracePeriodSeconds === undefined
        ? {}
        : { body: { gracePeriodSeconds: opts.gracePeriodSeconds } }),
    });
    return sentAt;
  }

  /**
   * What the StatefulSet controller does: each pod the kubelet removed comes back under the same
   * name (replacePod). Returns the function that stops it.
   */
  replaceDeletedPods(onError: (error: unknown) => void = () => undefined): () => void {
    return this.kubelet.onPodRemoved((name) => {
      if (this.pods.some((p) => p.name === name)) this.replacePod(name).catch(onError);
    });
  }

  pod(name: string): HaPod {
    const pod = this.pods.find((p) => p.name === name);
    if (!pod)
      throw new Error(`no pod ${name}; pods are ${this.pods.map((p) => p.name).join(', ')}`);
    return pod;
  }

  podOfBroker(brokerId: string): HaPod {
    const pod = this.pods.find((p) => p.broker.id === brokerId);
    if (!pod) throw new Error(`no pod runs broker ${brokerId}`);
    return pod;
  }

  /** Starts (or restarts) the agent of `podName`; resolves once its HTTP server listens. */
  async startAgent(
    podName: string,
    extra: { args?: readonly string[]; env?: NodeJS.ProcessEnv } = {},
  ): Promise<AgentProcess> {
    const pod = this.pod(podName);
    if (pod.agent?.running) throw new Error(`agent of ${podName} is already running`);
    const agent = new AgentProcess(await this.#agentOptions(pod, extra));
    pod.agent = agent;
    await agent.waitForLog((line) => typeof line.httpPort === 'number');
    // A pod the test took from the kubelet (kubelet.forget) runs its agent unsupervised.
    if (this.kubelet.manages(podName)) {
      const kubelet = this.kubelet;
      const broker = pod.broker;
      const restarts = this.options.kubeletRestarts === true;
      // One broker container per pod object: a new agent process is not a new broker container.
      let brokerContainer = this.#brokerContainers.get(podName);
      if (!brokerContainer) {
        brokerContainer = {
          name: 'activemq',
          get running() {
            return broker.running;
          },
          stop: (signal) =>
            broker.running
              ? this.brokers.kill(broker.id, signal === 'SIGKILL' ? 'SIGKILL' : 'SIGTERM')
              : Promise.resolve(),
          ...(restarts ? { start: () => this.brokers.restart(broker.id) } : {}),
        };
        this.#brokerContainers.set(podName, brokerContainer);
      }
      kubelet.setContainers(podName, [
        brokerContainer,
        {
          name: 'agent',
          get running() {
            return pod.agent?.running === true;
          },
          stop: (signal) => pod.agent?.kill(signal) ?? Promise.resolve(),
          ...(restarts ? { start: () => this.#restartAgentContainer(podName) } : {}),
        },
      ]);
      kubelet.setReadinessProbe(podName, {
        container: 'agent',
        url: () =>
          pod.agent?.running && pod.agent.httpPort !== undefined
            ? `http://127.0.0.1:${pod.agent.httpPort}/readyz`
            : undefined,
        periodMs: this.options.readinessPeriodMs ?? 500,
        timeoutMs: this.options.readinessPeriodMs ?? 500,
        failureThreshold: this.options.readinessFailureThreshold ?? 1,
      });
      if (restarts) {
        // The generated manifests' agent liveness probe.
        kubelet.setLivenessProbe(podName, {
          container: 'agent',
          url: () =>
            pod.agent?.running && pod.agent.httpPort !== undefined
              ? `http://127.0.0.1:${pod.agent.httpPort}/healthz`
              : undefined,
          periodMs: 10_000,
          timeoutMs: 3000,
          failureThreshold: 3,
        });
      }
    }
    return agent;
  }

  /** How the agent of `pod` runs: its CLI with the pod's downward-API environment. */
  async #agentOptions(
    pod: HaPod,
    extra: { args?: readonly string[]; env?: NodeJS.ProcessEnv } = {},
  ): Promise<AgentProcessOptions> {
    const podName = pod.name;
    const logDir = join(this.brokers.dir, 'agents');
    await mkdir(logDir, { recursive: true });
    return {
      entrypoint: this.options.agentEntrypoint,
      logFile: join(logDir, `${podName}.${++this.#agentSeq}.log`),
      args: [...(this.options.agentArgs ?? []), ...(extra.args ?? [])],
      env: {
        PATH: process.env.PATH,
        POD_NAME: podName,
        POD_NAMESPACE: this.namespace,
        KUBECONFIG:
          this.target.api === 'emulator'
            ? this.target.kube.kubeconfigPath
            : this.target.real.agentKubeconfigPath,
        ACTIVEMQ_HA_TOKEN_FILE:
          this.target.api === 'emulator'
            ? this.target.kube.tokenFilePath
            : this.target.real.tokenFile.file,
        ACTIVEMQ_HA_BROKER_HOST: pod.broker.host,
        ACTIVEMQ_HA_OPENWIRE_PORT: String(pod.broker.ports.openwire),
        ACTIVEMQ_HA_STOMP_PORT: String(pod.broker.ports.stomp),
        ACTIVEMQ_HA_HTTP_HOST: '127.0.0.1',
        ACTIVEMQ_HA_HTTP_PORT: '0',
        ...this.options.agentEnv,
        ...extra.env,
      },
    };
  }

  /** The kubelet's restart of the agent container: a new process in the same pod. */
  async #restartAgentContainer(podName: string): Promise<void> {
    const pod = this.pod(podName);
    const agent = new AgentProcess(await this.#agentOptions(pod));
    pod.agent = agent;
    await agent.waitForLog((line) => typeof line.httpPort === 'number');
  }

  /** Admin credentials for the cluster's API (the emulator's, or the real control plane's). */
  kubeConfig(): KubeConfig {
    if (this.target.api === 'emulator') return this.target.kube.kubeConfig();
    const kc = new KubeConfig();
    kc.loadFromString(this.target.real.controlPlane.kubeconfig);
    return kc;
  }

  /** Path of the admin kubeconfig, for kubectl and for suites run against the cluster. */
  get kubeconfigPath(): string {
    return this.target.api === 'emulator'
      ? this.target.kube.kubeconfigPath
      : this.target.real.controlPlane.kubeconfigPath;
  }

  get namespace(): string {
    return this.target.api === 'emulator' ? this.target.kube.namespace : this.target.real.namespace;
  }

  /**
   * Calls `listener` after every API write on the emulator; on the real target after every pod
   * event and every change of the Service's EndpointSlices. Returns its removal.
   */
  onChange(listener: () => void): () => void {
    if (this.target.api === 'emulator') return this.target.kube.onChange(() => listener());
    const real = this.target.real;
    const offPods = real.podWatch.onChange(listener);
    const offSlices = real.slices.onSync(listener);
    return () => {
      offPods();
      offSlices();
    };
  }

  /** The pods the Service's EndpointSlices list as ready for `portName` (as the API has them now). */
  readyEndpointPods(portName = 'stomp'): Array<string | undefined> {
    if (this.target.api === 'emulator')
      return this.target.kube.readyEndpoints(this.serviceName, { portName }).map((e) => e.pod);
    return this.target.real.slices.endpoints().map((e) => e.pod);
  }

  /**
   * Every pod's `key` label: read from the emulator now, on the real target as the pod watch
   * last saw it (undefined: no such label, or the pod is gone).
   */
  labelsSeen(key = LEADER_LABEL): Record<string, string | undefined> {
    const labels: Record<string, string | undefined> = {};
    if (this.target.api === 'emulator') {
      for (const pod of this.pods)
        labels[pod.name] = (
          this.target.kube.getPod(pod.name)?.metadata.labels as Record<string, string> | undefined
        )?.[key];
      return labels;
    }
    const seen = new Map(this.target.real.podWatch.pods().map((p) => [p.metadata?.name, p]));
    for (const pod of this.pods) labels[pod.name] = seen.get(pod.name)?.metadata?.labels?.[key];
    return labels;
  }

  /** Names of the pods labelled leader right now (on the real target: as last seen by the watch). */
  leaders(): string[] {
    if (this.target.api === 'emulator') return this.kube.podsWithLabel(LEADER_LABEL, 'yes');
    return leaderNames(this.target.real.podWatch.pods());
  }

  /** The pod's leader label, read from the API now (not from a cache). */
  async labelOf(podName: string): Promise<string | undefined> {
    if (this.target.api === 'emulator') {
      return (
        this.target.kube.getPod(podName)?.metadata.labels as Record<string, string> | undefined
      )?.[LEADER_LABEL];
    }
    const pod = await this.target.real.adminKubeConfig
      .makeApiClient(CoreV1Api)
      .readNamespacedPod({ name: podName, namespace: this.namespace });
    return pod.metadata?.labels?.[LEADER_LABEL];
  }

  /**
   * Every label change of the group's pods: the emulator records each write as it happens; the
   * real target records each change as its watch sees it (a few ms later).
   */
  labelHistory(): LabelChange[] {
    return this.target.api === 'emulator'
      ? this.target.kube.labelHistory()
      : this.target.real.podWatch.changes();
  }

  /**
   * Resolves with the first truthy `check()`: re-checked after every API write on the emulator and
   * after every pod event on the real target, plus every 100 ms for state outside the API.
   */
  waitFor<T>(check: () => T | undefined | null | false, opts: KubeWaitOptions = {}): Promise<T> {
    if (this.target.api === 'emulator') return this.target.kube.waitFor(check, opts);
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const description = opts.description ?? 'a condition';
    const watch = this.target.real.podWatch;
    const ticker = setInterval(() => watch.poke(), 100);
    return watch
      .until(() => check() ?? undefined, { timeoutMs, description })
      .finally(() => clearInterval(ticker)) as Promise<T>;
  }

  /** Logs of every broker and agent, for a failing test. */
  dumpLogs = (): void => {
    this.brokers.dumpLogs();
    for (const pod of this.pods) {
      const tail = pod.agent?.lines
        .slice(-30)
        .map((l) => JSON.stringify(l))
        .join('\n');
      if (tail)
        process.stderr.write(`===== agent ${pod.name} (${pod.agent?.options.logFile})\n${tail}\n`);
    }
  };

  async close(): Promise<void> {
    this.kubelet.stop();
    await Promise.all(this.pods.map((p) => p.agent?.kill('SIGKILL')));
    await this.brokers.stop();
    if (this.target.api === 'emulator') await this.target.kube.close();
    else await this.target.real.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

export function startHaCluster(options: HaClusterOptions): Promise<HaCluster> {
  return HaCluster.start(options);
}
