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

  it('leaves the connection on the broker’s ConnectionControl close and reconnects', async () => {
    let sent = false;
    const broker = await scriptedBroker((command, connection, reply) => {
      if (connection === 0 && command.type === 'ProducerInfo' && !sent) {
        sent = true;
        reply({ type: 'Response', correlationId: command.commandId });
        reply({ type: 'ConnectionControl', close: true });
        return true;
      }
      return undefined;
    });
    const c = client(broker.port);
    const disconnected = nextEvent(c, 'disconnected');
    await c.connect();
    const { error } = await disconnected;
    expect(error?.message).toMatch(/asked to close \(ConnectionControl\)/);
    await waitFor(
      () => broker.connections.length === 2 && c.state.type === 'connected',
      10_000,
      'the reconnect',
    );
  });

  it('registers as manageable and fault tolerant, and follows the handshake’s rebalance to the first of connectedBrokers', async () => {
    const target = await scriptedBroker(() => undefined);
    const hinter = await scriptedBroker((command, connection, reply) => {
      if (connection === 0 && command.type === 'ConnectionInfo') {
        // What TransportConnection.processAddConnection sends a manageable connection when its
        // connector has updateClusterClients and rebalanceClusterClients on.
        reply({ type: 'Response', correlationId: command.commandId });
        reply({
          type: 'ConnectionControl',
          faultTolerant: true,
          connectedBrokers: `tcp://127.0.0.1:${target.port},tcp://127.0.0.1:${hinter.port}`,
          rebalanceConnection: true,
        });
        return true;
      }
      return undefined;
    });
    const c = client(hinter.port);
    const failover = nextEvent(c, 'failover');
    await c.connect();
    expect((await failover).to.port).toBe(target.port);
    const [info] = hinter.of('ConnectionInfo', 0) as ConnectionInfo[];
    expect(info).toMatchObject({ manageable: true, faultTolerant: true });
    await c.send('/queue/q', 'on the rebalanced broker');
    expect(messages(target.connections[0]!)).toHaveLength(1);
  });

  it.each([
    ['a hint that is not OpenWire', 'stomp://127.0.0.1:61613', {}],
    ['a hint naming no host', 'tcp://0.0.0.0:61616', {}],
    ['a hint while reconnectSupported=false', 'tcp://127.0.0.1:1', { reconnectSupported: false }],
  ])('stays on the broker for %s', async (_, reconnectTo, query) => {
    const broker = await scriptedBroker((command, connection, reply) => {
      if (connection === 0 && command.type === 'ProducerInfo') {
        reply({ type: 'Response', correlationId: command.commandId });
        reply({ type: 'ConnectionControl', reconnectTo });
        return true;
      }
      return undefined;
    });
    const options = Object.entries(query)
      .map(([k, v]) => `&${k}=${v}`)
      .join('');
    const c = createClient({
      discovery: `failover:(tcp://127.0.0.1:${broker.port})?initialReconnectDelay=10&maxReconnectDelay=50${options}`,
      heartBeatMs: 1000,
    });
    c.on('error', () => {});
    clients.push(c);
    await c.connect();
    // The hint was read before this send's answer: had the client left, it would be on a
    // second connection.
    await c.send('/queue/q', 'still here');
    await c.send('/queue/q', 'still here too');
    expect(messages(broker.connections[0]!)).toHaveLength(2);
    expect(broker.connections).toHaveLength(1);
  });

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
