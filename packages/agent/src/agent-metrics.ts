import type { KubeClient, LeaderElector, PodLabeler, PodLabelerEvents } from '@activemq-ha/core';
import { type EventTable, wireTable } from './event-table.js';
import type { AgentMetrics } from './metrics.js';

export interface MetricSources {
  readonly api: KubeClient;
  readonly elector: LeaderElector;
  readonly labeler: PodLabeler;
  readonly metrics: AgentMetrics;
  readonly standbyValue: string;
}

/** Event → metric, one table: every counter and gauge the agent keeps is fed from here. */
export function wireMetrics({
  api,
  elector,
  labeler,
  metrics: m,
  standbyValue,
}: MetricSources): void {
  let labelledSinceTransition = false;
  const labelerTable: EventTable<PodLabelerEvents> = {
    labelChanged: (c) => {
      m.labelWrites.inc({ target: 'self', value: c.to });
      // Only the write that follows a state change measures the agent's reaction time; repairs
      // and the SIGTERM release can come long after the last transition.
      if (c.cause !== 'released' && c.sinceTransitionMs !== undefined && !labelledSinceTransition) {
        m.timeToLabel.observe(c.sinceTransitionMs / 1000);
      }
      labelledSinceTransition = true;
    },
    fenced: () => m.labelWrites.inc({ target: 'peer', value: standbyValue }),
    fenceFailed: () => m.fenceFailures.inc(),
    fencedByPeer: () => m.fencedByPeer.inc(),
    claimBlocked: () => m.claimBlocked.inc(),
    throttled: () => m.throttled.inc(),
    splitBrain: () => m.splitBrain.set(1),
    splitBrainCleared: () => m.splitBrain.set(0),
    lease: (s) => m.term.set(s.held && s.term !== undefined ? s.term : -1),
  };
  wireTable(labeler, labelerTable);
  api.on('request', (e) => {
    if (e.status < 200 || e.status >= 300) m.apiErrors.inc({ code: String(e.status) });
  });
  elector.on('probe', ({ result }) => {
    m.probeDuration.observe({ outcome: result.status }, result.latencyMs / 1000);
    m.brokerServing.set(result.status === 'ok' ? 1 : 0);
  });
  elector.on('transition', (t) => {
    labelledSinceTransition = false;
    m.transitions.inc({ from: t.from, to: t.to });
    m.electorState.set({ state: t.from }, 0);
    m.electorState.set({ state: t.to }, 1);
  });
}
