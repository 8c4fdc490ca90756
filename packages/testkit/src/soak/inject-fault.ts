import type { FailoverResult } from '../broker/broker-group.js';
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
 * waiting slave) and a fenced leader's agent.
 */
export async function repairFault(cluster: HaCluster, fault: InjectedFault): Promise<void> {
  if (fault.deadBroker !== undefined) {
    await cluster.brokers.restart(fault.deadBroker);
    await cluster.brokers.waitForSlave(fault.deadBroker, { timeoutMs: 60_000 });
  }
  if (fault.deadAgentPod !== undefined) await cluster.startAgent(fault.deadAgentPod);
}
