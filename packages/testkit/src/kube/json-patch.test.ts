import { describe, expect, it } from 'vitest';
import { applyJsonPatch, decodeJsonPatch, JsonPatchError } from './json-patch.js';

const doc = { metadata: { labels: { app: 'amq', 'activemq-ha.io/role': 'x' } }, list: [1, 2, 3] };

describe('JSON patch (RFC 6902)', () => {
  it('add, replace, remove, move, copy with ~1 and ~0 escapes', () => {
    const out = applyJsonPatch(
      doc,
      decodeJsonPatch([
        { op: 'add', path: '/metadata/labels/leader', value: 'yes' },
        { op: 'replace', path: '/metadata/labels/activemq-ha.io~1role', value: 'leader' },
        { op: 'add', path: '/metadata/labels/a~0b', value: 'tilde' },
        { op: 'remove', path: '/list/0' },
        { op: 'add', path: '/list/-', value: 4 },
        { op: 'copy', from: '/metadata/labels/app', path: '/copied' },
        { op: 'move', from: '/copied', path: '/moved' },
      ]),
    );
    expect(out).toEqual({
      metadata: {
        labels: { app: 'amq', 'activemq-ha.io/role': 'leader', leader: 'yes', 'a~b': 'tilde' },
      },
      list: [2, 3, 4],
      moved: 'amq',
    });
    expect(doc.list).toEqual([1, 2, 3]);
  });

  it('test passes on equal values and fails the whole patch otherwise', () => {
    const ok = decodeJsonPatch([
      { op: 'test', path: '/metadata/labels/app', value: 'amq' },
      { op: 'replace', path: '/metadata/labels/app', value: 'b' },
    ]);
    expect(applyJsonPatch(doc, ok)).toMatchObject({ metadata: { labels: { app: 'b' } } });
    const bad = decodeJsonPatch([{ op: 'test', path: '/metadata/labels/app', value: 'other' }]);
    expect(() => applyJsonPatch(doc, bad)).toThrow(JsonPatchError);
    const missing = decodeJsonPatch([{ op: 'test', path: '/metadata/labels/none', value: 'x' }]);
    expect(() => applyJsonPatch(doc, missing)).toThrow(/test failed/);
  });

  it('fails replace/remove of missing paths and rejects malformed documents', () => {
    expect(() =>
      applyJsonPatch(doc, decodeJsonPatch([{ op: 'replace', path: '/nope', value: 1 }])),
    ).toThrow(JsonPatchError);
    expect(() =>
      applyJsonPatch(doc, decodeJsonPatch([{ op: 'add', path: '/a/b', value: 1 }])),
    ).toThrow(/missing path/);
    expect(() => decodeJsonPatch({ op: 'add' })).toThrow(JsonPatchError);
    expect(() => decodeJsonPatch([{ op: 'frobnicate', path: '/a' }])).toThrow(/Unexpected kind/);
    expect(() => decodeJsonPatch([{ op: 'add', path: '/a' }])).toThrow(/missing value/);
  });
});
