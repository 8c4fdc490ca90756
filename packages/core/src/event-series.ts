/**
 * Event aggregation as client-go's events.k8s.io recorder does it (tools/events: isomorphic
 * Events share regarding, reason, action, reporting controller and type; the note is not part of
 * the key): the first occurrence creates an Event, a repeat turns it into a series (count 2,
 * written at once), later repeats only count and are written at most once per refresh interval,
 * and a series nobody repeated for the idle time is written one last time and forgotten. The
 * cache is bounded: the least recently seen key goes first. Pure: time comes in as arguments.
 */
export interface EventSeriesOptions {
  /** Least time between two writes of one series. @default 30 000 */
  readonly refreshMs?: number;
  /** A series not repeated for this long is finished (client-go: 6 min). @default 360 000 */
  readonly idleMs?: number;
  /** Most keys remembered. @default 64 */
  readonly maxKeys?: number;
}

export interface SeriesWrite {
  readonly key: string;
  /** The Event object the series updates; undefined until its create returned. */
  readonly name: string | undefined;
  readonly count: number;
  /** Epoch ms of the last occurrence. */
  readonly lastObservedAt: number;
}

export type ObserveDecision =
  | { readonly kind: 'create' }
  /** Write the series now (its first repeat, or the refresh interval has passed). */
  | { readonly kind: 'write'; readonly series: SeriesWrite }
  /** Counted; written by a later `due()` or repeat. */
  | { readonly kind: 'counted' };

interface Entry {
  name: string | undefined;
  count: number;
  lastObservedAt: number;
  /** Count last written (1 = only the create). */
  writtenCount: number;
  writtenAt: number;
}

export class EventSeries {
  readonly #refreshMs: number;
  readonly #idleMs: number;
  readonly #maxKeys: number;
  /** Insertion order = least recently observed first. */
  readonly #entries = new Map<string, Entry>();

  constructor(options: EventSeriesOptions = {}) {
    this.#refreshMs = options.refreshMs ?? 30_000;
    this.#idleMs = options.idleMs ?? 360_000;
    this.#maxKeys = Math.max(1, options.maxKeys ?? 64);
  }

  get size(): number {
    return this.#entries.size;
  }

  observe(key: string, now: number): ObserveDecision {
    const entry = this.#entries.get(key);
    if (!entry || now - entry.lastObservedAt > this.#idleMs) {
      this.#entries.delete(key);
      this.#entries.set(key, {
        name: undefined,
        count: 1,
        lastObservedAt: now,
        writtenCount: 1,
        writtenAt: now,
      });
      while (this.#entries.size > this.#maxKeys) {
        const oldest = this.#entries.keys().next().value as string;
        this.#entries.delete(oldest);
      }
      return { kind: 'create' };
    }
    entry.count++;
    entry.lastObservedAt = now;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (
      entry.name !== undefined &&
      (entry.writtenCount === 1 || now - entry.writtenAt >= this.#refreshMs)
    ) {
      return { kind: 'write', series: this.#written(key, entry, now) };
    }
    return { kind: 'counted' };
  }

  /** The create of `key`'s Event returned `name`; a repeat counted meanwhile is due at once. */
  created(key: string, name: string): void {
    const entry = this.#entries.get(key);
    if (entry && entry.name === undefined) {
      entry.name = name;
      // Repeats that came before the name was known are written by the next due().
      entry.writtenAt = Number.NEGATIVE_INFINITY;
    }
  }

  /**
   * Series with unwritten counts whose refresh interval has passed, and series that finished
   * (idle) with unwritten counts; finished keys are forgotten.
   */
  due(now: number): SeriesWrite[] {
    const out: SeriesWrite[] = [];
    for (const [key, entry] of [...this.#entries]) {
      const idle = now - entry.lastObservedAt > this.#idleMs;
      const pending = entry.name !== undefined && entry.count > entry.writtenCount;
      if (pending && (idle || now - entry.writtenAt >= this.#refreshMs)) {
        out.push(this.#written(key, entry, now));
      }
      if (idle) this.#entries.delete(key);
    }
    return out;
  }

  /** When the next `due()` may have something to write; undefined when nothing is pending. */
  nextDueAt(): number | undefined {
    let next: number | undefined;
    for (const entry of this.#entries.values()) {
      if (entry.name === undefined || entry.count <= entry.writtenCount) continue;
      const at = Math.max(entry.writtenAt + this.#refreshMs, entry.lastObservedAt);
      next = next === undefined ? at : Math.min(next, at);
    }
    return next;
  }

  #written(key: string, entry: Entry, now: number): SeriesWrite {
    entry.writtenCount = entry.count;
    entry.writtenAt = now;
    return { key, name: entry.name, count: entry.count, lastObservedAt: entry.lastObservedAt };
  }
}

/** The isomorphism key of client-go's events recorder. */
export function eventSeriesKey(e: {
  readonly regarding: { readonly namespace: string; readonly name: string; readonly uid: string };
  readonly reason: string;
  readonly action: string;
  readonly type: string;
  readonly reportingController: string;
}): string {
  const r = e.regarding;
  return [r.namespace, r.name, r.uid, e.reason, e.action, e.type, e.reportingController].join(
    '\u0000',
  );
}
