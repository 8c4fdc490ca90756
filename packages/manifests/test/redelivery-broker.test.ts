import { connect, type Socket } from 'node:net';
import { DEFAULT_REDELIVERY } from '@activemq-ha/manifests';
import { startBrokerGroup } from '@activemq-ha/testkit';
import { describe, expect, it, onTestFailed } from 'vitest';

/**
 * The deployed redelivery policy on a real broker: a STOMP NACK means "retry later" (the message
 * comes back, marked redelivered), and after maximumRedeliveries it lands in DLQ.<queue>. The same
 * activemq.xml also carries the systemUsage limits and the JMX settings the manifests render.
 */

interface Frame {
  command: string;
  headers: Record<string, string>;
  body: string;
}

/** A minimal STOMP 1.2 peer: frames in, frames out, awaited one at a time with a deadline. */
class StompPeer {
  private buffer = '';
  private readonly frames: Frame[] = [];
  private wake: (() => void) | undefined;
  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      for (;;) {
        const end = this.buffer.indexOf('\0');
        if (end === -1) break;
        const raw = this.buffer.slice(0, end).replace(/^[\r\n]+/, '');
        this.buffer = this.buffer.slice(end + 1);
        const [head = '', ...rest] = raw.split('\n\n');
        const [command = '', ...lines] = head.split('\n');
        const headers = Object.fromEntries(
          lines.map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]),
        );
        this.frames.push({ command, headers, body: rest.join('\n\n') });
        this.wake?.();
      }
    });
  }

  static async open(port: number): Promise<StompPeer> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const peer = new StompPeer(socket);
    peer.send('CONNECT', { 'accept-version': '1.2', host: 'localhost' });
    expect((await peer.next(10_000)).command).toBe('CONNECTED');
    return peer;
  }

  send(command: string, headers: Record<string, string>, body = ''): void {
    const head = Object.entries(headers).map(([k, v]) => `${k}:${v}`);
    this.socket.write(`${[command, ...head].join('\n')}\n\n${body}\0`);
  }

  async next(timeoutMs: number): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no STOMP frame within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.frames.shift() as Frame;
  }

  close(): void {
    this.socket.destroy();
  }
}

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
