import { createServer, type Socket } from 'node:net';
import { createClient, type HaClient } from '@activemq-ha/client';
import {
  type Command,
  type CommandInput,
  type ConnectionInfo,
  decodePayload,
  encodeFrame,
  FrameSplitter,
  INITIAL_WIRE_FORMAT,
  type Message,
  negotiate,
  preferredWireFormatInfo,
  type WireFormat,
  type WireFormatInfo,
} from '@activemq-ha/openwire';
import { afterEach, describe, expect, it } from 'vitest';
import { nextEvent, waitFor } from './traffic.js';

/**
 * A scripted OpenWire broker for what a real one does rarely or on its own schedule: it
 * negotiates, answers each request with a Response unless `script` answers first, and records
 * every command per connection.
 */
type Script = (
  command: Command,
  connection: number,
  reply: (command: CommandInput) => void,
  socket: Socket,
) => boolean | undefined;

async function scriptedBroker(script: Script) {
  const connections: Command[][] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const index = connections.push([]) - 1;
    const split = new FrameSplitter(1 << 20);
    const ours = preferredWireFormatInfo({ maxInactivityDuration: 0 });
    let wf: WireFormat = INITIAL_WIRE_FORMAT;
    const reply = (c: CommandInput) => socket.write(encodeFrame(c, wf));
    socket.write(encodeFrame(ours, INITIAL_WIRE_FORMAT));
    socket.on('data', (chunk) => {
      for (const payload of split.push(chunk)) {
        const command = decodePayload(payload, wf);
        connections[index]!.push(command);
        if (command.type === 'WireFormatInfo') {
          const mine = decodePayload(
            encodeFrame(ours, INITIAL_WIRE_FORMAT).subarray(4),
            INITIAL_WIRE_FORMAT,
          );
          wf = negotiate(mine as WireFormatInfo, command).wireFormat;
          continue;
        }
        if (script(command, index, reply, socket)) continue;
        if ('responseRequired' in command && command.responseRequired) {
          reply({ type: 'Response', correlationId: command.commandId });
        }
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  const of = <T extends Command['type']>(type: T, connection: number) =>
    (connections[connection] ?? []).filter((c) => c.type === type) as Extract<
      Command,
      { type: T }
    >[];
  return { port: address.port, connections, of };
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
