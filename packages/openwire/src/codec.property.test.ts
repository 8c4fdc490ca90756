import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OpenWireError } from './errors.js';
import { decodePrimitiveMap, encodePrimitiveMap } from './primitive-map.js';
import type { CommandInput } from './structures.js';
import { propertyMap, STRUCTURE_NAMES, structure } from './testing/arbitraries.js';
import { decodeFrame, encodeFrame, FrameSplitter, type WireFormat } from './wire-format.js';

const FORMATS: readonly WireFormat[] = [
  { version: 12, tight: true, stackTrace: true, maxFrameSize: 1 << 30 },
  { version: 12, tight: true, stackTrace: false, maxFrameSize: 1 << 30 },
  { version: 12, tight: false, stackTrace: true, maxFrameSize: 1 << 30 },
  { version: 12, tight: false, stackTrace: false, maxFrameSize: 1 << 30 },
];

/** Top-level frames are commands; ids and destinations only ever travel nested. */
const COMMANDS = STRUCTURE_NAMES.filter(
  (n) => !/^(ActiveMQ(Queue|Topic|TempQueue|TempTopic)|.*Id)$/.test(n),
);

describe.each(FORMATS)('round trip, tight=$tight stackTrace=$stackTrace', (wf) => {
  it.each(COMMANDS)('%s', (name) => {
    fc.assert(
      fc.property(structure(name, wf.stackTrace), (command) => {
        const frame = encodeFrame(command as unknown as CommandInput, wf);
        expect(decodeFrame(frame, wf)).toEqual(command);
      }),
      { numRuns: 60 },
    );
  });

  it('frames survive any chunking of the stream', () => {
    fc.assert(
      fc.property(
        fc.array(structure('MessageDispatch', wf.stackTrace), { minLength: 1, maxLength: 4 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 20 }),
        (commands, cuts) => {
          const frames = commands.map((c) => encodeFrame(c as unknown as CommandInput, wf));
          const stream = Buffer.concat(frames);
          const split = new FrameSplitter(wf.maxFrameSize);
          const out: Uint8Array[] = [];
          let at = 0;
          for (let i = 0; at < stream.length; i++) {
            const n = cuts[i % cuts.length]!;
            out.push(...split.push(stream.subarray(at, at + n)));
            at += n;
          }
          expect(out.map((p) => Buffer.from(p).toString('hex'))).toEqual(
            frames.map((f) => Buffer.from(f).subarray(4).toString('hex')),
          );
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('primitive map', () => {
  it('round-trips every property type, nested maps and lists', () => {
    fc.assert(
      fc.property(propertyMap, (map) => {
        expect(decodePrimitiveMap(encodePrimitiveMap(map))).toEqual(map);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses values that are no JMS property', () => {
    const bad = new Map([['x', { not: 'a property' }]]) as never;
    expect(() => encodePrimitiveMap(bad)).toThrow(OpenWireError);
  });
});
