import type { EndpointSliceLag } from './controller-lag.js';
import { EndpointSliceController } from './endpoint-slice-controller.js';
import { KubeWaitTimeoutError } from './errors.js';
import { clone } from './json.js';
import { type LabelChange, LabelHistory } from './label-history.js';
import { ObjectRegistry } from './object-registry.js';
import { ObjectStore } from './object-store.js';
import { type RequestFilter, RequestLog, type RequestRecord } from './request-log.js';
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

export interface EmulatorCoreOptions {
  readonly namespace?: string;
  readonly historyLimit?: number;
  readonly endpointSliceLag?: Partial<EndpointSliceLag> | 'none';
  readonly requestLogLimit?: number;
}

/**
 * The emulator's state (store, registry, EndpointSlice controller, request log) and what tests
 * read from it: write history, label history, request counts, and waiting on any of them.
 */
export abstract class EmulatorCore {
  readonly namespace: string;
  protected readonly store: ObjectStore;
  protected readonly registry: ObjectRegistry;
  protected readonly controller: EndpointSliceController;
  protected readonly log: RequestLog;
  private readonly labels = new LabelHistory();
  private readonly writeLog: StoreEvent[] = [];

  protected constructor(opts: EmulatorCoreOptions) {
    this.namespace = opts.namespace ?? 'default';
    this.store = new ObjectStore(opts.historyLimit ?? 1000);
    this.registry = new ObjectRegistry(this.store);
    this.controller = new EndpointSliceController(this.store, opts.endpointSliceLag);
    this.log = new RequestLog(opts.requestLogLimit ?? 10_000);
    this.store.subscribe((e) => {
      this.writeLog.push(e);
      this.labels.record(e);
    });
    this.controller.start();
  }

  /** Latest resourceVersion handed out. */
  get resourceVersion(): number {
    return this.store.resourceVersion;
  }

  /** Forgets the watch history: watches from any older resourceVersion get 410 Expired. */
  compactHistory(): void {
    this.store.compact();
  }

  /**
   * Restarts the EndpointSlice controller with another lag model (`'none'`: slices change in the
   * same tick as the pods). Fields left out keep kube-controller-manager's defaults.
   */
  setEndpointSliceLag(lag: Partial<EndpointSliceLag> | 'none'): void {
    this.controller.setLag(lag);
  }

  /** The EndpointSlice controller's lag model now. */
  get endpointSliceLag(): EndpointSliceLag {
    return this.controller.currentLag;
  }

  /** Syncs the EndpointSlice controller refused on a stale informer cache (each costs a retry). */
  get staleEndpointSliceSyncs(): number {
    return this.controller.staleSyncs;
  }

  // ---- request log --------------------------------------------------------------------------

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

  // ---- history and waiting ------------------------------------------------------------------

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

  /** Pods carrying `key` (=`value` when given) now. */
  podsWithLabel(key: string, value?: string, namespace: string = this.namespace): string[] {
    return this.store
      .list('pods', namespace)
      .filter((p) => {
        const l = p.metadata.labels;
        return (
          l !== undefined && Object.hasOwn(l, key) && (value === undefined || l[key] === value)
        );
      })
      .map((p) => p.metadata.name ?? '');
  }

  /** Most pods that carried the label at the same time since start (see LabelHistory). */
  maxPodsWithLabel(key: string, value?: string, namespace?: string): number {
    return this.labels.maxConcurrent(key, value, namespace);
  }

  /** Calls `listener` after every committed write, in resourceVersion order. */
  onChange(listener: (e: StoreEvent) => void): () => void {
    return this.store.subscribe(listener);
  }

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
      const schedule = () => {
        if (queued) return;
        queued = true;
        queueMicrotask(evaluate);
      };
      const unStore = this.store.subscribe(schedule);
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
