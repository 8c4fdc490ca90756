import type { V1EndpointSlice } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { routableEndpoints } from './endpoint-slice-routing.js';

const slice = (
  endpoints: V1EndpointSlice['endpoints'],
  ports = [{ name: 'stomp', port: 61613 }],
): V1EndpointSlice => ({
  addressType: 'IPv4',
  endpoints,
  ports,
});

describe('routableEndpoints', () => {
  it('programs ready endpoints and those whose ready is unset, never ready=false', () => {
    const got = routableEndpoints(
      [
        slice([
          { addresses: ['10.0.0.1'], conditions: { ready: true }, targetRef: { name: 'a' } },
          { addresses: ['10.0.0.2'], conditions: { ready: false }, targetRef: { name: 'b' } },
          { addresses: ['10.0.0.3'], targetRef: { name: 'c' } },
        ]),
      ],
      'stomp',
    );
    expect(got.map((e) => e.pod)).toEqual(['a', 'c']);
    expect(got[0]?.port).toBe(61613);
  });

  it('skips slices without the named port', () => {
    expect(
      routableEndpoints(
        [slice([{ addresses: ['10.0.0.1'] }], [{ name: 'openwire', port: 61616 }])],
        'stomp',
      ),
    ).toEqual([]);
  });
});
