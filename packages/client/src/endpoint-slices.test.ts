import { describe, expect, it } from 'vitest';
import { chooseEndpoint, type EndpointSliceLike, readyEndpoints } from './endpoint-slices.js';

const slice = (
  endpoints: { ip: string; ready?: boolean; terminating?: boolean; pod?: string }[],
  ports: { name?: string; port: number }[] = [
    { name: 'stomp', port: 61613 },
    { name: 'openwire', port: 61616 },
  ],
): EndpointSliceLike => ({
  addressType: 'IPv4',
  ports,
  endpoints: endpoints.map((e) => ({
    addresses: [e.ip],
    conditions: { ready: e.ready, terminating: e.terminating },
    ...(e.pod ? { targetRef: { name: e.pod } } : {}),
  })),
});

describe('readyEndpoints', () => {
  it('takes ready (or unset) endpoints with the named port, across slices, sorted', () => {
    const ready = readyEndpoints(
      [
        slice([
          { ip: '10.0.0.9', pod: 'amq-1' },
          { ip: '10.0.0.5', ready: false },
        ]),
        slice([
          { ip: '10.0.0.2', ready: true },
          { ip: '10.0.0.3', terminating: true },
        ]),
      ],
      'stomp',
    );
    expect(ready).toEqual([
      { address: '10.0.0.2', port: 61613, portName: 'stomp' },
      { address: '10.0.0.9', port: 61613, portName: 'stomp', pod: 'amq-1' },
    ]);
  });

  it('matches a port by (target port) number, keeping its name, and skips slices without it', () => {
    expect(readyEndpoints([slice([{ ip: '1.1.1.1' }])], 61616)).toEqual([
      { address: '1.1.1.1', port: 61616, portName: 'openwire' },
    ]);
    expect(readyEndpoints([slice([{ ip: '1.1.1.1' }], [{ port: 61613 }])], 61613)).toEqual([
      { address: '1.1.1.1', port: 61613, portName: '' },
    ]);
    expect(readyEndpoints([slice([{ ip: '1.1.1.1' }])], 'amqp')).toEqual([]);
    expect(readyEndpoints([{ endpoints: null, ports: null }], 'stomp')).toEqual([]);
  });
});

describe('chooseEndpoint', () => {
  const a = { address: '10.0.0.1', port: 61613, portName: 'stomp' };
  const b = { address: '10.0.0.2', port: 61613, portName: 'stomp' };
  it('stays on the current endpoint while it is ready, else takes the first', () => {
    expect(chooseEndpoint([a, b], b)).toBe(b);
    expect(chooseEndpoint([a], b)).toBe(a);
    expect(chooseEndpoint([], b)).toBeUndefined();
    expect(chooseEndpoint([b, a], undefined)).toBe(b);
  });
});
