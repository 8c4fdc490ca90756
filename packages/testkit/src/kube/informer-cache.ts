// A controller's view of the API: an informer's local cache, which sees each committed write only
// after the watch has delivered it. Controllers read this cache, never the store, so they can act
// on state that is a few milliseconds old — as kube-controller-manager and kube-proxy do.
import type { ObjectStore } from './object-store.js';
import type { KubeObject, ResourceName, StoreEvent } from './types.js';

const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

export class InformerCache {
  private readonly objects = new Map<ResourceName, Map<string, KubeObject>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private unsubscribe: (() => void) | undefined;

  /**
   * @param delayMs from a committed write to this cache (and its handler) seeing it; `0` reads
   *   the store itself and calls the handler synchronously after each write.
   */
  constructor(
    private readonly store: ObjectStore,
    private readonly resources: readonly ResourceName[],
    private readonly delayMs: number,
  ) {}

  /** Lists the current state, then delivers every later write to `handler` after the lag. */
  start(handler: (e: StoreEvent) => void): void {
    if (this.delayMs > 0) {
      for (const r of this.resources) {
        const bucket = new Map<string, KubeObject>();
        for (const o of this.store.list(r)) bucket.set(keyOf(o), o);
        this.objects.set(r, bucket);
      }
    }
    this.unsubscribe = this.store.subscribe((e) => {
      if (!this.resources.includes(e.resource)) return;
      if (this.delayMs <= 0) {
        handler(e);
        return;
      }
      // One fixed delay per event keeps the events in commit order (timers of equal delay fire
      // in creation order).
      const t = setTimeout(() => {
        this.timers.delete(t);
        this.apply(e);
        handler(e);
      }, this.delayMs);
      this.timers.add(t);
    });
  }

  stop(): void {
    this.unsubscribe?.();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  get(resource: ResourceName, namespace: string, name: string): KubeObject | undefined {
    if (this.delayMs <= 0) return this.store.get(resource, namespace, name);
    return this.objects.get(resource)?.get(`${namespace}/${name}`);
  }

  list(resource: ResourceName, namespace?: string): KubeObject[] {
    if (this.delayMs <= 0) return this.store.list(resource, namespace);
    return [...(this.objects.get(resource)?.values() ?? [])]
      .filter((o) => namespace === undefined || o.metadata.namespace === namespace)
      .sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  }

  private apply(e: StoreEvent): void {
    const bucket = this.objects.get(e.resource);
    if (!bucket) return;
    if (e.type === 'DELETED') bucket.delete(keyOf(e.object));
    else bucket.set(keyOf(e.object), e.object);
  }
}
