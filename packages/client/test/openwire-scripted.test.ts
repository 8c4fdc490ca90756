import { createClient, type HaClient } from '@activemq-ha/client';
import type { Command, ConnectionInfo, Message } from '@activemq-ha/openwire';
import { type OpenWireScript, startScriptedOpenWireBroker } from '@activemq-ha/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { nextEvent, waitFor } from './traffic.js';

/** A scripted OpenWire broker (see startScriptedOpenWireBroker), closed after each test. */
async function scriptedBroker(script: OpenWireScript) {
  const broker = await startScriptedOpenWireBroker({ script });
  cleanups.push(() => broker.close());
  return broker;
}

const cleanups: (() => Promise<void>)[] = [];
const clients: HaClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close({ timeoutMs: 0 })));
  for (const c of cleanups.splice(0)) await c();
});

function client(port: number): HaClient {
  const c = createClient({
    discovery: `failover:(tcp://127.0.0.1:${port})?initialReconnectDelay=10&maxReconnectDelay=50`,
    heartBeatMs: 1000,
  });
  c.on('error', () => {});
  clients.push(c);
  return c;
}

const messages = (commands: readonly Command[]) =>
  commands.filter((c): c is Message => c.type === 'ActiveMQTextMessage');

describe('OpenWire session against a scripted broker', () => {
  it('rewrites an unanswered send with the same message id on the next connection, which says failoverReconnect under the same connection id', async () => {
    const broker = await scriptedBroker((command, connection, _reply, socket) => {
      // The first connection takes the message and dies without answering it.
      if (connection === 0 && command.type === 'ActiveMQTextMessage') {
        socket.destroy();
        return true;
      }
      return undefined;
    });
    const c = client(broker.port);
    const failover = nextEvent(c, 'failover');
    const { messageId } = await c.send('/queue/q', 'x');
    expect((await failover).resent).toBe(1);
    const [first] = messages(broker.connections[0]!);
    const [second] = messages(broker.connections[1]!);
    expect(second!.messageId).toEqual(first!.messageId);
    expect(second!.properties?.get('ha-message-id')).toBe(messageId);
    const [info0] = broker.of('ConnectionInfo', 0) as ConnectionInfo[];
    const [info1] = broker.of('ConnectionInfo', 1) as ConnectionInfo[];
    expect(info0!.failoverReconnect).toBe(false);
    expect(info1!.failoverReconnect).toBe(true);
    expect(info1!.connectionId).toEqual(info0!.connectionId);
    // A new send after the failover continues the producer's sequence (the audit would drop a
    // lower one as a duplicate).
    await c.send('/queue/q', 'y');
    const [, next] = messages(broker.connections[1]!);
    expect(next!.messageId!.producerSequenceId).toBeGreaterThan(
      first!.messageId!.producerSequenceId,
    );
  });

  it.each([
    [
      'a rebalance hint (reconnectTo)',
      { reconnectTo: 'tcp://other:61616', rebalanceConnection: true },
    ],
    ['close', { close: true }],
  ])(
    'leaves the connection on the broker’s ConnectionControl %s and reconnects',
    async (_, control) => {
      let sent = false;
      const broker = await scriptedBroker((command, connection, reply) => {
        if (connection === 0 && command.type === 'ProducerInfo' && !sent) {
          sent = true;
          reply({ type: 'Response', correlationId: command.commandId });
          reply({ type: 'ConnectionControl', ...control });
          return true;
        }
        return undefined;
      });
      const c = client(broker.port);
      const disconnected = nextEvent(c, 'disconnected');
      await c.connect();
      const { error } = await disconnected;
      expect(error?.message).toMatch(/ConnectionControl/);
      await waitFor(
        () => broker.connections.length === 2 && c.state.type === 'connected',
        10_000,
        'the reconnect',
      );
    },
  );

  it('a send the broker refuses (ExceptionResponse) rejects with BROKER_ERROR and the connection stays', async () => {
    const broker = await scriptedBroker((command, _connection, reply) => {
      if (
        command.type === 'ActiveMQTextMessage' &&
        command.destination?.physicalName === 'denied'
      ) {
        reply({
          type: 'ExceptionResponse',
          correlationId: command.commandId,
          exception: {
            exceptionClass: 'java.lang.SecurityException',
            message: 'User guest is not authorized to write to: queue://denied',
            stackTrace: null,
            cause: null,
          },
        });
        return true;
      }
      return undefined;
    });
    const c = client(broker.port);
    await expect(c.send('/queue/denied', 'x')).rejects.toMatchObject({
      code: 'BROKER_ERROR',
      message: expect.stringMatching(/not authorized/),
    });
    await c.send('/queue/fine', 'y');
    expect(broker.connections).toHaveLength(1);
  });
});
