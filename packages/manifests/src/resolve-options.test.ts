import { describe, expect, it } from 'vitest';
import { ManifestsError } from './errors.js';
import type { BaseOptions, OverlayOptions } from './options.js';
import { resolveBaseOptions, resolveOverlayOptions } from './resolve-options.js';

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestsError);
    expect((error as ManifestsError).code).toBe('INVALID_OPTION');
    expect(
      (error as ManifestsError).message.startsWith(`${(error as ManifestsError).field}: `),
    ).toBe(true);
    return (error as ManifestsError).field;
  }
  throw new Error('expected a ManifestsError');
}

const base = (o: unknown) => fieldOf(() => resolveBaseOptions(o as BaseOptions));

describe('resolveBaseOptions', () => {
  it('fills every default', () => {
    const o = resolveBaseOptions();
    expect(o).toMatchObject({
      name: 'activemq',
      replicas: 2,
      protocols: ['openwire', 'stomp'],
      antiAffinity: 'preferred',
      broker: {
        image: 'apache/activemq-classic',
        version: '6.2.10',
        allowUnsupported: false,
        lockAcquireSleepIntervalMs: 1000,
        lockKeepAlivePeriodMs: 500,
      },
      agent: { image: 'ghcr.io/activemq-ha/agent', httpPort: 8080, leases: false },
      service: { type: 'ClusterIP', exposeConsole: false },
      console: { enabled: true, port: 8161 },
      storage: { size: '10Gi' },
      networkPolicy: { enabled: false, clientSelector: { 'activemq-ha.io/client': 'true' } },
    });
    expect(o.storage.nfs).toBeUndefined();
  });

  it('accepts an unsupported broker line only when allowed', () => {
    for (const broker of [
      { version: '5.18.6', allowUnsupported: true },
      { version: '5.19.7' },
      { version: '6.3.1' },
    ]) {
      expect(resolveBaseOptions({ broker }).broker.version).toBe(broker.version);
    }
  });

  it('defaults NFS to NFSv4.1 hard mounts', () => {
    const o = resolveBaseOptions({ storage: { nfs: { server: 'nfs', path: '/x' } } });
    expect(o.storage.nfs?.mountOptions).toEqual([
      'nfsvers=4.1',
      'hard',
      'timeo=600',
      'retrans=2',
      'noresvport',
    ]);
  });

  it('names the field of each bad option', () => {
    expect(base({ replicas: 0 })).toBe('replicas');
    expect(base({ replicas: 1.5 })).toBe('replicas');
    expect(base({ storage: { nfs: { server: '', path: '/x' } } })).toBe('storage.nfs.server');
    expect(base({ storage: { nfs: { server: 'nfs', path: 'relative' } } })).toBe(
      'storage.nfs.path',
    );
    expect(base({ protocols: ['openwire', 'smtp'] })).toBe('protocols[1]');
    expect(base({ protocols: ['amqp'] })).toBe('protocols');
    expect(base({ protocols: ['stomp', 'stomp'] })).toBe('protocols');
    expect(base({ name: 'Upper' })).toBe('name');
    expect(base({ name: '1starts-with-digit' })).toBe('name');
    expect(base({ name: 'a'.repeat(64) })).toBe('name');
    expect(base({ name: 'trailing-' })).toBe('name');
    expect(base({ storage: { storageClassName: 'Bad_Class' } })).toBe('storage.storageClassName');
    expect(base({ broker: { lockAcquireSleepIntervalMs: 500, lockKeepAlivePeriodMs: 500 } })).toBe(
      'broker.lockKeepAlivePeriodMs',
    );
    expect(base({ broker: { lockKeepAlivePeriodMs: 0 } })).toBe('broker.lockKeepAlivePeriodMs');
    expect(base({ broker: { version: 'has space' } })).toBe('broker.version');
    expect(base({ broker: { version: 'latest' } })).toBe('broker.version');
    expect(base({ broker: { version: '7.0.0' } })).toBe('broker.version');
    expect(base({ broker: { version: '5.18.6' } })).toBe('broker.version');
    expect(base({ broker: { imageDigest: 'sha256:abc' } })).toBe('broker.imageDigest');
    expect(base({ agent: { imageDigest: 'md5:0' } })).toBe('agent.imageDigest');
    expect(base({ broker: { image: 'repo:tag' } })).toBe('broker.image');
    expect(base({ service: { loadBalancerIP: '10.0.0.1' } })).toBe('service.loadBalancerIP');
    expect(base({ service: { type: 'NodePort' } })).toBe('service.type');
    expect(base({ service: { exposeConsole: true }, console: { enabled: false } })).toBe(
      'service.exposeConsole',
    );
    expect(base({ storage: { storageClassName: 'x', nfs: { server: 'n', path: '/p' } } })).toBe(
      'storage.storageClassName',
    );
    expect(base({ agent: { httpPort: 61616 } })).toBe('agent.httpPort');
    expect(base({ networkPolicy: { clientSelector: { 'bad key!': 'x' } } })).toBe(
      'networkPolicy.clientSelector.bad key!',
    );
    expect(base({ replica: 2 })).toBe('(options)');
  });

  it('refuses lock-breaking NFS mount options unless forced', () => {
    const nfs = (mountOptions: string[], force?: boolean) =>
      base({
        storage: {
          nfs: {
            server: 'nfs',
            path: '/x',
            mountOptions,
            ...(force === undefined ? {} : { force }),
          },
        },
      });
    expect(nfs(['hard', 'vers=3'])).toBe('storage.nfs.mountOptions[1]');
    expect(nfs(['nfsvers=3'])).toBe('storage.nfs.mountOptions[0]');
    expect(nfs(['nolock'])).toBe('storage.nfs.mountOptions[0]');
    expect(() =>
      resolveBaseOptions({
        storage: { nfs: { server: 'n', path: '/x', mountOptions: ['nfsvers=3'], force: true } },
      }),
    ).not.toThrow();
    expect(() =>
      resolveBaseOptions({
        storage: { nfs: { server: 'n', path: '/x', mountOptions: ['nfsvers=4.2'] } },
      }),
    ).not.toThrow();
  });
});

describe('resolveOverlayOptions', () => {
  const overlay = (o: unknown) => fieldOf(() => resolveOverlayOptions(o as OverlayOptions));
  const good = { brokerPassword: 'correct-horse-battery', consolePassword: 'staple-staple-staple' };

  it('has no default password', () => {
    expect(overlay({})).toBe('credentials');
    expect(overlay({ credentials: {} })).toBe('credentials.brokerPassword');
    expect(overlay({ credentials: { brokerPassword: good.brokerPassword } })).toBe(
      'credentials.consolePassword',
    );
    expect(
      resolveOverlayOptions({
        console: { enabled: false },
        credentials: { brokerPassword: good.brokerPassword },
      }).credentials.consolePassword,
    ).toBeUndefined();
  });

  it('refuses weak or unsafe passwords and bad names', () => {
    expect(overlay({ credentials: { ...good, brokerPassword: 'short' } })).toBe(
      'credentials.brokerPassword',
    );
    expect(overlay({ credentials: { ...good, consolePassword: 'has,comma-and-more' } })).toBe(
      'credentials.consolePassword',
    );
    expect(overlay({ credentials: { ...good, brokerPassword: `has-\${placeholder}` } })).toBe(
      'credentials.brokerPassword',
    );
    expect(overlay({ namespace: 'Prod', credentials: good })).toBe('namespace');
    expect(overlay({ basePath: '/abs', credentials: good })).toBe('basePath');
    expect(overlay({ credentials: { ...good, consoleUsername: 'a:b' } })).toBe(
      'credentials.consoleUsername',
    );
  });
});
