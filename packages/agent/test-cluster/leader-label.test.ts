import {
  describePods,
  isLeader,
  isReady,
  leaderNames,
  livePods,
  type PodWatch,
  podName,
  poll,
  readyEndpointPods,
} from '@activemq-ha/testkit';
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientTraffic } from './client-traffic.js';
import { ClusterApi, currentContextNamespace } from './cluster-api.js';
import { readClusterSettings } from './cluster-settings.js';

const { settings } = readClusterSettings(process.env, currentContextNamespace);

/**
 * Longest span with two pods labelled leader=yes, as seen through a watch: the fencing step
 * (the new leader demotes the stale label) plus the watch's delivery lag.
 */
const FENCING_OVERLAP_MS = 2000;
/** A steady-state check may find the group still settling (a rollout, a previous run). */
const SETTLE_TIMEOUT_MS = 30_000;
const TAKEOVER_TIMEOUT_MS = settings?.takeoverTimeoutMs ?? 30_000;
const RESTORE_TIMEOUT_MS = settings?.restoreTimeoutMs ?? 300_000;

let clusterApi: ClusterApi | undefined;

/** Built on first use, inside a test: a bad kubeconfig fails a test, not the collection. */
function api(): ClusterApi {
  clusterApi ??= new ClusterApi(settings!);
  return clusterApi;
}

/** Exactly one live pod labelled leader=yes and Ready: its name, else undefined. */
function soleReadyLeader(pods: readonly V1Pod[]): string | undefined {
  const leaders = livePods(pods).filter(isLeader);
  return leaders.length === 1 && isReady(leaders[0]!) ? podName(leaders[0]!) : undefined;
}

/** Polls the group until `check` holds; a failure shows every pod's label and readiness. */
async function untilPods<T>(
  check: (pods: V1Pod[]) => T | undefined,
  description: string,
): Promise<T> {
  let pods: V1Pod[] = [];
  return poll(
    async () => {
      pods = await api().pods();
      return check(pods);
    },
    {
      timeoutMs: SETTLE_TIMEOUT_MS,
      description: `${description} (namespace ${settings!.namespace}, selector ${settings!.groupSelector})`,
      observed: () => describePods(pods),
    },
  );
}

// Skipped unless KUBECONFIG names a cluster with the generated overlay deployed (in
// ACTIVEMQ_HA_CLUSTER_NAMESPACE, else the current context's namespace): there is no safe
// default cluster. global-setup.ts prints the reason once.
describe.skipIf(!settings)('activemq-ha on a real cluster', () => {
  it('labels exactly one pod leader=yes, and that pod is Ready', async () => {
    const leader = await untilPods(soleReadyLeader, 'exactly one pod labelled leader=yes, Ready');
    expect(leaderNames(await api().pods())).toEqual([leader]);
  });

  // The kubelet runs each agent's /readyz as the pod's readiness probe (the broker container has
  // none), so a Ready pod is an agent whose /readyz passes — checked without a port-forward.
  it("passes every agent's /readyz: every pod of the group is Ready", async () => {
    const pods = await untilPods(
      (p) => (livePods(p).length > 0 && livePods(p).every(isReady) ? p : undefined),
      'every pod of the group Ready (a waiting broker stays Ready too)',
    );
    expect(livePods(pods).filter((p) => !isReady(p))).toEqual([]);
  });

  it("lists only the leader as ready in the Service's EndpointSlices", async () => {
    let routed: string[] = [];
    let leader: string | undefined;
    await poll(
      async () => {
        leader = soleReadyLeader(await api().pods());
        routed = readyEndpointPods(await api().endpointSlices());
        return leader !== undefined && routed.length === 1 && routed[0] === leader;
      },
      {
        timeoutMs: SETTLE_TIMEOUT_MS,
        description: `the EndpointSlices of Service ${settings!.service} to list only the leader as ready`,
        observed: () => `leader ${leader ?? '(none)'}, ready endpoints [${routed.join(', ')}]`,
      },
    );
    expect(routed).toEqual([leader]);
  });
});

// Skipped unless ACTIVEMQ_HA_CLUSTER_DESTRUCTIVE=1 is set with the settings above: it deletes the
// leader pod of the deployed group.
describe.skipIf(!settings?.destructive)(
  'activemq-ha on a real cluster: deleting the leader pod',
  () => {
    // The tests follow one deletion in order: takeover, overlap proof, routing, client, restore.
    let watch: PodWatch;
    let traffic: ClientTraffic | undefined;
    let strength = 0;
    let newLeader = '';

    beforeAll(async () => {
      const pods = await untilPods(
        (p) => (soleReadyLeader(p) && livePods(p).every(isReady) ? p : undefined),
        'the group at full strength: one Ready leader, every pod Ready',
      );
      strength = livePods(pods).length;
      if (strength < 2) {
        throw new Error(`a takeover needs a waiting broker; the group is ${describePods(pods)}`);
      }
      watch = await api().watchPods();
      if (settings!.client) {
        traffic = await ClientTraffic.start({
          kubeConfig: api().kubeConfig,
          namespace: settings!.namespace,
          service: settings!.service,
          login: settings!.login,
          passcode: settings!.passcode,
          startTimeoutMs: SETTLE_TIMEOUT_MS,
        });
      }
    }, SETTLE_TIMEOUT_MS * 3);

    afterAll(async () => {
      watch?.stop();
      await traffic?.close();
    });

    it(
      'moves leader=yes to another pod within the takeover bound',
      async () => {
        const old = soleReadyLeader(watch.pods());
        expect(old, describePods(watch.pods())).toBeDefined();
        const deletedAt = Date.now();
        await api().deletePod(old!);
        newLeader = await watch.until(
          (pods) => {
            const leader = soleReadyLeader(pods.filter((p) => podName(p) !== old));
            const oldStillLeader = pods.some((p) => podName(p) === old && isLeader(p));
            return leader && !oldStillLeader ? leader : undefined;
          },
          {
            timeoutMs: TAKEOVER_TIMEOUT_MS,
            description: `a pod other than ${old} labelled leader=yes and Ready, ${old} no longer labelled`,
          },
        );
        console.log(
          `deleted ${old}: ${newLeader} is the Ready leader after ${Date.now() - deletedAt} ms`,
        );
      },
      TAKEOVER_TIMEOUT_MS + 30_000,
    );

    it('never shows two pods labelled leader=yes beyond the fencing step', () => {
      expect(watch.gaps, 'the pod watch was relisted after 410 Gone: changes went unseen').toBe(0);
      const overlaps = watch.overlaps();
      for (const o of overlaps) {
        expect(o.end, `still labelled leader=yes together: ${o.pods.join(', ')}`).toBeDefined();
        expect(o.durationMs, `overlap of ${o.pods.join(', ')}`).toBeLessThanOrEqual(
          FENCING_OVERLAP_MS,
        );
      }
      console.log(`${watch.changes().length} label changes watched, ${overlaps.length} overlaps`);
    });

    it(
      'routes the Service only to the new leader',
      async () => {
        let routed: string[] = [];
        await poll(
          async () => {
            routed = readyEndpointPods(await api().endpointSlices());
            return routed.length === 1 && routed[0] === newLeader;
          },
          {
            timeoutMs: TAKEOVER_TIMEOUT_MS,
            description: `the EndpointSlices to list only ${newLeader} as ready`,
            observed: () => `[${routed.join(', ')}]`,
          },
        );
      },
      TAKEOVER_TIMEOUT_MS + 30_000,
    );

    // Skipped unless ACTIVEMQ_HA_CLUSTER_CLIENT=1: the client dials pod IPs, so the runner must be
    // inside the cluster network, which cannot be assumed.
    it.skipIf(!settings?.client)(
      'loses no confirmed message of a client using kubernetes discovery',
      async () => {
        // Messages confirmed by the new leader too, not just those sent before the deletion.
        await traffic!.confirmedMore(100, 60_000);
        await traffic!.stopProducing(60_000);
        await traffic!.waitForDelivery(60_000);
        const report = traffic!.report();
        console.log(`client traffic: ${traffic!.summary()}`);
        expect(report.missing).toEqual([]);
        expect(report.failovers.length, 'the client moved to the new leader').toBeGreaterThan(0);
      },
      150_000,
    );

    it(
      'lets the Deployment restore the group: full strength, one Ready leader',
      async () => {
        await watch.until(
          (pods) => {
            const live = livePods(pods);
            return live.length === strength && live.every(isReady) && soleReadyLeader(pods);
          },
          {
            timeoutMs: RESTORE_TIMEOUT_MS,
            description: `${strength} Ready pods with one leader (the Deployment replaces the deleted pod)`,
          },
        );
      },
      RESTORE_TIMEOUT_MS + 30_000,
    );
  },
);
