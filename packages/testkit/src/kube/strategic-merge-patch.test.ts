import { describe, expect, it } from 'vitest';
import { applyMergePatch } from './merge-patch.js';
import { applyStrategicMergePatch } from './strategic-merge-patch.js';

const pod = {
  metadata: { labels: { app: 'amq', leader: 'no' }, finalizers: ['a'] },
  spec: {
    containers: [
      { name: 'broker', image: 'amq:1', ports: [{ containerPort: 61613, name: 'stomp' }] },
      { name: 'agent', image: 'agent:1' },
    ],
    tolerations: [{ key: 'x' }],
  },
  status: {
    conditions: [
      { type: 'Ready', status: 'True' },
      { type: 'Initialized', status: 'True' },
    ],
  },
};

describe('merge patch (RFC 7386)', () => {
  it('merges maps, deletes with null, replaces lists', () => {
    expect(
      applyMergePatch(pod.metadata, { labels: { leader: 'yes', app: null }, finalizers: ['b'] }),
    ).toEqual({
      labels: { leader: 'yes' },
      finalizers: ['b'],
    });
  });
});

describe('strategic merge patch', () => {
  it('merges containers by name and pod conditions by type', () => {
    const out = applyStrategicMergePatch('pods', pod, {
      spec: { containers: [{ name: 'agent', image: 'agent:2' }] },
      status: { conditions: [{ type: 'Ready', status: 'False' }] },
    }) as typeof pod;
    expect(out.spec.containers.map((c) => c.image)).toEqual(['amq:1', 'agent:2']);
    expect(out.status.conditions).toEqual([
      { type: 'Ready', status: 'False' },
      { type: 'Initialized', status: 'True' },
    ]);
  });

  it('replaces lists without a merge key, unions primitive merge lists, honours $patch directives', () => {
    const out = applyStrategicMergePatch('pods', pod, {
      metadata: { finalizers: ['b'], labels: { leader: null } },
      spec: {
        tolerations: [{ key: 'y' }],
        containers: [{ name: 'agent', $patch: 'delete' }],
      },
    }) as typeof pod;
    expect(out.metadata).toEqual({ labels: { app: 'amq' }, finalizers: ['a', 'b'] });
    expect(out.spec.tolerations).toEqual([{ key: 'y' }]);
    expect(out.spec.containers.map((c) => c.name)).toEqual(['broker']);
    const replaced = applyStrategicMergePatch('pods', pod, {
      metadata: { labels: { $patch: 'replace', only: 'this' } },
    }) as typeof pod;
    expect(replaced.metadata.labels).toEqual({ only: 'this' });
  });

  it('deletes from primitive lists and ignores $setElementOrder', () => {
    const out = applyStrategicMergePatch('pods', pod, {
      metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] },
      spec: { '$setElementOrder/containers': [{ name: 'agent' }, { name: 'broker' }] },
    }) as typeof pod;
    expect(out.metadata.finalizers).toEqual([]);
    expect(out.spec.containers).toHaveLength(2);
  });
});
