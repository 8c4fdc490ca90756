import { describe, expect, it } from 'vitest';
import { isQualifiedName, isValidLabelValue } from './name-validation.js';
import { humanDuration } from './tables.js';

describe('humanDuration (kubectl AGE column)', () => {
  it.each([
    [0, '0s'],
    [119_000, '119s'],
    [120_000, '2m'],
    [185_000, '3m5s'],
    [60 * 60_000, '60m'],
    [3 * 3_600_000 + 60_000, '3h1m'],
    [30 * 3_600_000, '30h'],
    [3 * 86_400_000 + 3_600_000, '3d1h'],
    [40 * 86_400_000, '40d'],
  ])('%d ms -> %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });
});

describe('label validation messages', () => {
  it('match k8s.io/apimachinery word for word', () => {
    expect(isValidLabelValue('bad value')).toEqual([
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    ]);
    expect(isValidLabelValue('x'.repeat(64))[0]).toBe('must be no more than 63 characters');
    expect(isQualifiedName('activemq-ha.io/role')).toEqual([]);
    expect(isQualifiedName('Bad_Prefix/role')[0]).toMatch(
      /^prefix part a lowercase RFC 1123 subdomain/,
    );
    expect(isQualifiedName('a/b/c')[0]).toMatch(/^a qualified name must consist of/);
  });
});
