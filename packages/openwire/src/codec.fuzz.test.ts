import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OpenWireError } from './errors.js';
import { decodePrimitiveMap } from './primitive-map.js';
import { decodeFrame, FrameSplitter, type WireFormat } from './wire-format.js';

const TIGHT: WireFormat = { version: 12, tight: true, stackTrace: true, maxFrameSize: 1 << 20 };
const LOOSE: WireFormat = { ...TIGHT, tight: false };

/** Either a command or a typed error: never a RangeError, a TypeError or a hang. */
function decodeOrTypedError(frame: Uint8Array, wf: WireFormat): void {
  try {
    decodeFrame(frame, wf);
  } catch (error) {
    if (!(error instanceof OpenWireError)) throw error;
    expect(error.code).toMatch(/^[A-Z_]+$/);
  }
}

function frame(payloadHex: string): Buffer {
  const payload = Buffer.from(payloadHex.replace(/\s/g, ''), 'hex');
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return Buffer.concat([size, payload]);
}

function goldenFrames(encoding: 'tight' | 'loose'): Buffer[] {
  const url = new URL(`../test/fixtures/java-${encoding}.json`, import.meta.url);
  const fixture = JSON.parse(readFileSync(url, 'utf8')) as {
    connections: { client: string[]; broker: string[] }[];
  };
  // Frame 0 of each side is the loose WireFormatInfo; the rest use the negotiated encoding.
  return fixture.connections.flatMap((c) =>
    [...c.client.slice(1), ...c.broker.slice(1)].map((hex) => Buffer.from(hex, 'hex')),
  );
}

describe('hostile frames', () => {
  it('a size prefix above the maximum is refused before anything is buffered', () => {
    const split = new FrameSplitter(1024);
    expect(() => split.push(Buffer.from('7fffffff1e', 'hex'))).toThrow(
      expect.objectContaining({ code: 'FRAME_TOO_LARGE' }),
    );
    expect(() => new FrameSplitter(1024).push(Buffer.from('ffffffff', 'hex'))).toThrow(
      expect.objectContaining({ code: 'FRAME_TOO_LARGE' }),
    );
  });

  it('a byte sequence claiming 2 GiB in a tiny frame is truncated, not allocated', () => {
    // ConnectionControl, loose: commandId, responseRequired, 5 booleans, 2 null strings,
    // rebalance, token present with length 0x7fffffff.
    const f = frame('12 00000001 00 0000000000 00 00 00 01 7fffffff');
    expect(() => decodeFrame(f, LOOSE)).toThrow(expect.objectContaining({ code: 'TRUNCATED' }));
  });

  it('a property map claiming 2^31 entries is truncated, not allocated', () => {
    expect(() => decodePrimitiveMap(Buffer.from('7fffffff', 'hex'))).toThrow(
      expect.objectContaining({ code: 'TRUNCATED' }),
    );
  });

  it('maps nested thousands deep are refused, not recursed into', () => {
    // Entry "k" (0001 6b) of type MAP (0b), again and again.
    const deep = Buffer.from(
      `${'00000001 00016b 0b'.replace(/\s/g, '').repeat(5000)}ffffffff`,
      'hex',
    );
    expect(() => decodePrimitiveMap(deep)).toThrow(expect.objectContaining({ code: 'TOO_DEEP' }));
  });

  it('exception causes nested thousands deep are refused', () => {
    // ExceptionResponse, loose, stack traces on: each level = present, two null strings,
    // zero frames, then its cause.
    const level = '01 00 00 0000';
    const f = frame(`1f 00000001 00 00000001 ${level.repeat(5000)} 00`);
    expect(() => decodeFrame(f, LOOSE)).toThrow(expect.objectContaining({ code: 'TOO_DEEP' }));
  });

  it('an ObjectMessage is refused with its own code', () => {
    const f = frame('15 00000001 00 00 00 01 1a');
    expect(() => decodeFrame(f, LOOSE)).toThrow(
      expect.objectContaining({ code: 'OBJECT_MESSAGE_REFUSED' }),
    );
  });

  it('a structure Java would not cast into the field is refused', () => {
    // MessageDispatch whose consumerId is an ActiveMQQueue.
    const f = frame('15 00000001 00 01 64 00');
    expect(() => decodeFrame(f, LOOSE)).toThrow(expect.objectContaining({ code: 'UNKNOWN_TYPE' }));
  });
});

describe('fuzz', () => {
  it('random bytes decode or fail with a typed error, tight and loose', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (bytes, tight) => {
        decodeOrTypedError(frame(Buffer.from(bytes).toString('hex')), tight ? TIGHT : LOOSE);
      }),
      { numRuns: 3000 },
    );
  });

  for (const encoding of ['tight', 'loose'] as const) {
    const golden = goldenFrames(encoding);
    const wf = encoding === 'tight' ? TIGHT : LOOSE;

    it(`mutated golden ${encoding} frames decode or fail with a typed error`, () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...golden),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
            minLength: 1,
            maxLength: 8,
          }),
          (original, flips) => {
            const mutated = Buffer.from(original);
            for (const [at, value] of flips) mutated[4 + (at % (mutated.length - 4))] = value;
            decodeOrTypedError(mutated, wf);
          },
        ),
        { numRuns: 3000 },
      );
    });

    it(`every truncation of a golden ${encoding} frame decodes or fails with a typed error`, () => {
      for (const original of golden.slice(0, 12)) {
        for (let n = 5; n < original.length; n += Math.max(1, original.length >> 6)) {
          const cut = Buffer.from(original.subarray(0, n));
          cut.writeInt32BE(n - 4);
          decodeOrTypedError(cut, wf);
        }
      }
    });
  }
});
