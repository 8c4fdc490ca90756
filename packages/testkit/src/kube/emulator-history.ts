// What happened in the emulator, for tests to assert on and wait for: every committed write, every
// label change, every API request. Recorded from the outside (a store subscription and the
// request log), so recording never changes what the API does.
import { KubeWaitTimeoutError } from './errors.js';
import { clone } from './json.js';
import { type LabelChange, LabelHistory } from './label-history.js';
import type { RequestFilter, RequestLog, RequestRecord } from './request-log.js';
import type { ResourceName, StoreEvent } from './types.js';

export interface KubeWaitOptions {
  /** @default 10000 */
  readonly timeoutMs?: number;
  /** Named in the timeout error. */
  readonly description?: string;
  /**
   * Also re-check this often, for conditions on state outside the emulator (process output,
   * client state). `0` checks only after writes and requests. @default 100
   */
  readonly pollIntervalMs?: number;
}

/** Where committed writes come from: the objects part's store. */
export interface WriteSource {
  subscribe(listener: (e: StoreEvent) => void): () => void;
}

export class EmulatorHistory {
  private readonly labels = new LabelHistory();
  private readonly writeLog: StoreEvent[] = [];

  constructor(
    private readonly writeSource: WriteSource,
    private readonly log: RequestLog,
  ) {
    writeSource.subscribe((e) => {
      this.writeLog.push(e);
      this.labels.record(e);
    });
  }

  // ---- writes and labels --------------------------------------------------------------------

  /** Every committed write since start, in resourceVersion order (copies). */
  writes(filter: { readonly resource?: ResourceName } = {}): StoreEvent[] {
    return this.writeLog
      .filter((e) => filter.resource === undefined || e.resource === filter.resource)
      .map((e) => clone(e));
  }

  /** Every label change of every pod since start. */
  labelHistory(): LabelChange[] {
    return this.labels.list();
  }

  /** Most pods that carried the label at the same time since start (see LabelHistory). */
  maxPodsWithLabel(key: string, value?: string, namespace?: string): number {
    return this.labels.maxConcurrent(key, value, namespace);
  }

  // ---- requests -----------------------------------------------------------------------------

  /** Logged requests matching `filter` (oldest first), e.g. `{ verb: 'patch', resource: 'pods' }`. */
  requests(filter?: RequestFilter): RequestRecord[] {
    return this.log.list(filter);
  }

  countRequests(filter?: RequestFilter): number {
    return this.log.list(filter).length;
  }

  /** Sequence number of the latest request; pass as `afterSeq` to count only later ones. */
  get requestSeq(): number {
    return this.log.lastSeq;
  }

  clearRequests(): void {
    this.log.clear();
  }

  // ---- waiting ------------------------------------------------------------------------------

  /**
   * Resolves with the first truthy value of `check`, evaluated now, after every write and every
   * answered request (once the write's synchronous follow-ups, such as slice updates, are done),
   * and every `pollIntervalMs`.
   */
  waitFor<T>(check: () => T | undefined | null | false, opts: KubeWaitOptions = {}): Promise<T> {
    const timeoutMs = opts.timeoutMs ?? 10_000;
    return new Promise<T>((resolve, reject) => {
      let done = false;
      let queued = false;
      const finish = () => {
        done = true;
        unStore();
        unLog();
        clearTimeout(timer);
        if (poll) clearInterval(poll);
      };
      const evaluate = () => {
        queued = false;
        if (done) return;
        try {
          const v = check();
          if (v !== undefined && v !== null && v !== false) {
            finish();
            resolve(v);
          }
        } catch (err) {
          finish();
          reject(err);
        }
      };
      // Microtask: a write's synchronous follow-ups (dispatched in the same turn) land first.
      const schedule = () => {
        if (queued) return;
        queued = true;
        queueMicrotask(evaluate);
      };
      const unStore = this.writeSource.subscribe(schedule);
      const unLog = this.log.subscribe(schedule);
      const pollMs = opts.pollIntervalMs ?? 100;
      const poll = pollMs > 0 ? setInterval(schedule, pollMs) : undefined;
      const timer = setTimeout(() => {
        if (done) return;
        finish();
        reject(new KubeWaitTimeoutError(opts.description ?? 'condition', timeoutMs));
      }, timeoutMs);
      evaluate();
    });
  }
}
