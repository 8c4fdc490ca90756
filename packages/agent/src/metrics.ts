import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The agent's Prometheus metrics, on a registry of its own so embedding never clashes. */
export class AgentMetrics {
  readonly registry = new Registry();

  /** Read at scrape time from `isLeader`: the label as last observed, whoever wrote it. */
  readonly leader: Gauge;
  readonly brokerServing = new Gauge({
    name: 'activemq_ha_broker_serving',
    help: '1 while the local broker answers the probes, else 0',
    registers: [this.registry],
  });
  readonly transitions = new Counter({
    name: 'activemq_ha_transitions_total',
    help: 'Elector state transitions',
    labelNames: ['from', 'to'] as const,
    registers: [this.registry],
  });
  readonly probeDuration = new Histogram({
    name: 'activemq_ha_probe_duration_seconds',
    help: 'Latency of probes of the local broker',
    labelNames: ['outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly apiErrors = new Counter({
    name: 'activemq_ha_kubernetes_api_errors_total',
    help: 'Failed Kubernetes API calls by HTTP status (0 = no response)',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly labelWrites = new Counter({
    name: 'activemq_ha_label_writes_total',
    help: 'Label patches written, by target (self or fenced peer) and value',
    labelNames: ['target', 'value'] as const,
    registers: [this.registry],
  });
  readonly timeToLabel = new Histogram({
    name: 'activemq_ha_time_to_label_seconds',
    help: 'Time from a state change of the local broker to the label write being accepted',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly splitBrain = new Gauge({
    name: 'activemq_ha_split_brain',
    help: '1 while the local broker served (or serves) while another pod renews the group Lease',
    registers: [this.registry],
  });
  readonly electorState = new Gauge({
    name: 'activemq_ha_elector_state',
    help: 'Elector state of the local broker: 1 for the current state, 0 for the others',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });
  readonly term = new Gauge({
    name: 'activemq_ha_lease_term',
    help: 'Leadership term (Lease leaseTransitions) while this pod holds the group Lease, else -1',
    registers: [this.registry],
  });
  readonly fenceFailures = new Counter({
    name: 'activemq_ha_fence_failures_total',
    help: 'Fences of stale leader labels on peers that failed',
    registers: [this.registry],
  });
  readonly fencedByPeer = new Counter({
    name: 'activemq_ha_fenced_by_peer_total',
    help: "Times a peer demoted this pod's leader label",
    registers: [this.registry],
  });
  readonly claimBlocked = new Counter({
    name: 'activemq_ha_claim_blocked_total',
    help: 'Label claims held back because a routable peer could not be fenced',
    registers: [this.registry],
  });
  readonly throttled = new Counter({
    name: 'activemq_ha_label_writes_throttled_total',
    help: 'Label writes held back by the per-agent write budget',
    registers: [this.registry],
  });
  readonly buildInfo = new Gauge({
    name: 'activemq_ha_agent_build_info',
    help: 'Always 1; the labels name the agent version and the Node.js version',
    labelNames: ['version', 'nodejs'] as const,
    registers: [this.registry],
  });

  constructor(isLeader: () => boolean, version: string) {
    this.leader = new Gauge({
      name: 'activemq_ha_leader',
      help: '1 while this pod is labelled leader (as last observed in the API), else 0',
      registers: [this.registry],
      collect() {
        this.set(isLeader() ? 1 : 0);
      },
    });
    // Standard names (process_*, nodejs_*), so stock Node.js dashboards work unchanged.
    collectDefaultMetrics({ register: this.registry });
    this.buildInfo.set({ version, nodejs: process.version }, 1);
    this.term.set(-1);
    for (const state of ['starting', 'leader', 'standby', 'unknown']) {
      this.electorState.set({ state }, state === 'starting' ? 1 : 0);
    }
  }
}
