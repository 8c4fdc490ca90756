/**
 * How fast a waiting broker takes over the shared KahaDB store, as the few KahaDB and locker
 * settings that decide it. The figures behind each value are in docs/benchmarks.md ("Takeover
 * tuning"); the trade-offs in docs/operations.md.
 *
 * A takeover is: the waiting broker's next lock attempt (≤ lockAcquireSleepInterval after the
 * old holder died), one lockKeepAlivePeriod of sleep (SharedFileLocker waits it so a holder
 * that still runs can notice it lost the lock and stop), replaying the journal written since the
 * last index checkpoint (≤ checkpointInterval of traffic), then starting the connectors.
 */
export type TakeoverProfile = 'fast' | 'balanced' | 'gentle';

export const TAKEOVER_PROFILE_NAMES: readonly TakeoverProfile[] = ['fast', 'balanced', 'gentle'];

export interface TakeoverSettings {
  /** SharedFileLocker `lockAcquireSleepInterval`: one lock attempt (on NFS a LOCK call) per period per waiting broker. */
  readonly lockAcquireSleepIntervalMs: number;
  /** KahaDB `lockKeepAlivePeriod`: the active broker's lock check, and the winner's wait before serving. */
  readonly lockKeepAlivePeriodMs: number;
  /** KahaDB `checkpointInterval`: bounds the journal a new broker replays; each checkpoint flushes dirty index pages. */
  readonly checkpointIntervalMs: number;
}

/**
 * `fast` is the default. `balanced` halves the lock traffic on the shared file system and the
 * checkpoint rate; `gentle` is for busy or slow NFS servers and stays well below ActiveMQ's
 * own defaults (10 000 ms acquire, keep-alive off, 5 000 ms checkpoint).
 */
export const TAKEOVER_PROFILES: Readonly<Record<TakeoverProfile, TakeoverSettings>> = {
  fast: { lockAcquireSleepIntervalMs: 100, lockKeepAlivePeriodMs: 50, checkpointIntervalMs: 250 },
  balanced: {
    lockAcquireSleepIntervalMs: 250,
    lockKeepAlivePeriodMs: 100,
    checkpointIntervalMs: 1000,
  },
  gentle: {
    lockAcquireSleepIntervalMs: 1000,
    lockKeepAlivePeriodMs: 500,
    checkpointIntervalMs: 5000,
  },
};

export const DEFAULT_TAKEOVER_PROFILE: TakeoverProfile = 'fast';

export function isTakeoverProfile(value: unknown): value is TakeoverProfile {
  return typeof value === 'string' && (TAKEOVER_PROFILE_NAMES as readonly string[]).includes(value);
}
