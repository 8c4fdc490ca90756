import { describe, expect, it } from 'vitest';
import { derivedHeapMib, heapChoice } from './jvm-memory.js';

const GI = 2 ** 30;

describe('heapChoice', () => {
  it('derives the heap from the limit, leaving at least 384 MiB or a quarter', () => {
    expect(derivedHeapMib(GI)).toBe(640);
    expect(derivedHeapMib(4 * GI)).toBe(3072);
    expect(heapChoice('', GI, '1Gi')).toEqual({ flag: '-Xmx640m' });
    expect(heapChoice('-XX:+UseG1GC', 2 * GI, '2Gi')).toEqual({ flag: '-Xmx1536m' });
  });

  it("keeps the user's heap when it leaves room for the rest of the JVM", () => {
    expect(heapChoice('-Xmx768m', GI, '1Gi')).toEqual({});
    expect(heapChoice('-XX:MaxRAMPercentage=50', GI, '1Gi')).toEqual({});
  });

  it('refuses a heap at or near the limit, saying what would fit', () => {
    expect(heapChoice('-Xmx2g', GI, '1Gi').problem).toMatch(
      /-Xmx2g leaves 0 MiB of the 1Gi memory limit.*at most -Xmx768m.*-Xmx640m/,
    );
    expect(heapChoice('-XX:MaxRAMPercentage=90', GI, '1Gi').problem).toMatch(/leaves 102 MiB/);
    expect(heapChoice('-Xmx1x', GI, '1Gi').problem).toMatch(/not a heap size/);
    expect(heapChoice('-XX:-ExitOnOutOfMemoryError', GI, '1Gi').problem).toMatch(
      /ExitOnOutOfMemoryError/,
    );
  });
});
