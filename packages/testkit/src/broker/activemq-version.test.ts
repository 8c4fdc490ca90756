import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEBIAN_ACTIVEMQ_HOME,
  DEFAULT_TEST_ACTIVEMQ_VERSION,
  resolveActivemqHome,
} from './activemq-version.js';

const cache = '/cache/activemq';
const env = { ACTIVEMQ_HA_CACHE: '/cache', HOME: '/home/x' };
const installed =
  (...homes: string[]) =>
  (home: string) =>
    homes.includes(home);

describe('resolveActivemqHome', () => {
  it('an explicit home wins over ACTIVEMQ_HOME and every version', () => {
    const r = resolveActivemqHome({
      home: '/opt/amq',
      version: '6.1.8',
      env: { ...env, ACTIVEMQ_HOME: '/elsewhere', ACTIVEMQ_VERSION: '5.18.3' },
      isInstalled: installed(),
    });
    expect(r).toEqual({ home: '/opt/amq', version: 'ACTIVEMQ_HOME' });
  });

  it('ACTIVEMQ_HOME wins over versions', () => {
    const r = resolveActivemqHome({
      version: '6.1.8',
      env: { ...env, ACTIVEMQ_HOME: '/elsewhere' },
      isInstalled: installed(),
    });
    expect(r.home).toBe('/elsewhere');
  });

  it('maps a version to its directory in the cache, the option before ACTIVEMQ_VERSION', () => {
    const isInstalled = installed(join(cache, '5.18.3'), join(cache, '6.1.8'));
    expect(resolveActivemqHome({ version: '5.18.3', env, isInstalled })).toEqual({
      home: join(cache, '5.18.3'),
      version: '5.18.3',
    });
    expect(
      resolveActivemqHome({ env: { ...env, ACTIVEMQ_VERSION: '6.1.8' }, isInstalled }).home,
    ).toBe(join(cache, '6.1.8'));
  });

  it('the cache defaults to ~/.cache/activemq-ha', () => {
    const r = resolveActivemqHome({
      version: '5.18.3',
      env: { HOME: '/home/x' },
      isInstalled: installed('/home/x/.cache/activemq-ha/activemq/5.18.3'),
    });
    expect(r.home).toBe('/home/x/.cache/activemq-ha/activemq/5.18.3');
  });

  it('debian and 5.17.2 name the Debian package', () => {
    for (const version of ['debian', '5.17.2']) {
      expect(resolveActivemqHome({ version, env, isInstalled: installed() })).toEqual({
        home: DEBIAN_ACTIVEMQ_HOME,
        version: 'debian',
      });
    }
  });

  it('the default version falls back to Debian when not fetched, and says so', () => {
    const r = resolveActivemqHome({ env, isInstalled: installed(DEBIAN_ACTIVEMQ_HOME) });
    expect(r.home).toBe(DEBIAN_ACTIVEMQ_HOME);
    expect(r.fallback).toContain(`ActiveMQ ${DEFAULT_TEST_ACTIVEMQ_VERSION} is not in`);
  });

  it('a version asked for by name that is not fetched is an error saying how to fetch it', () => {
    expect(() =>
      resolveActivemqHome({ version: '5.19.7', env, isInstalled: installed(DEBIAN_ACTIVEMQ_HOME) }),
    ).toThrow(
      expect.objectContaining({
        code: 'ACTIVEMQ_NOT_FOUND',
        message: expect.stringContaining('sh scripts/setup-brokers.sh 5.19.7'),
      }),
    );
  });

  it('rejects names that are not releases', () => {
    for (const version of ['latest', '6.2', '../6.1.8']) {
      expect(() => resolveActivemqHome({ version, env, isInstalled: installed() })).toThrow(
        expect.objectContaining({ code: 'INVALID_OPTION' }),
      );
    }
  });
});
