import fc from 'fast-check';
import { type FieldSpec, STRUCTURES, type StructureName } from '../schema.js';
import type { ThrowableInfo } from '../structures.js';
import {
  JavaByte,
  JavaChar,
  JavaDouble,
  JavaFloat,
  JavaShort,
  type PropertyValue,
} from '../typed-values.js';

/**
 * fast-check arbitraries for every OpenWire structure, derived from the same schema the codec
 * uses, so a structure added to the schema is property-tested without another line here.
 */

/** Any UTF-16 code units, lone surrogates and NUL included: Java strings can hold them all. */
const javaString = (maxLength = 12) =>
  fc.string({
    unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
    maxLength,
  });

const long = fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n);

export const propertyValue: fc.Arbitrary<PropertyValue> = fc.letrec<{ value: PropertyValue }>(
  (tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constant(null),
      fc.boolean(),
      fc.integer({ min: -128, max: 127 }).map((v) => new JavaByte(v)),
      fc.integer({ min: 0, max: 0xffff }).map((c) => new JavaChar(String.fromCharCode(c))),
      fc.integer({ min: -32768, max: 32767 }).map((v) => new JavaShort(v)),
      fc.integer(),
      long,
      fc.float().map((v) => new JavaFloat(v)),
      fc.double().map((v) => new JavaDouble(v)),
      javaString(),
      // Above Java's 8191-unit limit a string is written as BIG_STRING.
      fc.constantFrom('b'.repeat(8191), 'é'.repeat(9000)),
      fc.uint8Array({ maxLength: 16 }),
      fc
        .array(fc.tuple(javaString(6), tie('value')), { maxLength: 3 })
        .map((entries) => new Map(entries)),
      fc.array(tie('value'), { maxLength: 3 }),
    ),
  }),
).value;

export const propertyMap = fc
  .array(fc.tuple(javaString(8), propertyValue), { maxLength: 6 })
  .map((entries) => new Map(entries));

function throwable(stackTrace: boolean, depth: number): fc.Arbitrary<ThrowableInfo | null> {
  const frame = fc.record({
    className: fc.option(javaString(), { nil: null }),
    methodName: fc.option(javaString(), { nil: null }),
    fileName: fc.option(javaString(), { nil: null }),
    lineNumber: fc.integer(),
  });
  return fc.option(
    fc.record({
      exceptionClass: fc.option(javaString(), { nil: null }),
      message: fc.option(javaString(), { nil: null }),
      stackTrace: stackTrace ? fc.array(frame, { maxLength: 3 }) : fc.constant(null),
      cause: stackTrace && depth < 2 ? throwable(true, depth + 1) : fc.constant(null),
    }),
    { nil: null },
  );
}

function field(spec: FieldSpec, stackTrace: boolean, depth: number): fc.Arbitrary<unknown> {
  const names = () =>
    spec.allowed === '*' ? (depth === 0 ? ALL : []) : depth >= 2 ? [] : (spec.allowed ?? []);
  const nestedOf = () => {
    // Any structure (advisory payloads) only one level down, or the tree of arbitraries explodes.
    const names = spec.allowed === '*' ? (depth === 0 ? ALL : []) : (spec.allowed ?? []);
    if (names.length === 0 || depth >= 2) return fc.constant(null);
    return fc.option(fc.oneof(...names.map((n) => structure(n, stackTrace, depth + 1))), {
      nil: null,
    });
  };
  switch (spec.kind) {
    case 'int':
      return fc.integer();
    case 'short':
      return fc.integer({ min: -32768, max: 32767 });
    case 'byte':
      return fc.integer({ min: -128, max: 127 });
    case 'bool':
      return fc.boolean();
    case 'long':
      return long;
    case 'string':
      return fc.option(javaString(), { nil: null });
    case 'magic':
      return fc.uint8Array({ minLength: 8, maxLength: 8 });
    case 'bytes':
      return fc.option(fc.uint8Array({ maxLength: 24 }), { nil: null });
    case 'props':
      return fc.option(propertyMap, { nil: null });
    case 'nested':
    case 'cached':
      return nestedOf();
    case 'array': {
      const allowed = names();
      if (allowed.length === 0) return fc.option(fc.constant([]), { nil: null });
      const item = fc.oneof(...allowed.map((n) => structure(n, stackTrace, depth + 1)));
      return fc.option(fc.array(item, { maxLength: 2 }), { nil: null });
    }
    case 'throwable':
      return throwable(stackTrace, 0);
  }
}

const ALL = Object.keys(STRUCTURES) as StructureName[];

/** A structure with every field set, the shape decode returns. */
export function structure(
  name: StructureName,
  stackTrace: boolean,
  depth = 0,
): fc.Arbitrary<Record<string, unknown>> {
  const key = `${name}/${stackTrace}/${depth}`;
  let arb = MEMO.get(key);
  if (arb === undefined) {
    arb = build(name, stackTrace, depth);
    MEMO.set(key, arb);
  }
  return arb;
}

const MEMO = new Map<string, fc.Arbitrary<Record<string, unknown>>>();

function build(
  name: StructureName,
  stackTrace: boolean,
  depth: number,
): fc.Arbitrary<Record<string, unknown>> {
  const spec = STRUCTURES[name];
  const fields: Record<string, fc.Arbitrary<unknown>> = { type: fc.constant(name) };
  if (spec.command) {
    fields.commandId = fc.integer();
    fields.responseRequired = fc.boolean();
  }
  for (const f of spec.fields) fields[f.name] = field(f, stackTrace, depth);
  return fc.record(fields);
}

export const STRUCTURE_NAMES: readonly StructureName[] = ALL;
