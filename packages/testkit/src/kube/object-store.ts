import type { KubeObject, ResourceName, StoreEvent, WatchEventType } from './types.js';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function key(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/**
 * The emulator's etcd: objects per resource, one global resourceVersion counter stamped on every
 * write, and a bounded history of committed writes for watches. Listeners see every write in
 * resourceVersion order, even when a listener writes in response (the write is queued, not
 * dispatched re-entrantly), so watch streams stay ordered.
 */
export class ObjectStore {
  private rv = 0;
  private readonly objects = new Map<ResourceName, Map<string, KubeObject>>();
  /** The watch cache: committed writes per resource, each bounded on its own (as the cacher's). */
  private readonly history = new Map<ResourceName, StoreEvent[]>();
  private readonly compactedThrough = new Map<ResourceName, number>();
  /** Resets of the whole watch cache (compact(), an API restart): older versions are gone. */
  private resetThrough = 0;
  private readonly listeners = new Set<(e: StoreEvent) => void>();
  private readonly queue: StoreEvent[] = [];
  private dispatching = false;

  constructor(private readonly historyLimit: number) {}

  get resourceVersion(): number {
    return this.rv;
  }

  /** Frozen stored object; callers copy before changing it. */
  get(resource: ResourceName, namespace: string, name: string): KubeObject | undefined {
    return this.objects.get(resource)?.get(key(namespace, name));
  }

  /** Objects of a resource, in one namespace or all, ordered by namespace then name. */
  list(resource: ResourceName, namespace?: string): KubeObject[] {
    const all = [...(this.objects.get(resource)?.entries() ?? [])]
      .filter(([k]) => namespace === undefined || k.startsWith(`${namespace}/`))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return all.map(([, v]) => v);
  }

  create(resource: ResourceName, obj: KubeObject): KubeObject {
    return this.write('ADDED', resource, obj, undefined);
  }

  replace(resource: ResourceName, obj: KubeObject, previous: KubeObject): KubeObject {
    return this.write('MODIFIED', resource, obj, previous);
  }

  remove(resource: ResourceName, namespace: string, name: string): KubeObject | undefined {
    const previous = this.get(resource, namespace, name);
    if (!previous) return undefined;
    return this.write('DELETED', resource, previous, previous);
  }

  private write(
    type: WatchEventType,
    resource: ResourceName,
    obj: KubeObject,
    previous: KubeObject | undefined,
  ): KubeObject {
    const rv = ++this.rv;
    const stored = deepFreeze({
      ...obj,
      metadata: { ...obj.metadata, resourceVersion: String(rv) },
    } as KubeObject);
    const namespace = stored.metadata.namespace ?? '';
    const name = stored.metadata.name ?? '';
    let bucket = this.objects.get(resource);
    if (!bucket) {
      bucket = new Map();
      this.objects.set(resource, bucket);
    }
    if (type === 'DELETED') bucket.delete(key(namespace, name));
    else bucket.set(key(namespace, name), stored);
    const event: StoreEvent = previous
      ? { type, resource, object: stored, previous, resourceVersion: rv }
      : { type, resource, object: stored, resourceVersion: rv };
    let h = this.history.get(resource);
    if (!h) {
      h = [];
      this.history.set(resource, h);
    }
    h.push(event);
    while (h.length > this.historyLimit) {
      const dropped = h.shift();
      if (dropped) this.compactedThrough.set(resource, dropped.resourceVersion);
    }
    this.dispatch(event);
    return stored;
  }

  private dispatch(event: StoreEvent): void {
    this.queue.push(event);
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (let e = this.queue.shift(); e; e = this.queue.shift()) {
        for (const listener of [...this.listeners]) {
          try {
            listener(e);
          } catch (err) {
            // A failing observer must not lose the write for the others.
            console.error('kube emulator: store listener failed', err);
          }
        }
      }
    } finally {
      this.dispatching = false;
    }
  }

  /**
   * Committed writes after `resourceVersion`, or `undefined` when some of them were compacted
   * away (the caller answers 410 Expired).
   */
  since(resourceVersion: number, resource: ResourceName): StoreEvent[] | undefined {
    if (resourceVersion < this.oldestWatchable(resource)) return undefined;
    return (this.history.get(resource) ?? []).filter((e) => e.resourceVersion > resourceVersion);
  }

  /** The oldest resourceVersion a watch of `resource` can still start from. */
  oldestWatchable(resource: ResourceName): number {
    return Math.max(this.resetThrough, this.compactedThrough.get(resource) ?? 0);
  }

  /**
   * Objects of a resource as they were at `resourceVersion` (undoing later writes), or
   * `undefined` when that version is older than the watch cache holds.
   */
  listAt(
    resource: ResourceName,
    resourceVersion: number,
    namespace?: string,
  ): KubeObject[] | undefined {
    const later = this.since(resourceVersion, resource);
    if (!later) return undefined;
    const state = new Map(
      this.list(resource, namespace).map((o) => [
        key(o.metadata.namespace ?? '', o.metadata.name ?? ''),
        o,
      ]),
    );
    for (const e of [...later].reverse()) {
      const ns = e.object.metadata.namespace ?? '';
      if (namespace !== undefined && ns !== namespace) continue;
      const k = key(ns, e.object.metadata.name ?? '');
      if (e.type === 'ADDED') state.delete(k);
      else if (e.previous) state.set(k, e.previous);
    }
    return [...state.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  }

  /**
   * Forgets all history, like an etcd compaction or a restarted apiserver whose watch cache starts
   * at the current version: watches from older resourceVersions then get 410.
   */
  compact(): void {
    this.history.clear();
    this.resetThrough = this.rv;
  }

  subscribe(listener: (e: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
