import { DEFAULT_REDELIVERY } from '@activemq-ha/manifests';
import { startBrokerGroup } from '@activemq-ha/testkit';
import { describe, expect, it, onTestFailed } from 'vitest';
import { type Frame, StompPeer } from './helpers/stomp-peer.js';

/**
 * The deployed redelivery policy on a real broker: a STOMP NACK means "retry later" (the message
 * comes back, marked redelivered), and after maximumRedeliveries it lands in DLQ.<queue>. The same
 * activemq.xml also carries the systemUsage limits and the JMX settings the manifests render.
 */

describe('broker-side redelivery on a real broker', () => {
  it('brings a NACKed message back later and dead-letters it after the maximum', async () => {
    const maximumRedeliveries = 2;
    await using group = await startBrokerGroup({
      size: 1,
      config: {
        jmx: true,
        redelivery: { ...DEFAULT_REDELIVERY, maximumRedeliveries },
        systemUsage: { storeLimitBytes: 512 * 2 ** 20, tempLimitBytes: 128 * 2 ** 20 },
      },
    });
    onTestFailed(group.dumpLogs);
    const port = group.broker('broker-0').ports.stomp;
    const peer = await StompPeer.open(port);
    try {
      peer.send('SUBSCRIBE', { id: '1', destination: '/queue/orders', ack: 'client-individual' });
      peer.send('SEND', { destination: '/queue/orders', receipt: 'sent' }, 'order-1');
      const deliveries: Frame[] = [];
      for (let i = 0; i <= maximumRedeliveries; i++) {
        let frame = await peer.next(30_000);
        if (frame.command === 'RECEIPT') frame = await peer.next(30_000);
        expect(frame.command).toBe('MESSAGE');
        expect(frame.body).toBe('order-1');
        deliveries.push(frame);
        peer.send('NACK', { id: frame.headers.ack as string });
      }
      expect(deliveries[0]?.headers.redelivered).not.toBe('true');
      expect(deliveries.slice(1).every((f) => f.headers.redelivered === 'true')).toBe(true);

      peer.send('SUBSCRIBE', { id: '2', destination: '/queue/DLQ.orders', ack: 'auto' });
      const dead = await peer.next(30_000);
      expect(dead.command).toBe('MESSAGE');
      expect(dead.headers.destination).toBe('/queue/DLQ.orders');
      expect(dead.body).toBe('order-1');
    } finally {
      peer.close();
    }
  });
});
