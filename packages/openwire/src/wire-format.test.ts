import { describe, expect, it } from 'vitest';
import { OpenWireError } from './errors.js';
import { encodePrimitiveMap } from './primitive-map.js';
import type { WireFormatInfo } from './structures.js';
import {
  decodeFrame,
  encodeFrame,
  FrameSplitter,
  INITIAL_WIRE_FORMAT,
  negotiate,
  preferredWireFormatInfo,
} from './wire-format.js';

/** Vectors worked out by hand from the Java marshallers, independent of the golden captures. */
describe('wire format, by hand', () => {
  it('encodes WireFormatInfo loose and size-prefixed, byte for byte', () => {
    const frame = encodeFrame(
      { type: 'WireFormatInfo', version: 12, properties: new Map([['CacheEnabled', false]]) },
      INITIAL_WIRE_FORMAT,
    );
    const expected = [
      '00000026', // size 38 = type + magic + version + flag + length + map
      '01', // WireFormatInfo
      Buffer.from('ActiveMQ', 'latin1').toString('hex'),
      '0000000c', // version 12
      '01', // properties present
      '00000014', // 20 bytes of map
      '00000001', // one entry
      '000c',
      Buffer.from('CacheEnabled', 'latin1').toString('hex'),
      '0100', // BOOLEAN false
    ].join('');
    expect(Buffer.from(frame).toString('hex')).toBe(expected);
  });

  it('encodes ints, longs and strings with their Java type tags', () => {
    const map = encodePrimitiveMap(
      new Map<string, number | bigint | string>([
        ['a', 1],
        ['b', 2n],
        ['c', 'x'],
      ]),
    );
    expect(Buffer.from(map).toString('hex')).toBe(
      '00000003' +
        '000161' +
        '05' +
        '00000001' +
        '000162' +
        '06' +
        '0000000000000002' +
        '000163' +
        '09' +
        '000178',
    );
  });

  it('encodes ShutdownInfo loose as type 11, commandId, responseRequired', () => {
    const frame = encodeFrame({ type: 'ShutdownInfo' }, INITIAL_WIRE_FORMAT);
    expect(Buffer.from(frame).toString('hex')).toBe('00000006' + '0b' + '00000000' + '00');
  });

  it('encodes a tight long in the width Java picks', () => {
    const wf = { ...INITIAL_WIRE_FORMAT, tight: true };
    // RemoveInfo: boolean stream [responseRequired, objectId present, long bits ×2].
    const hex = (v: bigint) =>
      Buffer.from(encodeFrame({ type: 'RemoveInfo', lastDeliveredSequenceId: v }, wf)).toString(
        'hex',
      );
    expect(hex(0n)).toBe('00000007' + '0c' + '01' + '00' + '00000000');
    expect(hex(5n)).toBe('00000009' + '0c' + '01' + '08' + '00000000' + '0005');
    expect(hex(0x10000n)).toBe('0000000b' + '0c' + '01' + '04' + '00000000' + '00010000');
    expect(hex(-1n)).toBe('0000000f' + '0c' + '01' + '0c' + '00000000' + 'ffffffffffffffff');
  });

  it('waits for the whole frame and refuses implausible sizes', () => {
    const frame = encodeFrame({ type: 'KeepAliveInfo' }, INITIAL_WIRE_FORMAT);
    const split = new FrameSplitter(1024);
    expect(split.push(frame.subarray(0, 3))).toEqual([]);
    expect(split.push(frame.subarray(3, frame.length - 1))).toEqual([]);
    expect(split.push(frame.subarray(frame.length - 1))).toHaveLength(1);
    expect(() => new FrameSplitter(1024).push(Buffer.from('HTTP/1.1 400', 'latin1'))).toThrow(
      expect.objectContaining({ code: 'FRAME_TOO_LARGE' }),
    );
  });

  it('refuses a truncated property map inside a WireFormatInfo', () => {
    const frame = Buffer.from(
      encodeFrame(
        { type: 'WireFormatInfo', version: 12, properties: new Map([['A', 'b']]) },
        INITIAL_WIRE_FORMAT,
      ),
    );
    frame.writeInt32BE(100, 4 + 1 + 8 + 4 + 1); // claims 100 bytes of properties
    expect(() => decodeFrame(frame, INITIAL_WIRE_FORMAT)).toThrow(
      expect.objectContaining({ code: 'TRUNCATED' }),
    );
  });
});

describe('negotiate', () => {
  const ours = decodeFrame(
    encodeFrame(preferredWireFormatInfo(), INITIAL_WIRE_FORMAT),
    INITIAL_WIRE_FORMAT,
  ) as WireFormatInfo;
  const broker = (props: [string, boolean | bigint | number][], version = 12): WireFormatInfo => ({
    type: 'WireFormatInfo',
    magic: Buffer.from('ActiveMQ', 'latin1'),
    version,
    properties: new Map(props),
  });

  it('takes the lower version, the smaller frame and inactivity limits, booleans only if both', () => {
    const n = negotiate(
      ours,
      broker(
        [
          ['TightEncodingEnabled', true],
          ['CacheEnabled', true],
          ['StackTraceEnabled', true],
          ['MaxFrameSize', 1048576n],
          ['MaxInactivityDuration', 5000n],
          ['MaxInactivityDurationInitalDelay', 10000n],
        ],
        11,
      ),
    );
    expect(n).toEqual({
      wireFormat: { version: 11, tight: true, stackTrace: false, maxFrameSize: 1048576 },
      maxInactivityDuration: 5000,
      maxInactivityDurationInitialDelay: 10000,
    });
  });

  it('refuses versions older than 10 and a peer that is not OpenWire', () => {
    expect(() => negotiate(ours, broker([], 9))).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_VERSION' }),
    );
    const alien = { ...broker([]), magic: Buffer.from('NotAMQ!!', 'latin1') };
    expect(() => negotiate(ours, alien)).toThrow(OpenWireError);
  });
});
