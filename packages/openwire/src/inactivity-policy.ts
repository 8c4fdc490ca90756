/**
 * The inactivity monitor's rule (AbstractInactivityMonitor), as a pure function: a peer that sent
 * nothing for a whole `maxInactivityMs` is dead; we send a KeepAliveInfo when we ourselves wrote
 * nothing for a third of it, so the broker's monitor never fires on a quiet but live client.
 */
export interface InactivityState {
  readonly now: number;
  readonly lastReadAt: number;
  readonly lastWriteAt: number;
  /** Negotiated MaxInactivityDuration; 0 disables both checks. */
  readonly maxInactivityMs: number;
}

export type InactivityDecision = 'dead' | 'keep-alive' | 'fine';

export function inactivityDecision(s: InactivityState): InactivityDecision {
  if (s.maxInactivityMs <= 0) return 'fine';
  if (s.now - s.lastReadAt >= s.maxInactivityMs) return 'dead';
  if (s.now - s.lastWriteAt >= keepAliveIntervalMs(s.maxInactivityMs)) return 'keep-alive';
  return 'fine';
}

/** How often the monitor looks: often enough to write a keep-alive in time. */
export function keepAliveIntervalMs(maxInactivityMs: number): number {
  return Math.max(1, Math.floor(maxInactivityMs / 3));
}
