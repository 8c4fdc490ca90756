import { readFileSync } from 'node:fs';
import {
  type Command,
  decodeFrame,
  decodeMapBody,
  decodeTextBody,
  encodeFrame,
  INITIAL_WIRE_FORMAT,
  JavaByte,
  JavaChar,
  JavaDouble,
  JavaFloat,
  JavaShort,
  type Message,
  negotiate,
  type WireFormat,
  type WireFormatInfo,
} from '@activemq-ha/openwire';
import { describe, expect, it } from 'vitest';

interface Fixture {
  readonly client: readonly string[];
  readonly broker: readonly string[];
}

/** Connection 0 runs the scenario; 1 is refused for reusing the client id. */
function load(name: string): readonly Fixture[] {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8'))
    .connections;
}

/** Decodes one side's frames: the first is WireFormatInfo (loose), the rest as negotiated. */
function decodeSide(frames: readonly string[], wf: WireFormat): Command[] {
  return frames.map((hex, i) =>
    decodeFrame(Buffer.from(hex, 'hex'), i === 0 ? INITIAL_WIRE_FORMAT : wf),
  );
}

function negotiated(f: Fixture): WireFormat {
  const c = decodeFrame(Buffer.from(f.client[0]!, 'hex'), INITIAL_WIRE_FORMAT) as WireFormatInfo;
  const b = decodeFrame(Buffer.from(f.broker[0]!, 'hex'), INITIAL_WIRE_FORMAT) as WireFormatInfo;
  return negotiate(c, b).wireFormat;
}

describe.each(['tight', 'loose'] as const)(
  'frames of the Java client and broker, %s',
  (encoding) => {
    const [fixture, refused] = load(`java-${encoding}`) as [Fixture, Fixture];
    const wf = negotiated(fixture);

    it('negotiated what Java negotiates', () => {
      expect(wf).toMatchObject({ version: 12, tight: encoding === 'tight', stackTrace: true });
    });

    for (const side of ['client', 'broker'] as const) {
      it(`decodes every ${side} frame and re-encodes it byte for byte`, () => {
        for (const connection of [fixture, refused]) {
          const frames = connection[side];
          const commands = decodeSide(frames, wf);
          commands.forEach((command, i) => {
            const again = Buffer.from(encodeFrame(command, i === 0 ? INITIAL_WIRE_FORMAT : wf));
            expect(again.toString('hex'), `${side} frame ${i} (${command.type})`).toBe(frames[i]);
          });
        }
      });
    }

    it('covers the commands the Java client exchanged', () => {
      const types = new Set(
        [fixture, refused]
          .flatMap((f) => [...decodeSide(f.client, wf), ...decodeSide(f.broker, wf)])
          .map((c) => c.type),
      );
      for (const type of [
        'WireFormatInfo',
        'BrokerInfo',
        'ConnectionInfo',
        'SessionInfo',
        'ProducerInfo',
        'ConsumerInfo',
        'DestinationInfo',
        'ActiveMQTextMessage',
        'ActiveMQBytesMessage',
        'ActiveMQMapMessage',
        'MessageDispatch',
        'MessageAck',
        'MessagePull',
        'TransactionInfo',
        'RemoveInfo',
        'ShutdownInfo',
        'Response',
        'ExceptionResponse',
      ]) {
        expect(types, type).toContain(type);
      }
    });

    it('reads the text, properties and map body Java wrote', () => {
      const sent = decodeSide(fixture.client, wf).filter((c): c is Message =>
        c.type.startsWith('ActiveMQ'),
      );
      const text = sent.find((m) => m.type === 'ActiveMQTextMessage')!;
      expect(decodeTextBody(text)).toBe('héllo wörld \u0000 \uD83D\uDE00 golden');
      const p = text.properties!;
      expect(p.get('bool')).toBe(true);
      expect(p.get('byte')).toEqual(new JavaByte(-7));
      expect(p.get('short')).toEqual(new JavaShort(-30000));
      expect(p.get('int')).toBe(123456789);
      expect(p.get('long')).toBe(-9876543210123n);
      expect(p.get('float')).toEqual(new JavaFloat(1.5));
      expect(p.get('double')).toEqual(new JavaDouble(Math.PI));
      expect(p.get('string')).toBe('ünïcode \uD83D\uDE00');
      expect(p.get('big')).toBe('x'.repeat(9000));
      expect(text).toMatchObject({
        persistent: true,
        priority: 7,
        correlationId: 'corr-1',
        jmsType: 'golden-type',
        groupId: 'group-a',
        replyTo: { type: 'ActiveMQTempQueue' },
      });
      expect(text.expiration - text.timestamp).toBe(60_000n);
      const map = decodeMapBody(sent.find((m) => m.type === 'ActiveMQMapMessage')!);
      expect(map.get('c')).toEqual(new JavaChar('ß'));
      expect(map.get('l')).toBe(4n << 40n);
      expect(map.get('a')).toEqual(Uint8Array.from([9, 8, 7]));
      expect(map.get('n')).toBeNull();
      expect(map.get('m')).toEqual(new Map([['inner', 42]]));
      expect(map.get('list')).toEqual(['one', 2n]);
    });

    it('reads the exception the broker sent for a duplicate client id, with its stack', () => {
      const failure = decodeSide(refused.broker, wf).find((c) => c.type === 'ExceptionResponse');
      expect(failure?.type === 'ExceptionResponse' && failure.exception).toMatchObject({
        exceptionClass: 'javax.jms.InvalidClientIDException',
        stackTrace: expect.arrayContaining([
          expect.objectContaining({ lineNumber: expect.any(Number) }),
        ]),
      });
    });
  },
);
