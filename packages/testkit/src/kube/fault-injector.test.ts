// Which request an injected fault hits, and what it turns into: the matching is what fault tests
// rely on to break exactly the call they mean (the agent's label PATCH, not its pod watch).
import { describe, expect, it } from 'vitest';
import { FaultInjector } from './fault-injector.js';
import { parseRequestInfo } from './request-info.js';

const req = (method: string, path: string) =>
  parseRequestInfo(method, new URL(path, 'https://emulator'));
const getPod = req('GET', '/api/v1/namespaces/default/pods/amq-0');
const patchStatus = req('PATCH', '/api/v1/namespaces/default/pods/amq-0/status');
const watchPods = req('GET', '/api/v1/namespaces/default/pods?watch=true');
const getLease = req('GET', '/apis/coordination.k8s.io/v1/namespaces/other/leases/amq');

describe('FaultInjector', () => {
  it('matches on every field given: verb, resource (and resource/subresource), name, namespace', () => {
    const f = new FaultInjector();
    f.failNext(1, { status: 500, verb: 'patch', resource: 'pods/status' });
    expect(f.take(getPod)).toBeUndefined();
    expect(f.take(watchPods)).toBeUndefined();
    expect(f.take(patchStatus)?.kind).toBe('respond');
    expect(f.take(patchStatus)).toBeUndefined();

    // `pods` also matches its subresources.
    f.failNext(2, { status: 503, resource: 'pods' });
    expect(f.take(patchStatus)?.kind).toBe('respond');
    expect(f.take(watchPods)?.kind).toBe('respond');
    expect(f.pendingFailures).toBe(0);

    f.failNext(1, { status: 500, namespace: 'other', name: 'amq' });
    expect(f.take(getPod)).toBeUndefined();
    expect(f.take(getLease)?.kind).toBe('respond');

    f.failNext(1, { status: 500, method: 'patch' });
    expect(f.take(getPod)).toBeUndefined();
    expect(f.take(patchStatus)?.kind).toBe('respond');
  });

  it('counts down each failNext on its own and serves them in the order they were queued', () => {
    const f = new FaultInjector();
    f.failNext(2, { status: 429, verb: 'get' });
    f.failNext(1, { status: 'reset' });
    expect(f.pendingFailures).toBe(3);
    expect(f.take(watchPods)).toEqual({ kind: 'reset' }); // the get-only entry does not match
    const first = f.take(getPod);
    expect(first?.kind === 'respond' && first.error.httpStatus).toBe(429);
    expect(f.take(getPod)?.kind).toBe('respond');
    expect(f.take(getPod)).toBeUndefined();
    f.failNext(0, { status: 500 });
    expect(f.pendingFailures).toBe(0);
  });

  it('answers as the apiserver would: APF 429 as text with Retry-After, others as a Status', () => {
    const f = new FaultInjector();
    f.failNext(1, { status: 429, retryAfterSeconds: 3 });
    f.failNext(1, { status: 503 });
    f.failNext(1, { status: 504, body: 'text' });
    f.failNext(1, { status: 418, message: 'teapot' });
    const [apf, unavailable, timeout, other] = [1, 2, 3, 4].map(() => f.take(getPod));
    if (apf?.kind !== 'respond' || unavailable?.kind !== 'respond') throw new Error('no answer');
    if (timeout?.kind !== 'respond' || other?.kind !== 'respond') throw new Error('no answer');
    expect(apf.text).toBe(true);
    expect(apf.error.headers['Retry-After']).toBe('3');
    expect(apf.error.status).toMatchObject({ code: 429, reason: 'TooManyRequests' });
    expect(unavailable.text).toBe(false);
    expect(unavailable.error.headers['Retry-After']).toBe('1');
    expect(unavailable.error.status).toMatchObject({ code: 503, reason: 'ServiceUnavailable' });
    expect(timeout.text).toBe(true);
    expect(timeout.error.status).toMatchObject({ code: 504, reason: 'Timeout' });
    expect(other.error.status).toMatchObject({ code: 418, message: 'teapot' });
  });

  it('transport faults carry no answer', () => {
    const f = new FaultInjector();
    for (const status of ['reset', 'rst-stream', 'goaway'] as const) f.failNext(1, { status });
    expect([f.take(getPod), f.take(getPod), f.take(getPod)]).toEqual([
      { kind: 'reset' },
      { kind: 'rst-stream' },
      { kind: 'goaway' },
    ]);
  });

  it('delays only matching requests; 0 and clear() remove the delay and the queue', () => {
    const f = new FaultInjector();
    f.setLatency(250, { resource: 'leases' });
    expect(f.latencyFor(getLease)).toBe(250);
    expect(f.latencyFor(getPod)).toBe(0);
    f.setLatency(0);
    expect(f.latencyFor(getLease)).toBe(0);
    f.setLatency(100);
    f.failNext(5, { status: 500 });
    f.clear();
    expect(f.latencyFor(getPod)).toBe(0);
    expect(f.take(getPod)).toBeUndefined();
  });
});
