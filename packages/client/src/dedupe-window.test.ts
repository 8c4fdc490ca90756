import { describe, expect, it } from 'vitest';
import { DedupeWindow } from './dedupe-window.js';

describe('DedupeWindow', () => {
  it('reports repeats and forgets the oldest beyond its capacity', () => {
    const w = new DedupeWindow(2);
    expect(w.add('a')).toBe(true);
    expect(w.add('a')).toBe(false);
    expect(w.add('b')).toBe(true);
    expect(w.add('c')).toBe(true);
    expect(w.has('a')).toBe(false);
    expect(w.has('b') && w.has('c')).toBe(true);
    expect(w.size).toBe(2);
  });

  it('rejects a window below 1', () => {
    expect(() => new DedupeWindow(0)).toThrow(/dedupe.window/);
  });
});
