import { describe, expect, it } from 'vitest';
import { matchesSelector, parseLabelSelector, SelectorParseError } from './label-selector.js';

const match = (selector: string, labels: Record<string, string> | undefined) =>
  matchesSelector(labels, parseLabelSelector(selector));

describe('label selectors', () => {
  it('equality: =, ==, != (which also matches a missing key)', () => {
    expect(match('leader=yes', { leader: 'yes' })).toBe(true);
    expect(match('leader==yes', { leader: 'yes' })).toBe(true);
    expect(match('leader=yes', { leader: 'no' })).toBe(false);
    expect(match('leader!=yes', { leader: 'no' })).toBe(true);
    expect(match('leader!=yes', {})).toBe(true);
    expect(match('leader!=yes', { leader: 'yes' })).toBe(false);
  });

  it('set-based: in, notin, exists, !key, and conjunctions', () => {
    expect(match('env in (prod, qa)', { env: 'qa' })).toBe(true);
    expect(match('env in (prod,qa)', {})).toBe(false);
    expect(match('env notin (prod)', {})).toBe(true);
    expect(match('env notin (prod)', { env: 'prod' })).toBe(false);
    expect(match('leader', { leader: '' })).toBe(true);
    expect(match('!leader', { app: 'amq' })).toBe(true);
    expect(match('!leader', { leader: 'no' })).toBe(false);
    expect(match('app=amq,!leader,tier in (mq)', { app: 'amq', tier: 'mq' })).toBe(true);
    expect(match('app=amq,leader', { app: 'amq' })).toBe(false);
    expect(match('', undefined)).toBe(true);
  });

  it('keys with prefixes and empty values', () => {
    expect(match('activemq-ha.io/role=', { 'activemq-ha.io/role': '' })).toBe(true);
    expect(match('kubernetes.io/service-name=amq', { 'kubernetes.io/service-name': 'amq' })).toBe(
      true,
    );
  });

  it('gt and lt compare integers', () => {
    expect(match('rank>2', { rank: '3' })).toBe(true);
    expect(match('rank<2', { rank: '3' })).toBe(false);
  });

  it('rejects invalid values and syntax with the library wording', () => {
    expect(() => parseLabelSelector('leader=bad value')).toThrow(SelectorParseError);
    expect(() => parseLabelSelector('env in ()')).toThrow(/values set can't be empty/);
    expect(() => parseLabelSelector('leader=yes,')).toThrow(/expected: identifier/);
    expect(() => parseLabelSelector('a=-x')).toThrow(/a valid label must be an empty string/);
  });
});
