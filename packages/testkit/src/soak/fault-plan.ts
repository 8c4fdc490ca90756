import type { BrokerSignal } from '../broker/broker-group.js';
import type { CutMode } from '../kube/watch-stream.js';

/** Every kind of fault the soak injects; each is one row of the report. */
export const FAULT_KINDS = [
  'broker-sigkill',
  'broker-sigterm',
  'agent-sigkill-standby',
  'agent-sigkill-leader',
  'fence',
  'api-outage',
  'api-outage-broker-kill',
  'watch-cut',
  'watch-cut-broker-kill',
  'split-brain',
  'stalled-agent',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

/** One fault with its drawn parameters; `pauseMs` of traffic flows before it is injected. */
export type FaultPlan = {
  readonly pauseMs: number;
} /** The active broker is killed, then restarted in its pod as a waiting slave. */ & (
  | { readonly kind: 'broker-sigkill' | 'broker-sigterm' }
  /** The agent of one standby pod (0 or 1 in pod order) is SIGKILLed, then restarted. */
  | { readonly kind: 'agent-sigkill-standby'; readonly standby: number }
  /** The leader's agent is SIGKILLed, then restarted: its pod is unready meanwhile. */
  | { readonly kind: 'agent-sigkill-leader' }
  /**
   * The leader's agent is SIGKILLed, then its broker: nobody demotes the stale label but the
   * new leader (fencing). Broker and agent are restarted once the labels agree.
   */
  | { readonly kind: 'fence' }
  /** The API refuses connections for `outageMs`. */
  | { readonly kind: 'api-outage'; readonly outageMs: number }
  /** The API is down for `outageMs`; `killAfterMs` into it the active broker gets `signal`. */
  | {
      readonly kind: 'api-outage-broker-kill';
      readonly outageMs: number;
      readonly killAfterMs: number;
      readonly signal: BrokerSignal;
    }
  /** Every open watch is cut (agents' pod watches, clients' EndpointSlice watches). */
  | { readonly kind: 'watch-cut'; readonly mode: CutMode }
  /** Watches cut, and the active broker SIGKILLed before they are back. */
  | { readonly kind: 'watch-cut-broker-kill'; readonly mode: CutMode }
  /**
   * Two brokers serve at once, as with a store whose locks do not work: the agent of one standby
   * (0 or 1 in pod order) is restarted against a second broker on a store of its own that serves.
   * Held `holdMs` after that agent proved the split brain, then that broker is stopped (what the
   * broker container's liveness probe does on the agent's stop marker) and the agent restarted
   * against its own broker.
   */
  | { readonly kind: 'split-brain'; readonly standby: number; readonly holdMs: number }
  /**
   * The leader's agent is SIGSTOPped and its broker SIGKILLed; once another pod leads (after the
   * stalled holder's Lease ran out, fencing the stale label) the agent is SIGCONTed. It must not
   * fence the new leader.
   */
  | { readonly kind: 'stalled-agent' }
);

const DESCRIPTIONS: Record<FaultKind, string> = {
  'broker-sigkill': 'active broker SIGKILL',
  'broker-sigterm': 'active broker SIGTERM',
  'agent-sigkill-standby': 'standby agent SIGKILL',
  'agent-sigkill-leader': 'leader agent SIGKILL',
  fence: 'leader agent + broker SIGKILL (fencing)',
  'api-outage': 'API outage',
  'api-outage-broker-kill': 'API outage + broker kill',
  'watch-cut': 'watch cut',
  'watch-cut-broker-kill': 'watch cut + broker SIGKILL',
  'split-brain': 'split brain (a second broker serves)',
  'stalled-agent': 'leader agent SIGSTOP + broker SIGKILL',
};

/** Human wording of a kind, for the report. */
export function describeFaultKind(kind: FaultKind): string {
  return DESCRIPTIONS[kind];
}

/** One line naming the fault and its parameters, for progress output and failure messages. */
export function describeFault(plan: FaultPlan): string {
  switch (plan.kind) {
    case 'agent-sigkill-standby':
      return `${DESCRIPTIONS[plan.kind]} (standby #${plan.standby})`;
    case 'split-brain':
      return `${DESCRIPTIONS[plan.kind]} (standby #${plan.standby}, held ${plan.holdMs} ms)`;
    case 'api-outage':
      return `${DESCRIPTIONS[plan.kind]} (${plan.outageMs} ms)`;
    case 'api-outage-broker-kill':
      return `API outage ${plan.outageMs} ms + broker ${plan.signal} after ${plan.killAfterMs} ms`;
    case 'watch-cut':
    case 'watch-cut-broker-kill':
      return `${DESCRIPTIONS[plan.kind]} (${plan.mode})`;
    default:
      return DESCRIPTIONS[plan.kind];
  }
}

/** Whether the fault kills the active broker, so a takeover is measured. */
export function killsBroker(kind: FaultKind): boolean {
  return (
    kind === 'broker-sigkill' ||
    kind === 'broker-sigterm' ||
    kind === 'fence' ||
    kind === 'api-outage-broker-kill' ||
    kind === 'watch-cut-broker-kill' ||
    kind === 'stalled-agent'
  );
}
