import { ByteReader } from './byte-reader.js';
import { OpenWireError } from './errors.js';
import {
  type MarshalOptions,
  marshalPayload,
  OPENWIRE_MAGIC,
  unmarshalPayload,
} from './marshal.js';
import type { Command, CommandInput, WireFormatInfo } from './structures.js';
import type { PropertyValue } from './typed-values.js';

/** The wire version ActiveMQ 5.17–6.x speak. */
export const OPENWIRE_VERSION = 12;
/** The oldest version whose layouts for our commands equal v12's (see schema.ts). */
export const OLDEST_VERSION = 10;
/** ActiveMQ's own default for a transport connector's maxFrameSize (100 MiB). */
export const DEFAULT_MAX_FRAME_SIZE = 100 * 1024 * 1024;

/** What a connection marshals with; the peers start loose and settle on this. */
export interface WireFormat extends MarshalOptions {
  readonly version: number;
  /** Frames larger than this are refused on encode and on decode. */
  readonly maxFrameSize: number;
}

/** Both peers' first frame is a WireFormatInfo in this format (OpenWireFormat's defaults). */
export const INITIAL_WIRE_FORMAT: WireFormat = {
  version: OPENWIRE_VERSION,
  tight: false,
  stackTrace: false,
  maxFrameSize: DEFAULT_MAX_FRAME_SIZE,
};

/** Encodes one size-prefixed frame. */
export function encodeFrame(command: CommandInput, wf: WireFormat): Uint8Array {
  const payload = marshalPayload(command as Readonly<Record<string, unknown>>, wf);
  if (payload.length > wf.maxFrameSize) {
    throw new OpenWireError(
      'FRAME_TOO_LARGE',
      `frame of ${payload.length} bytes exceeds the negotiated maximum of ${wf.maxFrameSize}`,
    );
  }
  const frame = new Uint8Array(4 + payload.length);
  new DataView(frame.buffer).setInt32(0, payload.length);
  frame.set(payload, 4);
  return frame;
}

/** Decodes one frame payload (type byte onwards, without the size prefix). */
export function decodePayload(payload: Uint8Array, wf: MarshalOptions): Command {
  const r = new ByteReader(payload);
  const command = unmarshalPayload(r, wf) as unknown as Command;
  if (r.remaining !== 0) {
    throw new OpenWireError('MALFORMED', `${r.remaining} bytes left after a ${command.type}`);
  }
  return command;
}

/** Decodes exactly one size-prefixed frame. */
export function decodeFrame(frame: Uint8Array, wf: WireFormat): Command {
  const split = new FrameSplitter(wf.maxFrameSize);
  const payloads = split.push(frame);
  if (payloads.length !== 1 || split.buffered !== 0) {
    throw new OpenWireError(
      payloads.length === 0 ? 'TRUNCATED' : 'MALFORMED',
      `expected one complete frame, got ${payloads.length} and ${split.buffered} bytes`,
    );
  }
  return decodePayload(payloads[0]!, wf);
}

/**
 * Cuts a byte stream into frame payloads. Holds at most one partial frame, and never more than
 * the maximum frame size: a size prefix above it is refused before any byte of that frame is
 * kept (the stream cannot be resynchronised after that, so the error is fatal to it).
 */
export class FrameSplitter {
  #chunks: Buffer[] = [];
  #buffered = 0;
  #need = -1;
  #maxFrameSize: number;

  constructor(maxFrameSize: number) {
    this.#maxFrameSize = maxFrameSize;
  }

  get buffered(): number {
    return this.#buffered;
  }

  /** The negotiated maximum replaces the initial one once WireFormatInfo is exchanged. */
  setMaxFrameSize(max: number): void {
    this.#maxFrameSize = max;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    if (chunk.length > 0) {
      this.#chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      this.#buffered += chunk.length;
    }
    const out: Uint8Array[] = [];
    for (;;) {
      if (this.#need < 0) {
        if (this.#buffered < 4) break;
        const size = this.#take(4).readInt32BE(0);
        if (size < 0 || size > this.#maxFrameSize) {
          throw new OpenWireError(
            'FRAME_TOO_LARGE',
            `frame size ${size} outside 0..${this.#maxFrameSize}`,
          );
        }
        this.#need = size;
      }
      if (this.#buffered < this.#need) break;
      out.push(Uint8Array.prototype.slice.call(this.#take(this.#need)));
      this.#need = -1;
    }
    return out;
  }

  #take(n: number): Buffer {
    const all = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks);
    const head = all.subarray(0, n);
    const rest = all.subarray(n);
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.#buffered = rest.length;
    return head;
  }
}

/** What we ask for in our WireFormatInfo. */
export interface WireFormatPreferences {
  /** @default 12 */
  readonly version?: number;
  /** @default true (Java's default) */
  readonly tightEncoding?: boolean;
  /** @default false: exception stack traces only cost bytes here */
  readonly stackTrace?: boolean;
  /** @default 100 MiB */
  readonly maxFrameSize?: number;
  /** Ms of silence after which the peer is dead (0 off). @default 30000 */
  readonly maxInactivityDuration?: number;
  /** @default 10000 */
  readonly maxInactivityDurationInitialDelay?: number;
  readonly providerName?: string;
  readonly providerVersion?: string;
  readonly platformDetails?: string;
}

/** Our WireFormatInfo. CacheEnabled is always false: we never implement the marshalling cache. */
export function preferredWireFormatInfo(p: WireFormatPreferences = {}): CommandInput {
  const properties = new Map<string, PropertyValue>([
    ['TightEncodingEnabled', p.tightEncoding ?? true],
    ['SizePrefixDisabled', false],
    ['CacheEnabled', false],
    ['CacheSize', 0],
    ['StackTraceEnabled', p.stackTrace ?? false],
    ['TcpNoDelayEnabled', true],
    ['MaxFrameSize', BigInt(p.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE)],
    ['MaxInactivityDuration', BigInt(p.maxInactivityDuration ?? 30_000)],
    // Java spells it so ("Inital"); the broker looks for exactly this key.
    ['MaxInactivityDurationInitalDelay', BigInt(p.maxInactivityDurationInitialDelay ?? 10_000)],
    ['ProviderName', p.providerName ?? 'activemq-ha-openwire'],
    ['ProviderVersion', p.providerVersion ?? '0.1.0'],
    ['PlatformDetails', p.platformDetails ?? `Node.js ${process.version}`],
  ]);
  return {
    type: 'WireFormatInfo',
    magic: OPENWIRE_MAGIC,
    version: p.version ?? OPENWIRE_VERSION,
    properties,
  };
}

/** The settled format and the inactivity timeout both peers must honour. */
export interface Negotiated {
  readonly wireFormat: WireFormat;
  /** Ms; 0 means no inactivity monitoring. */
  readonly maxInactivityDuration: number;
  readonly maxInactivityDurationInitialDelay: number;
}

/**
 * OpenWireFormat.renegotiateWireFormat and the inactivity monitor's rule: the lower version and
 * frame size (a value ≤ 0 means "no preference"), each boolean only if both want it. Refuses a
 * peer that is not OpenWire or whose version we cannot speak.
 */
export function negotiate(ours: WireFormatInfo, theirs: WireFormatInfo): Negotiated {
  if (!equalBytes(theirs.magic, OPENWIRE_MAGIC)) {
    throw new OpenWireError('BAD_MAGIC', 'peer is not speaking OpenWire (bad magic)');
  }
  const version = javaMin(ours.version, theirs.version);
  if (version < OLDEST_VERSION) {
    throw new OpenWireError(
      'UNSUPPORTED_VERSION',
      `peer offers OpenWire ${theirs.version}; this codec speaks ${OLDEST_VERSION}–${OPENWIRE_VERSION}`,
    );
  }
  const both = (key: string) => bool(ours, key) && bool(theirs, key);
  if (both('SizePrefixDisabled')) {
    throw new OpenWireError('UNSUPPORTED_OPTION', 'size-prefix-less framing is not supported');
  }
  if (both('CacheEnabled')) {
    throw new OpenWireError('UNSUPPORTED_OPTION', 'the marshalling cache is not implemented');
  }
  const maxFrameSize = javaMin(num(ours, 'MaxFrameSize'), num(theirs, 'MaxFrameSize'));
  // The inactivity monitor takes the smaller non-zero duration (0 on either side disables).
  const a = num(ours, 'MaxInactivityDuration');
  const b = num(theirs, 'MaxInactivityDuration');
  const maxInactivityDuration = a === 0 || b === 0 ? 0 : Math.min(a, b);
  return {
    wireFormat: {
      version,
      tight: both('TightEncodingEnabled'),
      stackTrace: both('StackTraceEnabled'),
      maxFrameSize: maxFrameSize > 0 ? Math.min(maxFrameSize, 0x7fffffff) : DEFAULT_MAX_FRAME_SIZE,
    },
    maxInactivityDuration,
    maxInactivityDurationInitialDelay: Math.min(
      num(ours, 'MaxInactivityDurationInitalDelay'),
      num(theirs, 'MaxInactivityDurationInitalDelay'),
    ),
  };
}

function javaMin(x: number, y: number): number {
  return (x < y && x > 0) || y <= 0 ? x : y;
}

function bool(info: WireFormatInfo, key: string): boolean {
  return info.properties?.get(key) === true;
}

function num(info: WireFormatInfo, key: string): number {
  const v = info.properties?.get(key);
  if (typeof v === 'bigint')
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
  if (typeof v === 'number') return v;
  return 0;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
