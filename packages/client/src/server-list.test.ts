import { describe, expect, it } from 'vitest';
import { ServerList } from './server-list.js';

const a = { host: 'a', port: 1 };
const b = { host: 'b', port: 1 };
const c = { host: 'c', port: 1 };

describe('ServerList', () => {
  it('starts at the top for a first connection', () => {
    expect(new ServerList([a, b, c]).round()).toEqual([a, b, c]);
  });

  it('after a loss starts with the next server and tries the lost one last', () => {
    const list = new ServerList([a, b, c]);
    expect(list.round(a)).toEqual([b, c, a]);
    expect(list.round(c)).toEqual([a, b, c]);
    expect(list.round({ host: 'b', port: 1, tls: false })).toEqual([c, a, b]);
    expect(list.round({ host: 'x', port: 1 })).toEqual([a, b, c]);
  });

  it('randomize shuffles every round, also with two servers', () => {
    const seq = [0.9, 0.1, 0.1];
    let i = 0;
    const list = new ServerList([a, b], { randomize: true, random: () => seq[i++ % seq.length]! });
    expect(list.round()).toEqual([a, b]); // j = floor(0.9*2) = 1: no swap
    expect(list.round()).toEqual([b, a]); // j = 0: swap
  });

  it('rejects an empty list', () => {
    expect(() => new ServerList([])).toThrow(/at least one server/);
  });
});
