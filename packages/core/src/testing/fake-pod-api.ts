import { KubeApiError, type KubeOperation } from '../errors.js';
import type {
  EventSeriesWrite,
  LeaseRecord,
  LeaseSpecWrite,
  MetadataPatch,
  PodApi,
  PodEventSpec,
  PodMeta,
  PodWatchHandlers,
  PodWatchQuery,
  RequestOptions,
  WatchHandle,
} from '../kube-api.js';

interface Fault {
  readonly status: number;
  remaining: number;
  readonly pod?: string;
}

/**
 * In-memory PodApi for unit tests: resourceVersion checks (409), merge-patch semantics, watches,
 * a request log and injectable faults. Not exported from the package.
 */
export class FakePodApi implements PodApi {
  readonly pods = new Map<string, PodMeta>();
  readonly requests: { op: KubeOperation; pod?: string; patch?: MetadataPatch }[] = [];
  readonly events: PodEventSpec[] = [];
  readonly eventSeries: ({ readonly name: string } & EventSeriesWrite)[] = [];
  readonly leases = new Map<string, LeaseRecord>();
  readonly #faults = new Map<KubeOperation, Fault[]>();
  readonly #hangs = new Map<KubeOperation, number>();
  readonly #watchers = new Set<{ query: PodWatchQuery; handlers: PodWatchHandlers }>();
  #rv = 100;
  /** Called before a patch is applied: lets a test change the pod "concurrently". */
  beforePatch: ((name: string) => void) | undefined;

  addPod(name: string, labels: Record<string, string> = {}, namespace = 'ns'): PodMeta {
    const pod: PodMeta = {
      name,
      namespace,
      uid: `uid-${name}`,
      resourceVersion: String(++this.#rv),
      labels,
      annotations: {},
    };
    this.pods.set(name, pod);
    this.#notify('ADDED', pod);
    return pod;
  }

  /** Changes labels as another actor would (bumps resourceVersion, notifies watches). */
  setLabel(name: string, key: string, value: string | undefined): void {
    const pod = this.#get(name);
    const labels = { ...pod.labels };
    if (value === undefined) delete labels[key];
    else labels[key] = value;
    this.#store({ ...pod, labels, resourceVersion: String(++this.#rv) });
  }

  label(name: string, key = 'leader'): string | undefined {
    return this.pods.get(name)?.labels[key];
  }

  /** The next `count` calls of `op` (optionally only for `pod`) fail with `status`. */
  fail(op: KubeOperation, status: number, count = 1, pod?: string): void {
    const list = this.#faults.get(op) ?? [];
    list.push({ status, remaining: count, ...(pod ? { pod } : {}) });
    this.#faults.set(op, list);
  }

  /**
   * The next `count` calls of `op` never answer, like a hung API server: they reject (status 0)
   * only when their `signal` aborts.
   */
  hang(op: KubeOperation, count = Number.POSITIVE_INFINITY): void {
    this.#hangs.set(op, (this.#hangs.get(op) ?? 0) + count);
  }

  clearFaults(): void {
    this.#faults.clear();
    this.#hangs.clear();
  }

  count(op: KubeOperation): number {
    return this.requests.filter((r) => r.op === op).length;
  }

  /** Ends every open watch as a server timeout would. */
  closeWatches(error?: Error): void {
    for (const w of [...this.#watchers]) {
      this.#watchers.delete(w);
      w.handlers.onClose(error);
    }
  }

  get openWatches(): number {
    return this.#watchers.size;
  }

  async readPod(_ns: string, name: string, options?: RequestOptions): Promise<PodMeta> {
    const hung = this.#enter('readPod', name, undefined, options);
    if (hung) await hung;
    return this.#get(name);
  }

  async listPods(_ns: string, labelSelector: string, options?: RequestOptions): Promise<PodMeta[]> {
    const hung = this.#enter('listPods', undefined, undefined, options);
    if (hung) await hung;
    return [...this.pods.values()].filter((p) => matches(p, labelSelector));
  }

  async patchPodMetadata(
    _ns: string,
    name: string,
    patch: MetadataPatch,
    options?: RequestOptions,
  ): Promise<PodMeta> {
    const hung = this.#enter('patchPod', name, patch, options);
    if (hung) await hung;
    this.beforePatch?.(name);
    const pod = this.#get(name);
    if (patch.resourceVersion !== undefined && patch.resourceVersion !== pod.resourceVersion) {
      throw new KubeApiError('patchPod', 409, 'Conflict', 'the object has been modified');
    }
    const updated: PodMeta = {
      ...pod,
      labels: merge(pod.labels, patch.labels),
      annotations: merge(pod.annotations, patch.annotations),
      resourceVersion: String(++this.#rv),
    };
    this.#store(updated);
    return updated;
  }

  async watchPods(
    _ns: string,
    query: PodWatchQuery,
    handlers: PodWatchHandlers,
  ): Promise<WatchHandle> {
    this.#enter('watchPods');
    const w = { query, handlers };
    this.#watchers.add(w);
    for (const pod of this.pods.values()) {
      if (matches(pod, query.labelSelector ?? '')) handlers.onEvent('ADDED', pod);
    }
    return { close: () => this.#watchers.delete(w) };
  }

  async createPodEvent(event: PodEventSpec): Promise<string> {
    this.#enter('createEvent');
    this.events.push(event);
    return `${event.regarding.name}.${this.events.length}`;
  }

  async updatePodEventSeries(_ns: string, name: string, series: EventSeriesWrite): Promise<void> {
    this.#enter('updateEventSeries');
    this.eventSeries.push({ name, ...series });
  }

  async readLease(_ns: string, name: string): Promise<LeaseRecord | undefined> {
    this.#enter('readLease');
    return this.leases.get(name);
  }

  async createLease(_ns: string, name: string, spec: LeaseSpecWrite): Promise<LeaseRecord> {
    this.#enter('writeLease');
    if (this.leases.has(name)) {
      throw new KubeApiError('writeLease', 409, 'AlreadyExists', `lease ${name} already exists`);
    }
    return this.#storeLease(name, spec);
  }

  async updateLease(
    _ns: string,
    name: string,
    resourceVersion: string,
    spec: LeaseSpecWrite,
  ): Promise<LeaseRecord> {
    this.#enter('writeLease');
    const current = this.leases.get(name);
    if (!current) throw new KubeApiError('writeLease', 404, 'NotFound', `lease ${name} not found`);
    if (current.resourceVersion !== resourceVersion) {
      throw new KubeApiError('writeLease', 409, 'Conflict', 'the object has been modified');
    }
    return this.#storeLease(name, spec);
  }

  /** Writes a Lease as another actor would (a peer's agent renewing it). */
  setLease(name: string, spec: LeaseSpecWrite): LeaseRecord {
    return this.#storeLease(name, spec);
  }

  #storeLease(name: string, spec: LeaseSpecWrite): LeaseRecord {
    const record: LeaseRecord = {
      resourceVersion: String(++this.#rv),
      holderIdentity: spec.holderIdentity || undefined,
      leaseDurationSeconds: spec.leaseDurationSeconds,
      renewTime: spec.renewTime,
      acquireTime: spec.acquireTime,
      leaseTransitions: spec.leaseTransitions,
    };
    this.leases.set(name, record);
    return record;
  }

  /** Logs the call and throws an injected fault; returns a promise when the call hangs. */
  #enter(
    op: KubeOperation,
    pod?: string,
    patch?: MetadataPatch,
    options?: RequestOptions,
  ): Promise<never> | undefined {
    this.requests.push({ op, ...(pod ? { pod } : {}), ...(patch ? { patch } : {}) });
    const hangs = this.#hangs.get(op) ?? 0;
    if (hangs > 0) {
      this.#hangs.set(op, hangs - 1);
      return new Promise<never>((_, reject) => {
        const signal = options?.signal;
        const abort = () =>
          reject(new KubeApiError(op, 0, undefined, 'aborted', { cause: signal?.reason }));
        if (signal?.aborted) abort();
        else signal?.addEventListener('abort', abort, { once: true });
      });
    }
    const faults = this.#faults.get(op) ?? [];
    const fault = faults.find((f) => f.remaining > 0 && (f.pod === undefined || f.pod === pod));
    if (fault) {
      fault.remaining--;
      throw new KubeApiError(op, fault.status, undefined, `injected ${fault.status}`);
    }
    return undefined;
  }

  #get(name: string): PodMeta {
    const pod = this.pods.get(name);
    if (!pod) throw new KubeApiError('readPod', 404, 'NotFound', `pod ${name} not found`);
    return pod;
  }

  #store(pod: PodMeta): void {
    this.pods.set(pod.name, pod);
    this.#notify('MODIFIED', pod);
  }

  #notify(type: 'ADDED' | 'MODIFIED', pod: PodMeta): void {
    for (const w of this.#watchers) {
      if (matches(pod, w.query.labelSelector ?? '')) w.handlers.onEvent(type, pod);
    }
  }
}

function merge(
  base: Readonly<Record<string, string>>,
  patch: Readonly<Record<string, string | null>> | undefined,
): Record<string, string> {
  const out = { ...base };
  for (const [k, v] of Object.entries(patch ?? {})) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

/** Equality-based selectors only (`a=b,c=d`), which is all the labeler uses. */
function matches(pod: PodMeta, selector: string): boolean {
  return selector
    .split(',')
    .filter((s) => s.length > 0)
    .every((term) => {
      const [k = '', v] = term.split('=');
      return pod.labels[k] === v;
    });
}
