import { describe, expect, it } from 'vitest';
import { planDelete } from './graceful-deletion.js';
import { buildPod } from './test-objects.js';
import type { KubeObject } from './types.js';

const now = new Date('2026-01-01T00:00:00.750Z');
const pod = (patch: { spec?: object; status?: object; metadata?: object } = {}): KubeObject => {
  const p = buildPod({ name: 'amq-0' }, 'default');
  return {
    ...p,
    metadata: { ...p.metadata, ...patch.metadata },
    spec: { ...p.spec, terminationGracePeriodSeconds: 30, ...patch.spec },
    status: { ...p.status, ...patch.status },
  };
};

describe('planDelete (BeforeDelete + podStrategy.CheckGracefulDelete)', () => {
  it('deletes other resources at once', () => {
    expect(planDelete('services', pod(), {}, now)).toEqual({ kind: 'now' });
  });

  it('marks a scheduled pod with now + its terminationGracePeriodSeconds, in whole seconds', () => {
    expect(planDelete('pods', pod(), {}, now)).toEqual({
      kind: 'graceful',
      gracePeriodSeconds: 30,
      deletionTimestamp: '2026-01-01T00:00:30Z',
    });
  });

  it('takes the requested period, 1 s for a negative one, 0 for unscheduled or finished pods', () => {
    expect(planDelete('pods', pod(), { gracePeriodSeconds: 5 }, now)).toMatchObject({
      gracePeriodSeconds: 5,
    });
    expect(planDelete('pods', pod(), { gracePeriodSeconds: -3 }, now)).toMatchObject({
      gracePeriodSeconds: 1,
    });
    expect(planDelete('pods', pod({ spec: { nodeName: '' } }), {}, now)).toMatchObject({
      kind: 'graceful',
      gracePeriodSeconds: 0,
    });
    expect(planDelete('pods', pod({ status: { phase: 'Succeeded' } }), {}, now)).toMatchObject({
      gracePeriodSeconds: 0,
    });
  });

  it('only shortens a deletion under way, moving the deadline with it', () => {
    const terminating = pod({
      metadata: { deletionTimestamp: '2026-01-01T00:00:30Z', deletionGracePeriodSeconds: 30 },
    });
    expect(planDelete('pods', terminating, {}, now)).toEqual({ kind: 'pending' });
    expect(planDelete('pods', terminating, { gracePeriodSeconds: 60 }, now)).toEqual({
      kind: 'pending',
    });
    expect(planDelete('pods', terminating, { gracePeriodSeconds: 0 }, now)).toEqual({
      kind: 'graceful',
      gracePeriodSeconds: 0,
      deletionTimestamp: '2026-01-01T00:00:00Z',
    });
    const atZero = pod({
      metadata: { deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 0 },
    });
    expect(planDelete('pods', atZero, {}, now)).toEqual({ kind: 'now' });
  });
});
