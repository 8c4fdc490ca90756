/**
 * Where a broker takeover's time goes, read from the new master's own log (ActiveMQ 5.x, the
 * layout the testkit's log4j configs write: `2026-12-01T20:59:01.958+0000 | INFO  | message |
 * logger | thread`). Pure: text in, figures out.
 *
 * The takeover path in the sources (SharedFileLocker.doStart, MessageDatabase.recover,
 * BrokerService.doStartBroker):
 *   1. the waiting broker retries the lock every lockAcquireSleepInterval; it logs each failed
 *      attempt at DEBUG (the testkit enables that logger), so the lock was taken one interval
 *      after the last failed attempt;
 *   2. having won it, it sleeps one lockKeepAlivePeriod (so a holder that still runs notices);
 *   3. KahaDB opens the index and replays the journal since the last checkpoint: "Recovery
 *      replayed N operations from the journal in T seconds" (T from recover()'s start);
 *   4. the broker starts its destinations and connectors: "Apache ActiveMQ V (name, id) started".
 */

export interface BrokerLogLine {
  /** Epoch ms. */
  readonly at: number;
  readonly level: string;
  readonly message: string;
}

export interface TakeoverBreakdownInput {
  /** When the old master was killed, epoch ms (the harness's `now()`). */
  readonly killedAt: number;
  readonly lockAcquireSleepIntervalMs: number;
  readonly lockKeepAlivePeriodMs: number;
}

export interface TakeoverBreakdown {
  /** When the new master took the lock, epoch ms; undefined without its retry log lines. */
  readonly lockAcquiredAt: number | undefined;
  /** Kill → lock taken: the rest of the lock retry interval. */
  readonly lockDetectionMs: number | undefined;
  /** The keep-alive sleep after winning the lock (the configured period). */
  readonly keepAliveWaitMs: number;
  /** Keep-alive over → journal replay begins: index and page file opened. */
  readonly storeOpenMs: number | undefined;
  /** Journal replay as KahaDB timed it; 0 when it had nothing to replay. */
  readonly replayMs: number | undefined;
  readonly replayedOperations: number | undefined;
  /** Replay over → every connector started (destinations, temp store, transports). */
  readonly brokerStartMs: number | undefined;
  /** When the broker logged it started, epoch ms. */
  readonly startedAt: number | undefined;
  /** Kill → started. */
  readonly startedMs: number | undefined;
}

const LINE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})([+-]\d\d)(\d\d) \| (\w+)\s*\| (.*?) \| /;

/** The lines of a testkit broker log with their timestamps; other lines (stack traces) skipped. */
export function parseBrokerLog(text: string): BrokerLogLine[] {
  const lines: BrokerLogLine[] = [];
  for (const raw of text.split('\n')) {
    const m = LINE.exec(raw);
    if (!m) continue;
    const at = Date.parse(`${m[1]}${m[2]}:${m[3]}`);
    if (Number.isNaN(at)) continue;
    lines.push({ at, level: m[4]!, message: m[5]! });
  }
  return lines;
}

const LOCK_RETRY = /is locked\.\.\. waiting/;
const REPLAYED = /^Recovery replayed (\d+) operations from the journal in ([\d.]+) seconds/;
const STARTED = /^Apache ActiveMQ \S+ \([^)]*\) started/;

/** The takeover after `killedAt` in the new master's log (lines before it are ignored). */
export function takeoverBreakdown(text: string, input: TakeoverBreakdownInput): TakeoverBreakdown {
  const { killedAt, lockAcquireSleepIntervalMs: acquire, lockKeepAlivePeriodMs: keepAlive } = input;
  const all = parseBrokerLog(text);
  // Log stamps have millisecond resolution: keep what was logged in the kill's millisecond.
  const lines = all.filter((l) => l.at >= Math.floor(killedAt));
  const started = lines.find((l) => STARTED.test(l.message));
  const before = (l: BrokerLogLine) => started === undefined || l.at <= started.at;
  // The attempt that won came one interval after the last one that failed, which may predate
  // the kill by an interval (the old master held the lock until it died), more on a CPU-starved
  // machine where the retry thread wakes late; never before the kill.
  const lastRetry = all.findLast(
    (l) => l.at >= killedAt - acquire * 3 && before(l) && LOCK_RETRY.test(l.message),
  );
  const lockAcquiredAt =
    lastRetry === undefined ? undefined : Math.max(killedAt, lastRetry.at + acquire);
  const replay = lines.find((l) => before(l) && REPLAYED.test(l.message));
  const m = replay && REPLAYED.exec(replay.message);
  const replayMs = m ? Number(m[2]) * 1000 : started ? 0 : undefined;
  const replayEndAt = replay?.at;
  const replayStartAt =
    replayEndAt !== undefined && replayMs !== undefined ? replayEndAt - replayMs : undefined;
  const serveFrom = lockAcquiredAt === undefined ? undefined : lockAcquiredAt + keepAlive;
  return {
    lockAcquiredAt,
    lockDetectionMs: lockAcquiredAt === undefined ? undefined : lockAcquiredAt - killedAt,
    keepAliveWaitMs: keepAlive,
    storeOpenMs:
      serveFrom === undefined || replayStartAt === undefined
        ? undefined
        : Math.max(0, replayStartAt - serveFrom),
    replayMs,
    replayedOperations: m ? Number(m[1]) : started ? 0 : undefined,
    brokerStartMs:
      started === undefined ? undefined : started.at - (replayEndAt ?? serveFrom ?? started.at),
    startedAt: started?.at,
    startedMs: started === undefined ? undefined : started.at - killedAt,
  };
}
