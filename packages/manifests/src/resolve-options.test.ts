import { describe, expect, it } from 'vitest';
import { ManifestsError } from './errors.js';
import type { BaseOptions, OverlayOptions } from './options.js';
import { resolveBaseOptions, resolveOverlayOptions } from './resolve-options.js';

/** Every base needs a storage choice; the tests that are not about storage use this one. */
const STORE = { storage: { storageClassName: 'nfs-csi' } } as const;

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

const base = (o: unknown) =>
  fieldOf(() => resolveBaseOptions({ ...STORE, ...(o as object) } as BaseOptions));

describe('resolveBaseOptions', () => {
  it('fills every default', () => {
    const o = resolveBaseOptions(STORE);
    expect(o).toMatchObject({
      name: 'activemq',
      replicas: 2,
      protocols: ['openwire', 'stomp'],
      antiAffinity: 'preferred',
      broker: {
        image: 'apache/activemq-classic',
        version: '6.2.10',
        allowUnsupported: false,
        takeover: 'fast',
        lockAcquireSleepIntervalMs: 100,
        lockKeepAlivePeriodMs: 50,
        checkpointIntervalMs: 250,
      },
      agent: { image: 'ghcr.io/activemq-ha/agent', httpPort: 8080 },
      service: { type: 'ClusterIP', exposeConsole: false },
      console: { enabled: true, port: 8161 },
      storage: { size: '10Gi', tempSize: '1Gi', storageClassName: 'nfs-csi' },
      networkPolicy: { enabled: true, clientSelector: { 'activemq-ha.io/client': 'true' } },
    });
    expect(o.storage.nfs).toBeUndefined();
  });

  it('requires a storage choice, naming both', () => {
    expect(() => resolveBaseOptions({} as BaseOptions)).toThrow(
      /storage: choose .*storage\.nfs.*storage\.storageClassName/,
    );
    expect(base({ storage: { size: '10Gi' } })).toBe('storage');
  });

  it('sizes resources field by field and refuses inconsistent ones', () => {
    const o = resolveBaseOptions({
      ...STORE,
      broker: { resources: { limits: { memory: '2Gi' } } },
    });
    expect(o.broker.resources).toEqual({
      requests: { cpu: '250m', memory: '2Gi' },
      limits: { memory: '2Gi' },
    });
    expect(resolveBaseOptions(STORE).agent.resources.requests.memory).toBe('96Mi');
    expect(base({ broker: { resources: { requests: { memory: '2Gi' } } } })).toBe(
      'broker.resources.requests.memory',
    );
    expect(base({ broker: { resources: { limits: { memory: '512Mi' } } } })).toBe(
      'broker.resources.limits.memory',
    );
    expect(() => resolveBaseOptions({ ...STORE, broker: { javaOptions: '-Xmx2g' } })).toThrow(
      /broker\.javaOptions: -Xmx2g leaves 0 MiB of the 1Gi memory limit/,
    );
    expect(base({ agent: { resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } } })).toBe(
      'agent.resources.requests.cpu',
    );
  });

  it('reports every problem in words, not raw validation output', () => {
    try {
      resolveBaseOptions({ ...STORE, replicas: 0, broker: { maxConnections: 'x' } } as never);
      throw new Error('expected a ManifestsError');
    } catch (error) {
      const e = error as ManifestsError;
      expect(e.problems.map((p) => p.field)).toEqual(['replicas', 'broker.maxConnections']);
      expect(e.message).toBe(
        'replicas: must be at least 1\nbroker.maxConnections: must be a number',
      );
      expect(e.message).not.toMatch(/Too small|expected|more problem/);
    }
  });

  it('refuses the deprecated loadBalancerIP with guidance, and LoadBalancers the policy would cut off', () => {
    expect(() =>
      resolveBaseOptions({
        ...STORE,
        service: { type: 'LoadBalancer', loadBalancerIP: '1.2.3.4' },
      } as never),
    ).toThrow(/loadBalancerIP: is deprecated.*annotation.*loadBalancerClass/);
    expect(base({ service: { type: 'LoadBalancer' } })).toBe('networkPolicy.externalCidrs');
    expect(() =>
      resolveBaseOptions({
        ...STORE,
        service: { type: 'LoadBalancer', loadBalancerClass: 'example.com/lb' },
        networkPolicy: { externalCidrs: ['203.0.113.0/24'] },
      }),
    ).not.toThrow();
  });

  it('accepts an unsupported broker line only when allowed', () => {
    for (const broker of [
      { version: '5.18.6', allowUnsupported: true },
      { version: '5.19.7' },
      { version: '6.3.1' },
    ]) {
      expect(resolveBaseOptions({ ...STORE, broker }).broker.version).toBe(broker.version);
    }
  });

  it('defaults NFS to NFSv4.1 hard mounts', () => {
    const o = resolveBaseOptions({ ...STORE, storage: { nfs: { server: 'nfs', path: '/x' } } });
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
    expect(base({ broker: { takeover: 'gentle', lockAcquireSleepIntervalMs: 200 } })).toBe(
      'broker.lockKeepAlivePeriodMs',
    );
    expect(base({ broker: { lockAcquireSleepIntervalMs: 500, lockKeepAlivePeriodMs: 500 } })).toBe(
      'broker.lockKeepAlivePeriodMs',
    );
    expect(base({ broker: { lockKeepAlivePeriodMs: 0 } })).toBe('broker.lockKeepAlivePeriodMs');
    expect(base({ broker: { takeover: 'instant' as 'fast' } })).toBe('broker.takeover');
    expect(base({ broker: { version: 'has space' } })).toBe('broker.version');
    expect(base({ broker: { version: 'latest' } })).toBe('broker.version');
    expect(base({ broker: { version: '7.0.0' } })).toBe('broker.version');
    expect(base({ broker: { version: '5.18.6' } })).toBe('broker.version');
    expect(base({ broker: { imageDigest: 'sha256:abc' } })).toBe('broker.imageDigest');
    expect(base({ agent: { imageDigest: 'md5:0' } })).toBe('agent.imageDigest');
    expect(base({ broker: { image: 'repo:tag' } })).toBe('broker.image');
    expect(base({ service: { loadBalancerClass: 'x' } })).toBe('service.loadBalancerClass');
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
    expect(nfs(['nfsvers=4.1', 'nolock'])).toBe('storage.nfs.mountOptions[1]');
    // Without a version the client may negotiate NFSv3.
    expect(nfs(['hard'])).toBe('storage.nfs.mountOptions');
    expect(() =>
      resolveBaseOptions({
        ...STORE,
        storage: { nfs: { server: 'n', path: '/x', mountOptions: ['nfsvers=3'], force: true } },
      }),
    ).not.toThrow();
    expect(() =>
      resolveBaseOptions({
        ...STORE,
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

  it('refuses system namespaces, and creating the shared default one', () => {
    for (const ns of ['kube-system', 'kube-public', 'kube-node-lease']) {
      expect(overlay({ namespace: ns, credentials: good, createNamespace: false })).toBe(
        'namespace',
      );
    }
    expect(overlay({ namespace: 'default', credentials: good })).toBe('namespace');
    expect(() =>
      resolveOverlayOptions({ namespace: 'default', createNamespace: false, credentials: good }),
    ).not.toThrow();
  });

  it('takes an existing Secret instead of passwords, but not both', () => {
    expect(resolveOverlayOptions({ credentials: { existingSecret: true } }).credentials).toEqual({
      existingSecret: true,
      brokerUsername: 'app',
      consoleUsername: 'admin',
      userPasswords: {},
    });
    expect(
      overlay({ credentials: { existingSecret: true, brokerPassword: good.brokerPassword } }),
    ).toBe('credentials.brokerPassword');
  });
});
