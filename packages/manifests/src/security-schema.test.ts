import { describe, expect, it } from 'vitest';
import { renderBrokerConfig } from './broker/broker-config.js';
import { ManifestsError } from './errors.js';
import { deployment } from './objects/deployment.js';
import { groupNames } from './objects/manifest.js';
import type { BaseOptions } from './options.js';
import { resolveBaseOptions } from './resolve-options.js';

const STORE = { storage: { storageClassName: 'nfs-csi' } } as const;

function problems(o: Omit<BaseOptions, 'storage'>): string[] {
  try {
    resolveBaseOptions({ ...STORE, ...o });
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestsError);
    return (error as ManifestsError).problems.map((p) => `${p.field}: ${p.message}`);
  }
  return [];
}

describe('TLS and authorization options', () => {
  it('refuses TLS settings without a TLS protocol, and the obsolete agent.leases', () => {
    expect(problems({ tls: { secretName: 'mq-cert' } })).toEqual([
      expect.stringMatching(/^tls: is set but no TLS protocol is listed: add openwire-tls/),
    ]);
    expect(problems({ agent: { leases: true } as never })).toEqual([
      expect.stringMatching(/^agent\.leases: is obsolete: the agent always keeps the group Lease/),
    ]);
  });

  it('refuses a rule naming a group no user has, both or neither destination, colliding users', () => {
    expect(
      problems({
        security: {
          users: [
            { username: 'shop.eu', groups: ['shop'] },
            { username: 'shop_eu', groups: ['shop'] },
          ],
          authorization: [{ queue: 'orders.>', write: ['shopp'] }, { read: ['shop'] }],
        },
      }),
    ).toEqual([
      'security.authorization[1]: names exactly one of queue and topic',
      expect.stringMatching(/^security\.users\[1\]\.username: collides with "shop\.eu"/),
      expect.stringMatching(/^security\.authorization\[0\]\.write\[0\]: group "shopp" has no user/),
    ]);
  });

  it('renders the keystore, the TLS connectors, the users and their rules', () => {
    const options = resolveBaseOptions({
      ...STORE,
      protocols: ['openwire', 'stomp-tls'],
      tls: { passwordSecret: { name: 'mq-keystore', key: 'pw' } },
      security: {
        users: [{ username: 'shop', groups: ['shop'] }],
        authorization: [{ queue: 'orders.>', write: ['shop'], read: ['users'] }],
      },
    });
    const xml = renderBrokerConfig(options)['activemq.xml'] as string;
    expect(xml).toContain(
      '<sslContext keyStore="file:/etc/activemq-ha/tls/keystore.p12" keyStorePassword="${ACTIVEMQ_HA_KEYSTORE_PASSWORD}"',
    );
    expect(xml).toContain('uri="stomp+ssl://0.0.0.0:61612?');
    expect(xml).toContain(
      '<authenticationUser username="shop" password="${ACTIVEMQ_PASSWORD_SHOP}" groups="shop"/>',
    );
    expect(xml).toContain('<authorizationEntry queue="orders.&gt;" read="users" write="shop"/>');
    expect(xml).toContain(
      '<authorizationEntry topic="ActiveMQ.Advisory.&gt;" read="users,shop" write="users,shop" admin="users,shop"/>',
    );

    const pod = (
      deployment(groupNames('activemq'), options).object as never as {
        spec: { template: { spec: { containers: Record<string, unknown>[]; volumes: unknown[] } } };
      }
    ).spec.template.spec;
    const [broker, agent] = pod.containers as [
      { env: { name: string; valueFrom?: unknown }[] },
      { args: string[] },
    ];
    expect(broker.env).toContainEqual({
      name: 'ACTIVEMQ_HA_KEYSTORE_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'mq-keystore', key: 'pw' } },
    });
    expect(broker.env).toContainEqual({
      name: 'ACTIVEMQ_PASSWORD_SHOP',
      valueFrom: { secretKeyRef: { name: 'activemq-credentials', key: 'ACTIVEMQ_PASSWORD_SHOP' } },
    });
    expect(pod.volumes).toContainEqual({
      name: 'tls',
      secret: {
        secretName: 'activemq-tls',
        items: [{ key: 'keystore.p12', path: 'keystore.p12' }],
        defaultMode: 0o440,
      },
    });
    // The agent probes the TLS connector.
    expect(agent.args).toEqual(
      expect.arrayContaining(['--probe=stomp', '--stomp-port=61612', '--probe-tls=true']),
    );
  });
});
