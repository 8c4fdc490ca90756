import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrokerGroup } from '../broker/broker-group.js';
import type { BrokerHandle } from '../broker/group-member.js';
import { startBrokerGroup } from '../broker/start-broker-group.js';
import { type KubeEmulator, startKubeEmulator } from '../kube/kube-emulator.js';
import type { CreateServiceOptions } from '../kube/test-objects.js';
import { AgentProcess } from './agent-process.js';
import { Kubelet } from './kubelet.js';

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
  /** @default 1000 */
  readonly lockAcquireSleepIntervalMs?: number;
  /** @default 500 */
  readonly lockKeepAlivePeriodMs?: number;
  /** Extra flags for every agent. */
  readonly agentArgs?: readonly string[];
  /** Extra environment for every agent. */
  readonly agentEnv?: NodeJS.ProcessEnv;
  /** How often the emulated kubelet runs each agent's readiness probe. @default 500 */
  readonly readinessPeriodMs?: number;
  /** Start the agents (off when a test wants to drive labels itself). @default true */
  readonly agents?: boolean;
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
  readonly kubelet: Kubelet;
  #agentSeq = 0;

  private constructor(
    readonly options: HaClusterOptions,
    readonly brokers: BrokerGroup<Protocols>,
    readonly kube: KubeEmulator,
    readonly pods: readonly HaPod[],
    readonly serviceName: string,
  ) {
    this.kubelet = new Kubelet(kube, options.readinessPeriodMs ?? 500);
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
    const kube = await startKubeEmulator({ namespace });
    let brokers: BrokerGroup<Protocols> | undefined;
    try {
      brokers = await startBrokerGroup({
        size,
        protocols: ['openwire', 'stomp'],
        lockAcquireSleepIntervalMs: options.lockAcquireSleepIntervalMs ?? 1000,
        lockKeepAlivePeriodMs: options.lockKeepAlivePeriodMs ?? 500,
        ...(options.brokerVersion ? { version: options.brokerVersion } : {}),
      });
      kube.createService({ ...service, namespace });
      const pods = brokers.brokers.map((broker, i) => {
        const name = `activemq-${i}`;
        kube.createPod({
          name,
          namespace,
          labels: { ...groupLabels, leader: 'no' },
          podIP: broker.host,
          containerPorts: [
            { name: 'openwire', containerPort: broker.ports.openwire },
            { name: 'stomp', containerPort: broker.ports.stomp },
          ],
        });
        return { name, broker, agent: undefined } as HaPod;
      });
      const cluster = new HaCluster(options, brokers, kube, pods, service.name);
      if (options.agents ?? true) {
        await Promise.all(pods.map((pod) => cluster.startAgent(pod.name)));
      }
      return cluster;
    } catch (error) {
      await brokers?.stop();
      await kube.close();
      throw error;
    }
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
    const logDir = join(this.brokers.dir, 'agents');
    await mkdir(logDir, { recursive: true });
    const agent = new AgentProcess({
      entrypoint: this.options.agentEntrypoint,
      logFile: join(logDir, `${podName}.${++this.#agentSeq}.log`),
      args: [...(this.options.agentArgs ?? []), ...(extra.args ?? [])],
      env: {
        PATH: process.env.PATH,
        POD_NAME: podName,
        POD_NAMESPACE: this.kube.namespace,
        KUBECONFIG: this.kube.kubeconfigPath,
        ACTIVEMQ_HA_TOKEN_FILE: this.kube.tokenFilePath,
        ACTIVEMQ_HA_BROKER_HOST: pod.broker.host,
        ACTIVEMQ_HA_OPENWIRE_PORT: String(pod.broker.ports.openwire),
        ACTIVEMQ_HA_STOMP_PORT: String(pod.broker.ports.stomp),
        ACTIVEMQ_HA_HTTP_HOST: '127.0.0.1',
        ACTIVEMQ_HA_HTTP_PORT: '0',
        ...this.options.agentEnv,
        ...extra.env,
      },
    });
    pod.agent = agent;
    await agent.waitForLog((line) => typeof line.httpPort === 'number');
    this.kubelet.watch(podName, agent);
    return agent;
  }

  /** Names of the pods labelled leader right now. */
  leaders(): string[] {
    return this.kube.podsWithLabel('leader', 'yes');
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
    await this.kube.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

export function startHaCluster(options: HaClusterOptions): Promise<HaCluster> {
  return HaCluster.start(options);
}
