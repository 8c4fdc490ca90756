// The container runtime's images for the pods `@activemq-ha/manifests` renders, so the kubelet
// stand-in runs the Deployment a real controller creates: the broker image starts a real broker
// of a testkit broker group on the shared KahaDB (one free member per pod), the agent image the
// real agent bundle with the pod's downward-API environment, and the `check-store` init
// container the agent's real `check-store` as the pod's uid. What a container image hides (its
// file system, its pid namespace, its ports) is mapped onto this machine: the pod's paths
// (/var/run/activemq-ha, the shared mount) onto per-pod directories and the group's store, the
// broker liveness probe's `/proc/[0-9]*/cmdline` onto the pod's own JVM, container ports onto the
// ports the processes really listen on.
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import type { BrokerGroup } from '../broker/broker-group.js';
import type { BrokerHandle } from '../broker/group-member.js';
import { AgentProcess } from './agent-process.js';
import type { LocalContainer, LocalImageContext, LocalImages } from './local-container.js';

/** Paths of the generated pod spec (manifests' agent-container.ts, broker-container.ts). */
const HA_RUN_DIR = '/var/run/activemq-ha';
const SHARED_DIR = '/var/lib/activemq-ha/shared';

export interface HaImagesOptions {
  /** Brokers on one shared store; each broker container takes a member no live pod holds. */
  readonly brokers: BrokerGroup<'openwire' | 'stomp'>;
  /** The agent bundle (packages/agent/dist/agent.js). */
  readonly agentEntrypoint: string;
  /** Image references: the rendered Deployment's broker and agent images. */
  readonly brokerImage: string;
  readonly agentImage: string;
  /** The agent's API access as a pod has it (KUBECONFIG, ACTIVEMQ_HA_TOKEN_FILE). */
  readonly agentEnv: NodeJS.ProcessEnv;
  /** Per-pod directories (the `ha-run` emptyDir, logs). */
  readonly dir: string;
  /**
   * The uid a pod's `runAsUser` runs as here, as a user namespace maps it: the brokers of this
   * machine's test ground run as this process's uid, so the generated 1000 maps to it.
   * @default uid => uid
   */
  readonly uid?: (runAsUser: number) => number;
}

/** The images, the pod → broker member assignment, and `release` for a removed pod. */
export interface HaImages {
  readonly images: LocalImages;
  /** The kubelet's `podHost`: assigns the pod a free broker member and answers its host. */
  readonly podHost: (pod: V1Pod) => string;
  /** The broker member `podName` holds, if any. */
  member(podName: string): BrokerHandle<'openwire' | 'stomp'> | undefined;
  /** The pod's `ha-run` directory (where the agent writes the stop marker). */
  runDir(podName: string): string;
  /** Frees the member of a pod the kubelet removed. */
  release(podName: string): void;
}

export function haImages(options: HaImagesOptions): HaImages {
  const held = new Map<string, BrokerHandle<'openwire' | 'stomp'>>();
  let agentSeq = 0;
  const memberOf = (pod: string) => {
    const m = held.get(pod);
    if (!m) throw new Error(`pod ${pod} holds no broker member (was podHost called?)`);
    return m;
  };
  const runDir = (pod: string) => join(options.dir, pod, 'ha-run');
  const uidOf = (ctx: LocalImageContext) => {
    const asUser =
      ctx.container.securityContext?.runAsUser ?? ctx.pod.spec?.securityContext?.runAsUser;
    return asUser === undefined ? undefined : (options.uid ?? ((u) => u))(asUser);
  };

  const broker = async (ctx: LocalImageContext): Promise<LocalContainer> => {
    const member = memberOf(ctx.pod.metadata?.name ?? '');
    await mkdir(runDir(ctx.pod.metadata?.name ?? ''), { recursive: true });
    await options.brokers.restart(member.id);
    const pod = ctx.pod.metadata?.name ?? '';
    return {
      name: ctx.container.name,
      get running() {
        return member.running;
      },
      get exitCode() {
        const exit = member.lastExit;
        // A process ended by a signal exits 128 + its number, as a container runtime reports it.
        if (!exit) return undefined;
        return exit.code ?? 128 + (exit.signal ? (osConstants.signals[exit.signal] ?? 0) : 0);
      },
      stop: (signal) =>
        member.running
          ? options.brokers.kill(member.id, signal === 'SIGKILL' ? 'SIGKILL' : 'SIGTERM')
          : Promise.resolve(),
      exec: {
        // The pod's mounts and its pid namespace: its own run directory and its own JVM.
        command: (argv) =>
          argv.map((a) =>
            a
              .replaceAll(HA_RUN_DIR, runDir(pod))
              .replaceAll('/proc/[0-9]*/cmdline', `/proc/${member.pid ?? 0}/cmdline`),
          ),
      },
      address: (port) => {
        const named = ctx.container.ports?.find((p) => p.containerPort === port)?.name;
        const real = named === 'openwire' || named === 'stomp' ? member.ports[named] : undefined;
        return real === undefined || !member.running
          ? undefined
          : { host: member.host, port: real };
      },
    };
  };

  const agent = async (ctx: LocalImageContext): Promise<LocalContainer> => {
    const pod = ctx.pod.metadata?.name ?? '';
    const member = memberOf(pod);
    await mkdir(runDir(pod), { recursive: true });
    // The image's arguments, with the pod's paths and ports as this machine has them.
    const args = (ctx.container.args ?? []).map((a) => {
      const [flag] = a.split('=', 1);
      switch (flag) {
        case '--http-port':
          return '--http-port=0';
        case '--openwire-port':
          return `--openwire-port=${member.ports.openwire}`;
        case '--stop-marker':
          return `--stop-marker=${join(runDir(pod), 'stop-broker')}`;
        case '--broker-log':
          return `--broker-log=${member.logFile}`;
        default:
          return a;
      }
    });
    const process_ = new AgentProcess({
      entrypoint: options.agentEntrypoint,
      logFile: join(options.dir, pod, `agent.${++agentSeq}.log`),
      args: [...args, `--broker-process=-Dactivemq.base=${member.dir}`],
      env: {
        PATH: process.env.PATH,
        ...ctx.env,
        ...options.agentEnv,
        ACTIVEMQ_HA_BROKER_HOST: member.host,
        ACTIVEMQ_HA_STOMP_PORT: String(member.ports.stomp),
        ACTIVEMQ_HA_HTTP_HOST: '127.0.0.1',
      },
    });
    await process_.waitForLog((line) => typeof line.httpPort === 'number');
    const http = ctx.container.ports?.find((p) => p.name === 'http')?.containerPort;
    return {
      name: ctx.container.name,
      get running() {
        return process_.running;
      },
      stop: (signal) => process_.kill(signal),
      address: (port) =>
        port === http && process_.running && process_.httpPort !== undefined
          ? { host: '127.0.0.1', port: process_.httpPort }
          : undefined,
    };
  };

  const checkStore = async (ctx: LocalImageContext): Promise<LocalContainer> => {
    const args = (ctx.container.args ?? []).map((a) =>
      a.startsWith(SHARED_DIR) ? a.replace(SHARED_DIR, options.brokers.sharedDataDir) : a,
    );
    const run = await runToExit(options.agentEntrypoint, args, uidOf(ctx));
    await mkdir(join(options.dir, ctx.pod.metadata?.name ?? ''), { recursive: true });
    return {
      name: ctx.container.name,
      running: false,
      exitCode: run.code ?? 1,
      terminationMessage: run.stderr.trim(),
      stop: async () => undefined,
    };
  };

  const images: LocalImages = {
    [options.brokerImage]: broker,
    // The agent image runs the agent, or `check-store` as the init container's command.
    [options.agentImage]: (ctx) => (ctx.init ? checkStore(ctx) : agent(ctx)),
  };
  return {
    images,
    podHost: (pod) => {
      const name = pod.metadata?.name ?? '';
      const taken = new Set([...held.values()].map((m) => m.id));
      const free = options.brokers.brokers.find((b) => !taken.has(b.id));
      if (!free)
        throw new Error(`no free broker member for pod ${name}: all ${taken.size} are held`);
      held.set(name, free);
      return free.host;
    },
    member: (pod) => held.get(pod),
    runDir,
    release: (pod) => held.delete(pod),
  };
}

/** The agent bundle with `args` as `uid` (the pod's), to its exit; stderr is its message. */
export function runToExit(
  entrypoint: string,
  args: readonly string[],
  uid?: number,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entrypoint, ...args], {
      ...(uid === undefined ? {} : { uid, gid: uid }),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}
