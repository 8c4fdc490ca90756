// kube-controller-manager's EndpointSlice (and Endpoints) controller as it runs, not only what it
// computes: informers feed a work queue keyed by Service; a sync reads the informer cache, checks
// it against its own last writes (EndpointSliceTracker) and refuses a stale cache with a 1 s, 2 s,
// ... retry; writes land after the API round trip. Read from pkg/controller/endpointslice
// (endpointslice_controller.go: addPod/updatePod queue after endpointUpdatesBatchPeriod, slice
// changes by others after endpointSliceChangeMinSyncDelay = 1 s, defaultSyncBackOff = 1 s).
import { type EndpointSliceLag, resolveEndpointSliceLag } from './controller-lag.js';
import {
  managedByLabel,
  managedByValue,
  reconcileService,
  type SliceWrite,
  serviceNameLabel,
} from './endpoint-slice-reconciler.js';
import { EndpointSliceTracker } from './endpoint-slice-tracker.js';
import { InformerCache } from './informer-cache.js';
import { asObject } from './json.js';
import { matchesMap } from './label-selector.js';
import { randomSuffix } from './object-registry.js';
import type { ObjectStore } from './object-store.js';
import type { KubeObject, StoreEvent } from './types.js';
import { WorkQueue } from './work-queue.js';
import { labelsOf } from './write-strategy.js';

export { managedByLabel, managedByValue, serviceNameLabel };

const split = (key: string): [string, string] => {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
};

function managedSliceService(slice: KubeObject): string | undefined {
  const labels = labelsOf(slice);
  return labels?.[managedByLabel] === managedByValue ? labels?.[serviceNameLabel] : undefined;
}

class StaleCache extends Error {}

export class EndpointSliceController {
  private cache: InformerCache;
  private queue: WorkQueue;
  private readonly tracker = new EndpointSliceTracker();
  private lag: EndpointSliceLag;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Syncs refused because the informer cache was older than the controller's own writes. */
  staleSyncs = 0;
  /** Pods left out of a sync because their Node does not exist (one count per pod and sync). */
  podsSkippedForMissingNodes = 0;

  constructor(
    private readonly store: ObjectStore,
    lag?: Partial<EndpointSliceLag> | 'none',
  ) {
    this.lag = resolveEndpointSliceLag(lag);
    this.cache = this.newCache();
    this.queue = this.newQueue();
  }

  get currentLag(): EndpointSliceLag {
    return this.lag;
  }

  start(): void {
    this.cache.start((e) => this.onEvent(e));
    // The initial list: every Service is synced once, as after an informer's first sync.
    for (const svc of this.cache.list('services'))
      this.queue.add(`${svc.metadata.namespace}/${svc.metadata.name}`);
  }

  stop(): void {
    this.cache.stop();
    this.queue.stop();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** Restarts with another lag model (informers re-list, the queue starts empty). */
  setLag(lag: Partial<EndpointSliceLag> | 'none'): void {
    this.stop();
    this.lag = resolveEndpointSliceLag(lag);
    this.cache = this.newCache();
    this.queue = this.newQueue();
    this.start();
  }

  private newCache(): InformerCache {
    return new InformerCache(
      this.store,
      ['pods', 'services', 'endpointslices', 'endpoints', 'nodes'],
      this.lag.informerMs,
    );
  }

  private newQueue(): WorkQueue {
    return new WorkQueue((key) => this.sync(key), { retryBaseMs: this.lag.retryBaseMs });
  }

  private onEvent(e: StoreEvent): void {
    const ns = e.object.metadata.namespace ?? '';
    if (e.resource === 'services') this.queue.add(`${ns}/${e.object.metadata.name}`);
    else if (e.resource === 'endpointslices') {
      // A managed slice changed or deleted by someone else is put back, after a second.
      const svc = managedSliceService(e.object);
      if (!svc) return;
      const key = `${ns}/${svc}`;
      const foreign =
        e.type === 'DELETED'
          ? !this.tracker.handleDeletion(key, e.object)
          : this.tracker.shouldSync(key, e.object);
      if (foreign) this.queue.addAfter(key, this.lag.sliceChangeMinSyncDelayMs);
    } else if (e.resource === 'pods') {
      for (const svc of this.cache.list('services', ns)) {
        const selector = asObject(svc.spec?.selector) as Record<string, string> | undefined;
        if (!selector || Object.keys(selector).length === 0) continue;
        if (
          matchesMap(labelsOf(e.object), selector) ||
          (e.previous && matchesMap(labelsOf(e.previous), selector))
        ) {
          this.queue.addAfter(`${ns}/${svc.metadata.name}`, this.lag.batchMs);
        }
      }
    }
  }

  private sync(key: string): void | Promise<void> {
    const [ns, name] = split(key);
    const slices = this.cache
      .list('endpointslices', ns)
      .filter((s) => managedSliceService(s) === name);
    if (this.tracker.stale(key, slices)) {
      // "EndpointSlice informer cache is out of date": retried with the queue's backoff.
      this.staleSyncs++;
      this.queue.addRateLimited(key);
      return;
    }
    const service = this.cache.get('services', ns, name);
    const { writes, podsOnMissingNodes } = reconcileService({
      service,
      pods: this.cache.list('pods', ns),
      slices,
      endpoints: this.cache.get('endpoints', ns, name),
      nodes: new Set(this.cache.list('nodes').map((n) => n.metadata.name ?? '')),
    });
    if (!service) this.tracker.deleteService(key);
    // Pods on Nodes that do not exist fail the sync after its writes: retried with back-off (the
    // controller does not watch Nodes for this), so a late Node registration shows after a retry.
    const done = () => {
      if (podsOnMissingNodes.length > 0) {
        this.podsSkippedForMissingNodes += podsOnMissingNodes.length;
        this.queue.addRateLimited(key);
      } else this.queue.forget(key);
    };
    if (writes.length === 0) {
      done();
      return;
    }
    const apply = () => {
      try {
        for (const w of writes) this.apply(key, w);
        done();
      } catch (err) {
        if (!(err instanceof StaleCache)) throw err;
        this.queue.addRateLimited(key);
      }
    };
    if (this.lag.writeMs <= 0) {
      apply();
      return;
    }
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        apply();
        resolve();
      }, this.lag.writeMs);
      this.timers.add(t);
    });
  }

  /** Commits one write; an object changed since the cache read is a 409 Conflict to the real one. */
  private apply(key: string, w: SliceWrite): void {
    const ns = key.slice(0, key.indexOf('/'));
    if (w.op === 'create') {
      const meta = w.object.metadata;
      let name = meta.name ?? '';
      if (!name) {
        name = `${meta.generateName}${randomSuffix()}`;
        while (this.store.get(w.resource, ns, name)) name = `${meta.generateName}${randomSuffix()}`;
      } else if (this.store.get(w.resource, ns, name)) throw new StaleCache();
      const out = this.store.create(w.resource, { ...w.object, metadata: { ...meta, name } });
      if (w.resource === 'endpointslices') this.tracker.update(key, out);
      return;
    }
    const current = this.store.get(w.resource, ns, w.old.metadata.name ?? '');
    if (!current) {
      if (w.op === 'delete') return;
      throw new StaleCache();
    }
    if (current.metadata.resourceVersion !== w.old.metadata.resourceVersion) throw new StaleCache();
    if (w.op === 'delete') {
      if (w.resource === 'endpointslices') this.tracker.expectDeletion(key, current);
      this.store.remove(w.resource, ns, current.metadata.name ?? '');
      return;
    }
    const out = this.store.replace(w.resource, w.object, current);
    if (w.resource === 'endpointslices') this.tracker.update(key, out);
  }
}
