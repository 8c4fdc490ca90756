import { createServer, type Socket } from 'node:net';
import {
  type Command,
  type CommandInput,
  decodePayload,
  encodeFrame,
  FrameSplitter,
  INITIAL_WIRE_FORMAT,
  negotiate,
  preferredWireFormatInfo,
  type WireFormat,
  type WireFormatInfo,
} from '@activemq-ha/openwire';

/**
 * Answers one command the client sent; returns true when it handled the command itself (then
 * no Response is sent for it).
 */
export type OpenWireScript = (
  command: Command,
  connection: number,
  reply: (command: CommandInput) => void,
  socket: Socket,
) => boolean | undefined;

export interface ScriptedOpenWireBrokerOptions {
  /** What the broker's WireFormatInfo offers (0: no inactivity monitor). @default 0 */
  readonly maxInactivityMs?: number;
  /** @default answer every request with a Response */
  readonly script?: OpenWireScript;
}

export interface ScriptedOpenWireBroker {
  readonly port: number;
  /** Every command each connection sent, in order (the WireFormatInfo included). */
  readonly connections: readonly (readonly Command[])[];
  /** The commands of one type that connection `connection` sent. */
  of<T extends Command['type']>(type: T, connection: number): Extract<Command, { type: T }>[];
  close(): Promise<void>;
}

/**
 * A scripted OpenWire broker for what a real one does rarely or on its own schedule (a silent
 * peer, a dropped connection, a hint): it negotiates the wire format, answers each request with
 * a Response unless `script` answers first, and records every command per connection.
 */
export async function startScriptedOpenWireBroker(
  options: ScriptedOpenWireBrokerOptions = {},
): Promise<ScriptedOpenWireBroker> {
  const script = options.script ?? (() => undefined);
  const connections: Command[][] = [];
  const sockets = new Set<Socket>();
  const ours = preferredWireFormatInfo({ maxInactivityDuration: options.maxInactivityMs ?? 0 });
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const index = connections.push([]) - 1;
    const split = new FrameSplitter(1 << 20);
    let wf: WireFormat = INITIAL_WIRE_FORMAT;
    const reply = (c: CommandInput) => socket.write(encodeFrame(c, wf));
    socket.write(encodeFrame(ours, INITIAL_WIRE_FORMAT));
    socket.on('data', (chunk) => {
      for (const payload of split.push(chunk)) {
        const command = decodePayload(payload, wf);
        connections[index]!.push(command);
        if (command.type === 'WireFormatInfo') {
          // Negotiate with our offer as the client decodes it.
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
  return {
    port: address.port,
    connections,
    of: <T extends Command['type']>(type: T, connection: number) =>
      (connections[connection] ?? []).filter((c) => c.type === type) as Extract<
        Command,
        { type: T }
      >[],
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
