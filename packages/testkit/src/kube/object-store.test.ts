// The store as the API's watches and lists rely on it: one resourceVersion counter for every
// write, a watch cache per resource with its own bound, and "too old" (410) once history is gone.
import { describe, expect, it, vi } from 'vitest';
import { ObjectStore } from './object-store.js';
import type { KubeObject, StoreEvent } from './types.js';

const pod = (name: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels },
});

describe('ObjectStore', () => {
  it('stamps every write with the next resourceVersion, across resources, and freezes it', () => {
    const store = new ObjectStore(10);
    const a = store.create('pods', pod('a'));
    const s = store.create('services', { ...pod('svc'), kind: 'Service' });
    const b = store.replace('pods', { ...a, metadata: { ...a.metadata, labels: { x: 'y' } } }, a);
    expect([a, s, b].map((o) => o.metadata.resourceVersion)).toEqual(['1', '2', '3']);
    expect(store.resourceVersion).toBe(3);
    expect(Object.isFrozen(b.metadata.labels)).toBe(true);
    store.remove('pods', 'default', 'a');
    expect(store.resourceVersion).toBe(4);
    expect(store.get('pods', 'default', 'a')).toBeUndefined();
  });

  it('a watch from any version still in the cache gets exactly the later events of its resource', () => {
    const store = new ObjectStore(10);
    const a = store.create('pods', pod('a'));
    store.create('services', { ...pod('svc'), kind: 'Service' });
    store.replace('pods', { ...a, metadata: { ...a.metadata, labels: { x: 'y' } } }, a);
    store.remove('pods', 'default', 'a');
    const later = store.since(1, 'pods');
    expect(later?.map((e) => [e.type, e.resourceVersion])).toEqual([
      ['MODIFIED', 3],
      ['DELETED', 4],
    ]);
    // A DELETED event carries the last state; MODIFIED the state before, for selector watches.
    expect(later?.[0]?.previous?.metadata.resourceVersion).toBe('1');
    expect(store.since(4, 'pods')).toEqual([]);
  });

  it('bounds each resource on its own: a busy resource does not expire a quiet one', () => {
    const store = new ObjectStore(2);
    store.create('services', { ...pod('svc'), kind: 'Service' }); // rv 1
    for (const n of ['a', 'b', 'c', 'd']) store.create('pods', pod(n)); // rv 2..5
    // Pods keep rv 4 and 5: a watch from 3 still sees both, from 2 it lost rv 3.
    expect(store.since(3, 'pods')?.map((e) => e.resourceVersion)).toEqual([4, 5]);
    expect(store.since(2, 'pods')).toBeUndefined();
    expect(store.oldestWatchable('pods')).toBe(3);
    // The services cache still holds its one write.
    expect(store.oldestWatchable('services')).toBe(0);
    expect(store.since(0, 'services')?.map((e) => e.resourceVersion)).toEqual([1]);
  });

  it('compact() (an API restart) makes every older version too old, the current one still good', () => {
    const store = new ObjectStore(100);
    store.create('pods', pod('a'));
    store.create('pods', pod('b'));
    store.compact();
    expect(store.since(1, 'pods')).toBeUndefined();
    expect(store.since(2, 'pods')).toEqual([]);
    expect(store.oldestWatchable('endpointslices')).toBe(2);
    store.create('pods', pod('c'));
    expect(store.since(2, 'pods')?.map((e) => e.object.metadata.name)).toEqual(['c']);
  });

  it('listAt rebuilds a list at an older version from the cache, or says it is gone', () => {
    const store = new ObjectStore(100);
    const a = store.create('pods', pod('a')); // 1
    store.create('pods', pod('b')); // 2
    store.replace('pods', { ...a, metadata: { ...a.metadata, labels: { x: 'y' } } }, a); // 3
    store.remove('pods', 'default', 'b'); // 4
    const at2 = store.listAt('pods', 2);
    expect(at2?.map((o) => [o.metadata.name, o.metadata.resourceVersion])).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
    expect(store.listAt('pods', 1)?.map((o) => o.metadata.name)).toEqual(['a']);
    store.compact();
    expect(store.listAt('pods', 2)).toBeUndefined();
  });

  it('delivers writes made by a listener after the write that caused them, in version order', () => {
    const store = new ObjectStore(100);
    const seen: string[] = [];
    store.subscribe((e: StoreEvent) => {
      // A controller reacting to a pod with a write of its own.
      if (e.resource === 'pods' && e.type === 'ADDED')
        store.create('endpointslices', { ...pod(`${e.object.metadata.name}-slice`) });
    });
    store.subscribe((e) => seen.push(`${e.resourceVersion}:${e.object.metadata.name}`));
    store.create('pods', pod('a'));
    expect(seen).toEqual(['1:a', '2:a-slice']);
  });

  it('a listener that throws does not keep the write from the others', () => {
    const store = new ObjectStore(100);
    const seen: number[] = [];
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    store.subscribe(() => {
      throw new Error('observer broke');
    });
    store.subscribe((e) => seen.push(e.resourceVersion));
    store.create('pods', pod('a'));
    expect(quiet).toHaveBeenCalledOnce();
    quiet.mockRestore();
    expect(seen).toEqual([1]);
  });
});
