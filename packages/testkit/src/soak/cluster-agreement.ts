import type { HaCluster } from '../cluster/ha-cluster.js';
import { SoakError } from './errors.js';

/** The routing state of a cluster compared with which broker actually serves. */
export interface ClusterAgreement {
  /** Pod of the broker accepting connections; undefined while none does. */
  readonly activePod: string | undefined;
  /** Leader label of every pod (undefined: label missing). */
  readonly labels: Readonly<Record<string, string | undefined>>;
  /** Pods behind the Service's ready stomp endpoints. */
  readonly readyPods: readonly string[];
  /** Exactly the active broker's pod labelled leader, every other pod labelled standby. */
  readonly labelsAgree: boolean;
  /** The Service routes to the active broker's pod only. */
  readonly routingAgrees: boolean;
}

export interface AgreementOptions {
  /** @default 'leader' */
  readonly labelKey?: string;
  /** @default 'yes' */
  readonly leaderValue?: string;
  /** @default 'no' */
  readonly standbyValue?: string;
}

/** Reads the brokers (by connecting to their ports) and the API state, once. */
export async function readAgreement(
  cluster: HaCluster,
  options: AgreementOptions = {},
): Promise<ClusterAgreement> {
  const key = options.labelKey ?? 'leader';
  const yes = options.leaderValue ?? 'yes';
  const no = options.standbyValue ?? 'no';
  // SPLIT_BRAIN from active() is a failure of the store lock, not of the labels: let it throw.
  const active = await cluster.brokers.active();
  const activePod = active ? cluster.podOfBroker(active.id).name : undefined;
  const labels = cluster.labelsSeen(key);
  const readyPods = cluster.readyEndpointPods('stomp').map((pod) => pod ?? '(no targetRef)');
  const labelsAgree =
    activePod !== undefined &&
    cluster.pods.every((p) => labels[p.name] === (p.name === activePod ? yes : no));
  const routingAgrees =
    activePod !== undefined && readyPods.length === 1 && readyPods[0] === activePod;
  return { activePod, labels, readyPods, labelsAgree, routingAgrees };
}

/** `activemq-0=yes activemq-1=no ... | active activemq-0 | ready activemq-0` */
export function describeAgreement(a: ClusterAgreement): string {
  const labels = Object.entries(a.labels)
    .map(([pod, v]) => `${pod}=${v ?? '(none)'}`)
    .join(' ');
  return `${labels} | active ${a.activePod ?? '(none)'} | ready ${a.readyPods.join(',') || '(none)'}`;
}

/**
 * Polls until labels and routing agree with the serving broker; resolves with the moment it was
 * observed. Throws CONVERGENCE_TIMEOUT (with the last state) at `deadline` (epoch ms).
 */
export async function waitForAgreement(
  cluster: HaCluster,
  deadline: number,
  options: AgreementOptions & { readonly pollMs?: number; readonly what?: string } = {},
): Promise<{ readonly observedAt: number; readonly state: ClusterAgreement }> {
  for (;;) {
    const state = await readAgreement(cluster, options);
    const observedAt = Date.now();
    if (state.labelsAgree && state.routingAgrees) return { observedAt, state };
    if (observedAt >= deadline) {
      throw new SoakError(
        'CONVERGENCE_TIMEOUT',
        `${options.what ?? 'cluster'}: labels and routing did not agree with the serving broker in time; last state: ${describeAgreement(state)}`,
      );
    }
    await new Promise((r) => setTimeout(r, options.pollMs ?? 50));
  }
}
