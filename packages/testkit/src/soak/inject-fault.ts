import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CoordinationV1Api } from '@kubernetes/client-node';
import type { FailoverResult } from '../broker/broker-group.js';
import { startBrokerGroup } from '../broker/start-broker-group.js';
import { now } from '../broker/timing.js';
import type { HaCluster } from '../cluster/ha-cluster.js';
import { SoakError } from './errors.js';
import type { FaultPlan } from './fault-plan.js';

/** What a fault did, with the moments the round measures from. */
export interface InjectedFault {
  /** First action of the fault (epoch ms): client outages are measured from here. */
  readonly startedAt: number;
  /** The decisive action (the broker kill, else the fault itself): latencies run from here. */
  readonly faultAt: number;
  /** When the system could start to recover (API up, agent back, kill sent): the bound runs from here. */
  readonly clearedAt: number;
  /** Kill → next broker accepting connections, for faults that kill the active broker. */
  readonly takeoverMs: number | undefined;
  /** Leader pod before the fault. */
  readonly fromPod: string;
  /** Broker left dead, restarted by `repairFault` once the labels agree. */
  readonly deadBroker: string | undefined;
  /** Pod whose agent is left dead, restarted by `repairFault` (fencing). */
  readonly deadAgentPod: string | undefined;
  /** A watch cut: how many were cut, and the request sequence number at the cut. */
  readonly watchCut: { readonly count: number; readonly afterSeq: number } | undefined;
  /** A SIGSTOPped agent, continued by `repairFault` (or `abandonFault`). */
  readonly stalledAgent: { readonly pod: string; readonly pid: number } | undefined;
  /**
   * A split brain: the pod whose agent saw the second broker serve, when its agent logged the
   * proof, and when that broker was stopped (epoch ms).
   */
  readonly splitBrain:
    | { readonly pod: string; readonly provenAt: number; readonly stoppedAt: number }
    | undefined;
}

/** What `repairFault` did that the round checks. */
export interface RepairedFault {
  /** When a stalled agent was continued (epoch ms). */
  readonly resumedAt: number | undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** The harness stamps kills with `now()`; the label history and traffic use `Date.now()`. */
const toWall = (t: number) => t + (Date.now() - now());

/**
 * Injects one fault into a converged cluster whose leader pod is `leaderPod`. Agents killed on
 * their own are restarted at once (as the kubelet restarts a container); what must stay dead
 * until the cluster has converged (a killed broker, a fenced leader's agent) is left to
 * `repairFault`.
 */
export async function injectFault(
  cluster: HaCluster,
  plan: FaultPlan,
  leaderPod: string,
): Promise<InjectedFault> {
  const base = {
    fromPod: leaderPod,
    takeoverMs: undefined,
    deadBroker: undefined,
    deadAgentPod: undefined,
    watchCut: undefined,
    stalledAgent: undefined,
    splitBrain: undefined,
  };
  const failover = async (signal: 'SIGKILL' | 'SIGTERM') => {
    const result = await cluster.brokers.failover(signal, { timeoutMs: 60_000 });
    const from = cluster.podOfBroker(result.from.id).name;
    if (from !== leaderPod) {
      throw new SoakError(
        'PRECONDITION',
        `killed the broker of ${from}, but ${leaderPod} was labelled leader`,
      );
    }
    return kill(result);
  };
  switch (plan.kind) {
    case 'broker-sigkill':
    case 'broker-sigterm': {
      const k = await failover(plan.kind === 'broker-sigkill' ? 'SIGKILL' : 'SIGTERM');
      return { ...base, ...k, startedAt: k.faultAt, clearedAt: k.faultAt };
    }
    case 'agent-sigkill-standby':
    case 'agent-sigkill-leader': {
      const standbys = cluster.pods.filter((p) => p.name !== leaderPod);
      const pod =
        plan.kind === 'agent-sigkill-leader'
          ? cluster.pod(leaderPod)
          : (standbys[plan.standby % standbys.length] ?? cluster.pod(leaderPod));
      const startedAt = Date.now();
      await pod.agent?.kill('SIGKILL');
      await cluster.startAgent(pod.name);
      return { ...base, startedAt, faultAt: startedAt, clearedAt: Date.now() };
    }
    case 'fence': {
      const pod = cluster.pod(leaderPod);
      const startedAt = Date.now();
      await pod.agent?.kill('SIGKILL');
      const k = await failover('SIGKILL');
      return { ...base, ...k, startedAt, clearedAt: k.faultAt, deadAgentPod: pod.name };
    }
    case 'split-brain': {
      const standbys = cluster.pods.filter((p) => p.name !== leaderPod);
      const pod = standbys[plan.standby % standbys.length];
      if (!pod) throw new SoakError('PRECONDITION', 'split brain needs a standby pod');
      // A second broker on a store of its own: it serves whatever the group's lock says.
      const rogue = await startBrokerGroup({
        size: 1,
        protocols: ['openwire', 'stomp'],
        lockAcquireSleepIntervalMs: cluster.brokers.lockAcquireSleepIntervalMs,
        lockKeepAlivePeriodMs: cluster.brokers.lockKeepAlivePeriodMs,
        ...(cluster.options.brokerVersion ? { version: cluster.options.brokerVersion } : {}),
      });
      try {
        const { broker } = await rogue.waitForActive();
        const marker = join(rogue.dir, 'stop-broker');
        const startedAt = Date.now();
        await pod.agent?.kill('SIGKILL');
        const agent = await cluster.startAgent(pod.name, {
          env: {
            ACTIVEMQ_HA_BROKER_HOST: broker.host,
            ACTIVEMQ_HA_OPENWIRE_PORT: String(broker.ports.openwire),
            ACTIVEMQ_HA_STOMP_PORT: String(broker.ports.stomp),
            ACTIVEMQ_HA_STOP_MARKER: marker,
          },
        });
        const proof = await agent.waitForLog((l) => l.event === 'split-brain', 60_000);
        const provenAt = Date.parse(String(proof.time)) || Date.now();
        await sleep(plan.holdMs);
        if (!existsSync(marker)) {
          throw new SoakError(
            'PRECONDITION',
            `${pod.name}'s agent proved a split brain but left no stop marker at ${marker}`,
          );
        }
        // The broker container's liveness probe fails on the marker: the kubelet stops it.
        await rogue.stop();
        const stoppedAt = Date.now();
        // Back to its own broker, as after the broker container's restart with a clean store.
        await pod.agent?.kill('SIGKILL');
        await cluster.startAgent(pod.name);
        return {
          ...base,
          startedAt,
          faultAt: startedAt,
          clearedAt: stoppedAt,
          splitBrain: { pod: pod.name, provenAt, stoppedAt },
        };
      } finally {
        await rogue.stop();
      }
    }
    case 'stalled-agent': {
      const pod = cluster.pod(leaderPod);
      const pid = pod.agent?.pid;
      if (pid === undefined || !pod.agent?.running) {
        throw new SoakError('PRECONDITION', `the agent of ${leaderPod} is not running`);
      }
      const leaseMs = await leaseDurationMs(cluster);
      const startedAt = Date.now();
      process.kill(pid, 'SIGSTOP');
      try {
        const k = await failover('SIGKILL');
        return {
          ...base,
          ...k,
          startedAt,
          // Nobody may lead before the stalled holder's Lease has run out: that is when the
          // fault lifts, as an API outage lifts when the API is back.
          clearedAt: Math.max(k.faultAt, startedAt + leaseMs),
          stalledAgent: { pod: pod.name, pid },
        };
      } catch (error) {
        process.kill(pid, 'SIGCONT');
        throw error;
      }
    }
    case 'api-outage': {
      const startedAt = Date.now();
      await cluster.kube.setDown(true);
      await sleep(plan.outageMs);
      await cluster.kube.setDown(false);
      return { ...base, startedAt, faultAt: startedAt, clearedAt: Date.now() };
    }
    case 'api-outage-broker-kill': {
      const startedAt = Date.now();
      await cluster.kube.setDown(true);
      let k: Awaited<ReturnType<typeof failover>>;
      try {
        await sleep(plan.killAfterMs);
        k = await failover(plan.signal);
        // The outage has a fixed length: what is left of it after the kill and takeover.
        await sleep(startedAt + plan.outageMs - Date.now());
      } finally {
        await cluster.kube.setDown(false);
      }
      return { ...base, ...k, startedAt, clearedAt: Date.now() };
    }
    case 'watch-cut':
    case 'watch-cut-broker-kill': {
      const afterSeq = cluster.kube.requestSeq;
      const startedAt = Date.now();
      const watchCut = { count: cluster.kube.cutWatches(plan.mode), afterSeq };
      if (plan.kind === 'watch-cut') {
        return { ...base, watchCut, startedAt, faultAt: startedAt, clearedAt: startedAt };
      }
      const k = await failover('SIGKILL');
      return { ...base, ...k, watchCut, startedAt, clearedAt: k.faultAt };
    }
  }
}

/** The agents' default Lease name (`--lease-name`). */
const LEASE_NAME = 'activemq-leader';

/** The group Lease's duration as its holder wrote it; the agents' default (8 s) if unreadable. */
async function leaseDurationMs(cluster: HaCluster): Promise<number> {
  try {
    const lease = await cluster
      .kubeConfig()
      .makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ name: LEASE_NAME, namespace: cluster.namespace });
    return 1000 * (lease.spec?.leaseDurationSeconds ?? 8);
  } catch {
    return 8000;
  }
}

function kill(result: Pick<FailoverResult, 'killed' | 'takeoverMs'> & { from: { id: string } }): {
  faultAt: number;
  takeoverMs: number;
  deadBroker: string;
} {
  return {
    faultAt: toWall(result.killed.sentAt),
    takeoverMs: result.takeoverMs,
    deadBroker: result.from.id,
  };
}

/**
 * Restarts what the fault left dead: the killed broker inside its pod (it must come back as a
 * waiting slave) and a fenced leader's agent; continues a stalled agent first, and waits until it
 * has seen its broker gone.
 */
export async function repairFault(
  cluster: HaCluster,
  fault: InjectedFault,
): Promise<RepairedFault> {
  let resumedAt: number | undefined;
  if (fault.stalledAgent !== undefined) {
    const agent = cluster.pod(fault.stalledAgent.pod).agent;
    const at = Date.now();
    resumedAt = at;
    process.kill(fault.stalledAgent.pid, 'SIGCONT');
    // It wakes with a stale leader state and overdue timers: it must re-probe and step down.
    await agent?.waitForLog(
      (l) => l.event === 'transition' && l.to === 'standby' && Date.parse(String(l.time)) >= at,
      30_000,
    );
  }
  if (fault.deadBroker !== undefined) {
    await cluster.brokers.restart(fault.deadBroker);
    await cluster.brokers.waitForSlave(fault.deadBroker, { timeoutMs: 60_000 });
  }
  if (fault.deadAgentPod !== undefined) await cluster.startAgent(fault.deadAgentPod);
  return { resumedAt };
}

/** When a round fails before its repair: continue a stalled agent so it can be stopped. */
export function abandonFault(fault: InjectedFault): void {
  if (fault.stalledAgent === undefined) return;
  try {
    process.kill(fault.stalledAgent.pid, 'SIGCONT');
  } catch {
    // gone already
  }
}
