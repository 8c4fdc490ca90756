// The EndpointSlice controller's memory of its own writes (k8s.io/endpointslice/util
// EndpointSliceTracker): the generation it last wrote per slice, and the slices it deleted. A sync
// whose informer cache holds an older generation, misses a slice it wrote or still has one it
// deleted is "stale": the controller refuses to act on it and retries with backoff. That retry
// (1 s first) is what a second pod change shortly after the first costs during a hand-over.
import type { KubeObject } from './types.js';

const deletionExpected = -1;

export class EndpointSliceTracker {
  private readonly byService = new Map<string, Map<string, number>>();

  /** Records a slice the controller created or updated. */
  update(service: string, slice: KubeObject): void {
    this.slices(service).set(slice.metadata.uid ?? '', slice.metadata.generation ?? 1);
  }

  /** Records a slice the controller deleted. */
  expectDeletion(service: string, slice: KubeObject): void {
    this.slices(service).set(slice.metadata.uid ?? '', deletionExpected);
  }

  /** Whether an observed slice differs from what the controller last wrote (someone else's). */
  shouldSync(service: string, slice: KubeObject): boolean {
    const g = this.byService.get(service)?.get(slice.metadata.uid ?? '');
    return g === undefined || (slice.metadata.generation ?? 1) > g;
  }

  /** An observed deletion; false when the controller did not delete the slice itself. */
  handleDeletion(service: string, slice: KubeObject): boolean {
    const gens = this.byService.get(service);
    const uid = slice.metadata.uid ?? '';
    if (gens?.get(uid) === deletionExpected) {
      gens.delete(uid);
      return true;
    }
    gens?.delete(uid);
    return false;
  }

  /** Whether the cached slices of a service are older than the controller's own writes. */
  stale(service: string, cached: readonly KubeObject[]): boolean {
    const gens = this.byService.get(service);
    if (!gens) return false;
    const seen = new Set<string>();
    for (const s of cached) {
      const uid = s.metadata.uid ?? '';
      seen.add(uid);
      const g = gens.get(uid);
      if (g !== undefined && (g === deletionExpected || g > (s.metadata.generation ?? 1)))
        return true;
    }
    for (const [uid, g] of gens) if (g !== deletionExpected && !seen.has(uid)) return true;
    return false;
  }

  deleteService(service: string): void {
    this.byService.delete(service);
  }

  private slices(service: string): Map<string, number> {
    let m = this.byService.get(service);
    if (!m) {
      m = new Map();
      this.byService.set(service, m);
    }
    return m;
  }
}
