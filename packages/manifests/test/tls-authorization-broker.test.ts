import { openwireProbe, stompProbe } from '@activemq-ha/core';
import { resolveBaseOptions } from '@activemq-ha/manifests';
import { createTestCertificate, startBrokerGroup } from '@activemq-ha/testkit';
import { describe, expect, it, onTestFailed } from 'vitest';
import { brokerSecurity } from '../src/broker/broker-config.js';
import { StompPeer } from './helpers/stomp-peer.js';

/**
 * The deployed users, authorization entries and TLS connectors on a real broker: activemq.xml as
 * the manifests render it for these options (only the keystore's path differs: it is in a temp
 * directory here, in the mounted Secret in a pod), passwords from the environment as the
 * credentials Secret provides them.
 */
const PASSWORDS = {
  ACTIVEMQ_USERNAME: 'app',
  ACTIVEMQ_PASSWORD: 'app-pw-0123456789',
  ACTIVEMQ_PASSWORD_SHOP: 'shop-pw-0123456789',
  ACTIVEMQ_PASSWORD_AUDIT: 'audit-pw-0123456789',
  ACTIVEMQ_HA_KEYSTORE_PASSWORD: 'keystore-pw-0123456789',
};

describe('TLS connectors and authorization on a real broker', () => {
  it('serves STOMP and OpenWire over TLS, and refuses a user without write on a queue', async () => {
    const options = resolveBaseOptions({
      storage: { storageClassName: 'nfs-csi' },
      protocols: ['stomp', 'stomp-tls', 'openwire-tls'],
      security: {
        brokerUserGroups: ['admins'],
        users: [
          { username: 'shop', groups: ['shop'] },
          { username: 'audit', groups: ['audit'] },
        ],
        authorization: [
          { queue: 'orders.>', write: ['shop'], read: ['audit'], admin: ['shop', 'audit'] },
        ],
      },
    });
    const security = brokerSecurity(options);
    expect(security.tls).toBeDefined();
    await using cert = await createTestCertificate({
      keystorePassword: PASSWORDS.ACTIVEMQ_HA_KEYSTORE_PASSWORD,
    });
    await using group = await startBrokerGroup({
      size: 1,
      protocols: ['stomp', 'stomp-tls', 'openwire-tls'],
      users: security.users ?? [],
      config: {
        ...(security.authorization ? { authorization: security.authorization } : {}),
        tls: {
          ...(security.tls as NonNullable<typeof security.tls>),
          keyStorePath: cert.keystorePath,
        },
      },
      env: PASSWORDS,
    });
    onTestFailed(group.dumpLogs);
    const { ports } = group.broker('broker-0');
    const tls = { ca: cert.certPem, servername: 'localhost' };

    // What the agent runs in the pod: both probes over TLS, the STOMP one as the broker user. The
    // first handshakes of a cold JVM on a loaded machine take seconds, hence the long timeout.
    const timeoutMs = 20_000;
    const stomp = await stompProbe({
      port: ports['stomp-tls'],
      timeoutMs,
      tls: true,
      login: 'app',
      passcode: PASSWORDS.ACTIVEMQ_PASSWORD,
    }).run();
    expect(stomp, stomp.detail).toMatchObject({ status: 'ok' });
    const openwire = await openwireProbe({
      port: ports['openwire-tls'],
      tls: true,
      timeoutMs,
    }).run();
    expect(openwire, openwire.detail).toMatchObject({ status: 'ok' });

    const shop = await StompPeer.open(ports['stomp-tls'], {
      tls,
      login: 'shop',
      passcode: PASSWORDS.ACTIVEMQ_PASSWORD_SHOP,
    });
    const audit = await StompPeer.open(ports['stomp-tls'], {
      tls,
      login: 'audit',
      passcode: PASSWORDS.ACTIVEMQ_PASSWORD_AUDIT,
    });
    try {
      shop.send('SEND', { destination: '/queue/orders.eu', receipt: 'r1' }, 'order-1');
      expect((await shop.next(10_000)).command).toBe('RECEIPT');

      // audit may read orders.> but not write it.
      audit.send('SEND', { destination: '/queue/orders.eu', receipt: 'r2' }, 'forged');
      const refused = await audit.next(10_000);
      expect(refused.command).toBe('ERROR');
      expect(refused.headers.message).toMatch(/not authorized to write to: queue:\/\/orders\.eu/);
    } finally {
      audit.close();
    }
    const reader = await StompPeer.open(ports['stomp-tls'], {
      tls,
      login: 'audit',
      passcode: PASSWORDS.ACTIVEMQ_PASSWORD_AUDIT,
    });
    try {
      reader.send('SUBSCRIBE', { id: '1', destination: '/queue/orders.eu', ack: 'auto' });
      const message = await reader.next(10_000);
      expect(message.command).toBe('MESSAGE');
      expect(message.body).toBe('order-1');

      // No entry matches: refused to everyone, shop included.
      shop.send('SEND', { destination: '/queue/payments', receipt: 'r3' }, 'x');
      const noEntry = await shop.next(10_000);
      expect(noEntry.command).toBe('ERROR');
      expect(noEntry.headers.message).toMatch(/not authorized to write to: queue:\/\/payments/);
    } finally {
      reader.close();
      shop.close();
    }
  });
});
