import { createServer, type Server, type Socket } from 'node:net';
import {
  type Command,
  decodePayload,
  encodeFrame,
  FrameSplitter,
  INITIAL_WIRE_FORMAT,
  negotiate,
  OpenWireConnection,
  type OpenWireError,
  preferredWireFormatInfo,
  type WireFormat,
  type WireFormatInfo,
} from '@activemq-ha/openwire';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * A scripted, hostile broker: negotiates a short inactivity window, answers every request, then
 * never sends another byte (a half-dead TCP peer). Records what the client sends.
 */
async function silentBroker(maxInactivityMs: number) {
  const received: Command[] = [];
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    const split = new FrameSplitter(1 << 20);
    const ours = preferredWireFormatInfo({ maxInactivityDuration: maxInactivityMs });
    let wf: WireFormat = INITIAL_WIRE_FORMAT;
    socket.write(encodeFrame(ours, INITIAL_WIRE_FORMAT));
    socket.on('data', (chunk) => {
      for (const payload of split.push(chunk)) {
        const command = decodePayload(payload, wf);
        received.push(command);
        if (command.type === 'WireFormatInfo') {
          const mine = decodePayload(
            encodeFrame(ours, INITIAL_WIRE_FORMAT).subarray(4),
            INITIAL_WIRE_FORMAT,
          );
          wf = negotiate(mine as WireFormatInfo, command).wireFormat;
        } else if (
          'responseRequired' in command &&
          command.responseRequired &&
          command.type !== 'KeepAliveInfo'
        ) {
          socket.write(encodeFrame({ type: 'Response', correlationId: command.commandId }, wf));
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
  return { port: address.port, received };
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
