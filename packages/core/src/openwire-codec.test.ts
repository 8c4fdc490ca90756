import { describe, expect, it } from 'vitest';
import {
  decodeWireFormatInfo,
  encodePrimitiveMap,
  encodeShutdownInfo,
  encodeWireFormatInfo,
  readFrame,
} from './openwire-codec.js';

describe('OpenWire codec', () => {
  it('encodes WireFormatInfo loose and size-prefixed, byte for byte', () => {
    const frame = encodeWireFormatInfo(12, { CacheEnabled: false });
    const expected = Buffer.concat([
      Buffer.from('00000026', 'hex'), // size 38 = type + magic + version + flag + length + map
      Buffer.from('01', 'hex'), // WireFormatInfo
      Buffer.from('ActiveMQ', 'latin1'),
      Buffer.from('0000000c', 'hex'), // version 12
      Buffer.from('01', 'hex'), // properties present
      Buffer.from('00000014', 'hex'), // 20 bytes of map
      Buffer.from('00000001', 'hex'), // one entry
      Buffer.from('000c', 'hex'),
      Buffer.from('CacheEnabled', 'latin1'),
      Buffer.from('0100', 'hex'), // BOOLEAN false
    ]);
    expect(frame.toString('hex')).toBe(expected.toString('hex'));
  });

  it('encodes ints, longs and strings with their Java type tags', () => {
    const map = encodePrimitiveMap({ a: 1, b: 2n, c: 'x' });
    expect(map.toString('hex')).toBe(
      [
        '00000003',
        '0001',
        '61',
        '05',
        '00000001', // INTEGER
        '0001',
        '62',
        '06',
        '0000000000000002', // LONG
        '0001',
        '63',
        '09',
        '0001',
        '78', // STRING
      ].join(''),
    );
  });

  it('round-trips a WireFormatInfo through readFrame/decode', () => {
    const frame = encodeWireFormatInfo(12, {
      TightEncodingEnabled: true,
      MaxFrameSize: 104857600n,
      CacheSize: 1024,
      ProviderName: 'ActiveMQ',
    });
    const read = readFrame(frame);
    expect(read.complete).toBe(true);
    if (!read.complete) return;
    expect(read.type).toBe(1);
    expect(decodeWireFormatInfo(read.body)).toEqual({
      version: 12,
      properties: {
        TightEncodingEnabled: true,
        MaxFrameSize: 104857600n,
        CacheSize: 1024,
        ProviderName: 'ActiveMQ',
      },
    });
  });

  it('waits for the whole frame and rejects implausible sizes', () => {
    const frame = encodeWireFormatInfo(12, {});
    expect(readFrame(frame.subarray(0, 3)).complete).toBe(false);
    expect(readFrame(frame.subarray(0, frame.length - 1)).complete).toBe(false);
    expect(() => readFrame(Buffer.from('HTTP/1.1 400', 'latin1'))).toThrow(/frame size/);
  });

  it('rejects a frame without the ActiveMQ magic', () => {
    const body = Buffer.concat([
      Buffer.from('NotAMQ!!', 'latin1'),
      Buffer.from('0000000c00', 'hex'),
    ]);
    expect(() => decodeWireFormatInfo(body)).toThrow(/magic/);
  });

  it('rejects truncated property maps', () => {
    const frame = encodeWireFormatInfo(12, { A: 'b' });
    const read = readFrame(frame);
    if (!read.complete) throw new Error('incomplete');
    const cut = Buffer.from(read.body);
    cut.writeInt32BE(100, 13); // claims 100 bytes of properties
    expect(() => decodeWireFormatInfo(cut)).toThrow(/truncated/);
  });

  it('encodes ShutdownInfo as type 11, commandId, responseRequired', () => {
    expect(encodeShutdownInfo().toString('hex')).toBe('00000006' + '0b' + '00000000' + '00');
  });
});
