import { createClient, type HaClient } from '@activemq-ha/client';
import { type BrokerGroup, startBrokerGroup } from '@activemq-ha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './traffic.js';

describe('heart-beats against a real broker', () => {
  let group: BrokerGroup<'stomp'> | undefined;
  let client: HaClient | undefined;
  let stopped: number | undefined;

  beforeAll(async () => {
    group = await startBrokerGroup({ size: 1, protocols: ['stomp'] });
  });
  afterAll(async () => {
    if (stopped !== undefined) process.kill(stopped, 'SIGCONT');
    await client?.close({ timeoutMs: 1000 });
    await group?.stop();
  });

  it('keeps an idle connection alive under ActiveMQ strict read check, and detects a silent broker', async () => {
    const broker = group!.brokers[0]!;
    client = createClient({
      discovery: [`stomp://${broker.host}:${broker.ports.stomp}`],
      heartBeatMs: 500,
    });
    const reasons: string[] = [];
    client.on('disconnected', (d) => reasons.push(d.error?.message ?? d.reason));
    await client.whenConnected();
    expect(client.state).toMatchObject({ type: 'connected', heartBeat: [250, 1000] });
    // Idle for several broker read-check periods: ActiveMQ would close a connection that sent
    // nothing within 500 ms, and our read check must not fire on the broker's own pauses.
    const idleUntil = Date.now() + 3000;
    await waitFor(() => Date.now() > idleUntil, 10_000, 'idle period');
    expect(reasons).toEqual([]);
    await client.send('/queue/hb', 'still here');

    // A broker that stops answering (no FIN, no RST) is noticed through missing heart-beats.
    stopped = broker.pid!;
    process.kill(stopped, 'SIGSTOP');
    await waitFor(() => reasons.length > 0, 10_000, 'heart-beat timeout');
    expect(reasons[0]).toMatch(/timed out/);
    process.kill(stopped, 'SIGCONT');
    stopped = undefined;
    await client.whenConnected();
    await client.send('/queue/hb', 'back');
  });
});
