// RFC 6902 JSON Patch over JSON values, with RFC 6901 pointers (`~1` = `/`, `~0` = `~`).
import { clone, deepEqual, isObject } from './json.js';

export class JsonPatchError extends Error {
  override readonly name = 'JsonPatchError';
  /** `decode`: the patch document is malformed (400); `apply`: an operation failed (422). */
  constructor(
    readonly stage: 'decode' | 'apply',
    message: string,
  ) {
    super(message);
  }
}

export interface JsonPatchOp {
  readonly op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  readonly path: string;
  readonly from?: string;
  readonly value?: unknown;
}

const ops = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

export function decodeJsonPatch(doc: unknown): JsonPatchOp[] {
  if (!Array.isArray(doc))
    throw new JsonPatchError(
      'decode',
      'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
    );
  return doc.map((raw, i) => {
    if (!isObject(raw)) throw new JsonPatchError('decode', `operation ${i} is not an object`);
    if (typeof raw.op !== 'string' || !ops.has(raw.op)) {
      throw new JsonPatchError('decode', `Unexpected kind: ${String(raw.op)}`);
    }
    if (typeof raw.path !== 'string')
      throw new JsonPatchError('decode', `operation ${i} missing path field`);
    if ((raw.op === 'move' || raw.op === 'copy') && typeof raw.from !== 'string') {
      throw new JsonPatchError('decode', `operation ${i} missing from field`);
    }
    if (
      (raw.op === 'add' || raw.op === 'replace' || raw.op === 'test') &&
      !Object.hasOwn(raw, 'value')
    ) {
      throw new JsonPatchError('decode', `operation ${i} missing value field`);
    }
    return raw as unknown as JsonPatchOp;
  });
}

export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/'))
    throw new JsonPatchError('apply', `JSON pointer must start with '/': ${pointer}`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Container = Record<string, unknown> | unknown[];

function arrayIndex(token: string, length: number, allowEnd: boolean): number {
  if (allowEnd && token === '-') return length;
  if (!/^(0|[1-9]\d*)$/.test(token))
    throw new JsonPatchError('apply', `invalid array index ${token}`);
  const i = Number(token);
  if (i > length || (!allowEnd && i === length))
    throw new JsonPatchError('apply', `array index ${i} out of bounds`);
  return i;
}

function resolveParent(
  doc: unknown,
  tokens: string[],
  op: string,
): { parent: Container; key: string } {
  let cur: unknown = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(t, cur.length, false)];
    else if (isObject(cur) && Object.hasOwn(cur, t)) cur = cur[t];
    else
      throw new JsonPatchError(
        'apply',
        `${op} operation does not apply: doc is missing path: ${tokens.join('/')}`,
      );
  }
  if (!Array.isArray(cur) && !isObject(cur)) {
    throw new JsonPatchError(
      'apply',
      `${op} operation does not apply: doc is missing path: ${tokens.join('/')}`,
    );
  }
  return { parent: cur, key: tokens[tokens.length - 1] as string };
}

function getAt(doc: unknown, tokens: string[], op: string): unknown {
  if (tokens.length === 0) return doc;
  const { parent, key } = resolveParent(doc, tokens, op);
  if (Array.isArray(parent)) return parent[arrayIndex(key, parent.length, false)];
  if (!Object.hasOwn(parent, key))
    throw new JsonPatchError('apply', `${op} operation does not apply: doc is missing key: ${key}`);
  return parent[key];
}

function removeAt(doc: unknown, tokens: string[], op: string): unknown {
  const { parent, key } = resolveParent(doc, tokens, op);
  if (Array.isArray(parent)) return parent.splice(arrayIndex(key, parent.length, false), 1)[0];
  if (!Object.hasOwn(parent, key))
    throw new JsonPatchError('apply', `${op} operation does not apply: doc is missing key: ${key}`);
  const v = parent[key];
  delete parent[key];
  return v;
}

function addAt(doc: unknown, tokens: string[], value: unknown): unknown {
  if (tokens.length === 0) return value;
  const { parent, key } = resolveParent(doc, tokens, 'add');
  if (Array.isArray(parent)) parent.splice(arrayIndex(key, parent.length, true), 0, value);
  else parent[key] = value;
  return doc;
}

/** Applies `patch` to a copy of `doc`; throws JsonPatchError('apply') on the first failing op. */
export function applyJsonPatch(doc: unknown, patch: readonly JsonPatchOp[]): unknown {
  let out = clone(doc);
  for (const op of patch) {
    const path = parsePointer(op.path);
    switch (op.op) {
      case 'add':
        out = addAt(out, path, clone(op.value));
        break;
      case 'remove':
        if (path.length === 0)
          throw new JsonPatchError('apply', 'cannot remove the whole document');
        removeAt(out, path, 'remove');
        break;
      case 'replace':
        if (path.length === 0) out = clone(op.value);
        else {
          getAt(out, path, 'replace');
          const { parent, key } = resolveParent(out, path, 'replace');
          if (Array.isArray(parent))
            parent[arrayIndex(key, parent.length, false)] = clone(op.value);
          else parent[key] = clone(op.value);
        }
        break;
      case 'move': {
        const from = parsePointer(op.from ?? '');
        if (op.path.startsWith(`${op.from}/`)) {
          throw new JsonPatchError(
            'apply',
            'move operation cannot move a value into one of its children',
          );
        }
        const v = from.length === 0 ? out : removeAt(out, from, 'move');
        out = addAt(out, path, v);
        break;
      }
      case 'copy':
        out = addAt(out, path, clone(getAt(out, parsePointer(op.from ?? ''), 'copy')));
        break;
      case 'test': {
        let actual: unknown;
        try {
          actual = getAt(out, path, 'test');
        } catch {
          throw new JsonPatchError('apply', `testing value ${op.path} failed: test failed`);
        }
        if (!deepEqual(actual, op.value)) {
          throw new JsonPatchError('apply', `testing value ${op.path} failed: test failed`);
        }
        break;
      }
    }
  }
  return out;
}
