import { OpenWireConnection, type OpenWireError } from '@activemq-ha/openwire';
import { startScriptedOpenWireBroker } from '@activemq-ha/testkit';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * A scripted, hostile broker: negotiates a short inactivity window, answers every request, then
 * never sends another byte (a half-dead TCP peer): not even a KeepAliveInfo's answer.
 */
async function silentBroker(maxInactivityMs: number) {
  const broker = await startScriptedOpenWireBroker({
    maxInactivityMs,
    script: (command) => command.type === 'KeepAliveInfo',
  });
  cleanups.push(() => broker.close());
  return {
    port: broker.port,
    get received() {
      return broker.connections.flat();
    },
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('inactivity monitor', () => {
  it('keeps a quiet connection alive and gives up on a broker that went silent', async () => {
    const broker = await silentBroker(600);
    const conn = await OpenWireConnection.connect({
      port: broker.port,
      wireFormat: { maxInactivityDuration: 600 },
    });
    const reason = await new Promise<OpenWireError | undefined>((resolve) =>
      conn.once('close', resolve),
    );
    expect(reason?.code).toBe('INACTIVITY_TIMEOUT');
    // While waiting, the client kept its side of the bargain and wrote KeepAliveInfo.
    expect(broker.received.map((c) => c.type)).toContain('KeepAliveInfo');
  });
});
