/**
 * Java's primitive types in a JMS property or MapMessage entry. JavaScript has one number type,
 * so the Java types that a plain `number` or `bigint` cannot stand for get a small wrapper; a
 * value decoded from Java re-encodes to exactly the type Java wrote.
 *
 * | Java          | here                      |
 * |---------------|---------------------------|
 * | null          | `null`                    |
 * | boolean       | `boolean`                 |
 * | byte          | `JavaByte`                |
 * | char          | `JavaChar`                |
 * | short         | `JavaShort`               |
 * | int           | `number` (an integer)     |
 * | long          | `bigint`                  |
 * | float         | `JavaFloat`               |
 * | double        | `JavaDouble`              |
 * | String        | `string`                  |
 * | byte[]        | `Uint8Array`              |
 * | Map           | `Map<string, PropertyValue>` |
 * | List          | `PropertyValue[]`         |
 */
export type PropertyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | JavaByte
  | JavaChar
  | JavaShort
  | JavaFloat
  | JavaDouble
  | PropertyMap
  | readonly PropertyValue[];

export type PropertyMap = ReadonlyMap<string, PropertyValue>;

export class JavaByte {
  readonly value: number;
  constructor(value: number) {
    this.value = (value << 24) >> 24;
  }
}

export class JavaShort {
  readonly value: number;
  constructor(value: number) {
    this.value = (value << 16) >> 16;
  }
}

export class JavaChar {
  /** One UTF-16 code unit. */
  readonly value: string;
  constructor(value: string) {
    this.value = value.charAt(0);
  }
}

export class JavaFloat {
  readonly value: number;
  constructor(value: number) {
    this.value = Math.fround(value);
  }
}

export class JavaDouble {
  constructor(readonly value: number) {}
}

/** Typed wrappers as plain JavaScript (byte/short/float/double → number, char → string). */
export function plainValue(v: PropertyValue): unknown {
  if (
    v instanceof JavaByte ||
    v instanceof JavaShort ||
    v instanceof JavaFloat ||
    v instanceof JavaDouble ||
    v instanceof JavaChar
  ) {
    return v.value;
  }
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, plainValue(x)]));
  if (Array.isArray(v)) return v.map(plainValue);
  return v;
}
