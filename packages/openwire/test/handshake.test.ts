import { type Command, OpenWireConnection } from '@activemq-ha/openwire';
import { type OpenWireScript, startScriptedOpenWireBroker } from '@activemq-ha/testkit';
import { describe, expect, it } from 'vitest';

const REGISTRATIONS = ['ConnectionInfo', 'SessionInfo', 'ProducerInfo'] as const;
type Registration = Extract<Command, { type: (typeof REGISTRATIONS)[number] }>;
const isRegistration = (c: Command): c is Registration =>
  (REGISTRATIONS as readonly string[]).includes(c.type);

/** Holds the answers back until the connection sent all three registrations, then runs `answer`. */
function holdUntilAll(
  answer: (held: Registration[], reply: Parameters<OpenWireScript>[2]) => void,
) {
  const held: Registration[] = [];
  const script: OpenWireScript = (command, _connection, reply) => {
    if (!isRegistration(command)) return false;
    held.push(command);
    if (held.length === REGISTRATIONS.length) answer(held, reply);
    return true;
  };
  return { held, script };
}

describe('OpenWire handshake', () => {
  it('registers connection, session and producer in one round trip', async () => {
    // A broker that answers nothing before it has all three: a client that awaits each
    // registration before sending the next would time out here.
    const { held, script } = holdUntilAll((all, reply) => {
      for (const c of all) reply({ type: 'Response', correlationId: c.commandId });
    });
    const broker = await startScriptedOpenWireBroker({ script });
    try {
      await using conn = await OpenWireConnection.connect({
        port: broker.port,
        requestTimeoutMs: 5_000,
      });
      expect(held.map((c) => c.type)).toEqual([...REGISTRATIONS]);
      expect(conn.closed).toBe(false);
    } finally {
      await broker.close();
    }
  });

  it("reports the refused ConnectionInfo's error, not what the broker says of the other two", async () => {
    // ActiveMQ answers a refused login with a SecurityException; the session and producer of an
    // unregistered connection then get an IllegalStateException each.
    const { script } = holdUntilAll((all, reply) => {
      for (const c of all) {
        reply({
          type: 'ExceptionResponse',
          correlationId: c.commandId,
          exception: {
            exceptionClass:
              c.type === 'ConnectionInfo'
                ? 'java.lang.SecurityException'
                : 'java.lang.IllegalStateException',
            message:
              c.type === 'ConnectionInfo'
                ? 'User name [guest] or password is invalid.'
                : 'Cannot lookup a connection that had not been registered',
            stackTrace: null,
            cause: null,
          },
        });
      }
    });
    const broker = await startScriptedOpenWireBroker({ script });
    try {
      await expect(
        OpenWireConnection.connect({ port: broker.port, requestTimeoutMs: 5_000 }),
      ).rejects.toThrow(/password is invalid/);
    } finally {
      await broker.close();
    }
  });
});
