import { describe, expect, it } from 'vitest';
import { parseFailoverUri } from './failover-uri.js';
import { parseServerUri } from './server-address.js';

describe('parseFailoverUri', () => {
  it('keeps the written server order and maps ActiveMQ option names', () => {
    const parsed = parseFailoverUri(
      'failover:(stomp://a:61613,stomp+ssl://b:61612)?randomize=false&initialReconnectDelay=10&maxReconnectDelay=500&timeout=3000',
    );
    expect(parsed.servers).toEqual([
      { host: 'a', port: 61613, tls: false },
      { host: 'b', port: 61612, tls: true },
    ]);
    expect(parsed.options).toEqual({
      randomize: false,
      initialReconnectDelayMs: 10,
      maxReconnectDelayMs: 500,
      sendTimeoutMs: 3000,
    });
  });

  it('takes OpenWire servers (tcp://, ssl://) with the same options', () => {
    const parsed = parseFailoverUri(
      'failover:(tcp://a:61616,ssl://b)?randomize=false&initialReconnectDelay=10&maxReconnectDelay=100',
    );
    expect(parsed.servers).toEqual([
      { host: 'a', port: 61616, tls: false, protocol: 'openwire' },
      { host: 'b', port: 61617, tls: true, protocol: 'openwire' },
    ]);
    expect(parsed.options).toEqual({
      randomize: false,
      initialReconnectDelayMs: 10,
      maxReconnectDelayMs: 100,
    });
  });

  it('accepts the form without parentheses and default ports', () => {
    expect(parseFailoverUri('failover:stomp://a,stomp+ssl://[::1]').servers).toEqual([
      { host: 'a', port: 61613, tls: false },
      { host: '::1', port: 61612, tls: true },
    ]);
  });

  it('turns useExponentialBackOff=false into a constant delay, whatever the option order', () => {
    expect(
      parseFailoverUri('failover:(stomp://a)?useExponentialBackOff=false&backOffMultiplier=3')
        .options,
    ).toEqual({ backOffMultiplier: 1 });
    expect(parseFailoverUri('failover:(stomp://a)?timeout=-1').options).toEqual({
      sendTimeoutMs: 0,
    });
  });

  it.each([
    ['stomp://a:61613', /not a failover URI/],
    ['failover:()', /lists no servers/],
    ['failover:(stomp://a)?randomise=true', /randomise: unknown failover option/],
    ['failover:(stomp://a)?randomize=yes', /must be true or false/],
    ['failover:(stomp://a)?initialReconnectDelay=-5', /must be an integer >= 0/],
    ['failover:(stomp://a)?backOffMultiplier=0.5', /must be a number >= 1/],
    ['failover:(http://a:80)', /unknown scheme "http"/],
    ['failover:(stomp://a:99999)', /port must be 1..65535/],
    ['failover:(stomp://a:61613?x=1)', /not a failover URI|per-server options/],
  ])('rejects %s', (uri, message) => {
    expect(() => parseFailoverUri(uri)).toThrow(message);
    try {
      parseFailoverUri(uri);
    } catch (error) {
      expect(error).toMatchObject({ code: 'INVALID_URI', name: 'InvalidOptionError' });
    }
  });
});

describe('parseServerUri', () => {
  it('parses schemes, IPv6 and rejects per-server options', () => {
    expect(parseServerUri('tcp://10.0.0.1:61616')).toEqual({
      host: '10.0.0.1',
      port: 61616,
      tls: false,
      protocol: 'openwire',
    });
    expect(parseServerUri('ssl://b')).toEqual({
      host: 'b',
      port: 61617,
      tls: true,
      protocol: 'openwire',
    });
    expect(() => parseServerUri('auto://10.0.0.1:61616')).toThrow(
      /broker connector transport.*tcp:\/\/10\.0\.0\.1:61616/,
    );
    expect(parseServerUri('stomp://10.0.0.1:1234')).toEqual({
      host: '10.0.0.1',
      port: 1234,
      tls: false,
    });
    expect(parseServerUri('stomp+nio+ssl://[fe80::1]:9')).toEqual({
      host: 'fe80::1',
      port: 9,
      tls: true,
    });
    expect(() => parseServerUri('stomp://a:1?trace=true')).toThrow(/per-server options/);
    expect(() => parseServerUri('a:61613')).toThrow(/not a server URI/);
  });
});
