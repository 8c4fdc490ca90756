import type { ConnectionControl } from '@activemq-ha/openwire';
import { describe, expect, it } from 'vitest';
import { resolveOptions } from './options.js';
import { hintedRound, RECONNECT_HINT_DEFAULTS, readConnectionControl } from './reconnect-hint.js';
import { parseServerUri } from './server-address.js';

const control = (fields: Partial<ConnectionControl>): ConnectionControl => ({
  type: 'ConnectionControl',
  commandId: 1,
  responseRequired: false,
  close: false,
  exit: false,
  faultTolerant: false,
  resume: false,
  suspend: false,
  connectedBrokers: null,
  reconnectTo: null,
  rebalanceConnection: false,
  token: null,
  ...fields,
});
const a = parseServerUri('tcp://a:61616');
const b = parseServerUri('tcp://b:61616');
const secure = parseServerUri('ssl://a:61617');

describe('readConnectionControl', () => {
  it('redirects to reconnectTo, with or without rebalanceConnection (as Java: reconnect(uri) always rebalances)', () => {
    for (const rebalanceConnection of [false, true]) {
      expect(
        readConnectionControl(
          control({ reconnectTo: ' tcp://b:61616 ', rebalanceConnection }),
          a,
          RECONNECT_HINT_DEFAULTS,
        ),
      ).toEqual({ type: 'redirect', servers: [b], why: 'reconnectTo tcp://b:61616', refused: [] });
    }
  });

  it('rebalances to connectedBrokers only when the broker asks to and the first is another broker', () => {
    const list = 'tcp://b:61616,tcp://a:61616';
    expect(
      readConnectionControl(
        control({ connectedBrokers: list, rebalanceConnection: true }),
        a,
        RECONNECT_HINT_DEFAULTS,
      ),
    ).toMatchObject({ type: 'redirect', servers: [b, a] });
    // Already on the first: stay (FailoverTransport: "already connected to first in the list").
    expect(
      readConnectionControl(
        control({ connectedBrokers: 'tcp://a:61616,tcp://b:61616', rebalanceConnection: true }),
        a,
        RECONNECT_HINT_DEFAULTS,
      ).type,
    ).toBe('stay');
    // A list without rebalance is not kept for later failovers.
    expect(
      readConnectionControl(control({ connectedBrokers: list }), a, RECONNECT_HINT_DEFAULTS).type,
    ).toBe('stay');
    // What every manageable connection gets from a broker without cluster updates.
    expect(
      readConnectionControl(control({ connectedBrokers: '' }), a, RECONNECT_HINT_DEFAULTS),
    ).toEqual({ type: 'stay', refused: [] });
  });

  it('stays when reconnectTo names the broker it is on', () => {
    expect(
      readConnectionControl(control({ reconnectTo: 'tcp://a:61616' }), a, RECONNECT_HINT_DEFAULTS),
    ).toEqual({ type: 'stay', refused: [] });
  });

  it('ignores what the options switch off (reconnectSupported / updateURIsSupported false)', () => {
    const off = { reconnectTo: false, connectedBrokers: false };
    expect(readConnectionControl(control({ reconnectTo: 'tcp://b:1' }), a, off).type).toBe('stay');
    expect(
      readConnectionControl(
        control({ connectedBrokers: 'tcp://b:1', rebalanceConnection: true }),
        a,
        off,
      ).type,
    ).toBe('stay');
  });

  it('leaves on close/exit', () => {
    expect(readConnectionControl(control({ close: true }), a, RECONNECT_HINT_DEFAULTS)).toEqual({
      type: 'leave',
      why: 'asked to close',
      refused: [],
    });
    expect(readConnectionControl(control({ exit: true }), a, RECONNECT_HINT_DEFAULTS).type).toBe(
      'leave',
    );
  });

  it.each([
    ['stomp://b:61613', /not an OpenWire address/],
    ['http://b', /unknown scheme/],
    ['tcp://0.0.0.0:61616', /names no host/],
    ['tcp://[::]:61616', /names no host/],
    ['not a uri', /not a server URI/],
  ])('refuses the hint %s and stays', (hint, why) => {
    const decision = readConnectionControl(
      control({ reconnectTo: hint }),
      a,
      RECONNECT_HINT_DEFAULTS,
    );
    expect(decision.type).toBe('stay');
    expect(decision.refused[0]).toMatch(why);
  });

  it('refuses a hint that would drop TLS, and takes one that keeps it', () => {
    const down = readConnectionControl(
      control({ reconnectTo: 'tcp://b:61616' }),
      secure,
      RECONNECT_HINT_DEFAULTS,
    );
    expect(down.type).toBe('stay');
    expect(down.refused[0]).toMatch(/would leave TLS/);
    expect(
      readConnectionControl(
        control({ reconnectTo: 'ssl://b:61617' }),
        secure,
        RECONNECT_HINT_DEFAULTS,
      ),
    ).toMatchObject({ type: 'redirect', servers: [{ host: 'b', port: 61617, tls: true }] });
  });

  it('drops the connector options of a published URI and keeps the usable part of a list', () => {
    const decision = readConnectionControl(
      control({
        connectedBrokers:
          'tcp://b:61616?wireFormat.maxInactivityDuration=0,stomp://c:1,tcp://b:61616',
        rebalanceConnection: true,
      }),
      a,
      RECONNECT_HINT_DEFAULTS,
    );
    expect(decision).toMatchObject({ type: 'redirect', servers: [b] });
    expect(decision.refused).toHaveLength(1);
  });
});

describe('hintedRound', () => {
  it("puts the hinted servers first and discovery's after them, each once", () => {
    const c = parseServerUri('tcp://c:61616');
    expect(hintedRound([b], [a, b, c])).toEqual([b, a, c]);
    expect(hintedRound([], [a, b])).toEqual([a, b]);
    expect(hintedRound([c], [])).toEqual([c]);
  });
});

describe('reconnect hint options', () => {
  it('default to following both hints, take the failover URI names, and let client options win', () => {
    expect(resolveOptions({ discovery: 'tcp://a:61616' }).reconnectHints).toEqual({
      reconnectTo: true,
      connectedBrokers: true,
    });
    const uri = 'failover:(tcp://a:61616)?reconnectSupported=false&updateURIsSupported=false';
    expect(resolveOptions({ discovery: uri }).reconnectHints).toEqual({
      reconnectTo: false,
      connectedBrokers: false,
    });
    expect(
      resolveOptions({ discovery: uri, reconnectHints: { reconnectTo: true } }).reconnectHints,
    ).toEqual({ reconnectTo: true, connectedBrokers: false });
    expect(() =>
      resolveOptions({
        discovery: uri,
        reconnectHints: { rebalance: true } as never,
      }),
    ).toThrow(/reconnectHints\.rebalance: unknown option/);
  });
});
