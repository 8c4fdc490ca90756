import { EventEmitter } from 'eventemitter3';
import type { LeaderState } from '../elector-policy.js';
import type { LeaderElectorEvents, ProbeEvent } from '../leader-elector.js';
import type { ProbeStatus } from '../probe.js';

const EVIDENCE: Record<LeaderState, ProbeStatus> = {
  leader: 'ok',
  standby: 'refused',
  unknown: 'timeout',
  starting: 'error',
};

/** A LeadershipSource the test drives directly; probe times come from Date.now(). */
export class FakeElector extends EventEmitter<LeaderElectorEvents> {
  state: LeaderState = 'starting';
  lastProbe: ProbeEvent | undefined;

  /** Reports one probe whose result supports `state`, transitioning if it differs. */
  set(state: LeaderState): void {
    const from = this.state;
    const at = Date.now();
    const status = EVIDENCE[state];
    const result = { probe: 'fake', status, latencyMs: 1 };
    this.state = state;
    this.lastProbe = {
      result,
      at,
      monotonicAt: performance.now(),
      state,
      streaks: { ok: 0, refused: 0, inconclusive: 0, failures: 0 },
    };
    this.emit('probe', this.lastProbe);
    if (from !== state) {
      const t = {
        from,
        to: state,
        reason: `fake ${status}`,
        evidence: status,
        at,
        previousDurationMs: 0,
        result,
      };
      this.emit('transition', t);
    }
  }

  /** Another probe confirming the current state (no transition). */
  tick(): void {
    this.set(this.state);
  }
}
