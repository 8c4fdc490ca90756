import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const DOCKERFILE = readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8');

describe('packages/agent/Dockerfile', () => {
  it('pins every base image by digest', () => {
    const args = new Map(
      [...DOCKERFILE.matchAll(/^ARG ([A-Z_]+)=(\S+)$/gm)].map((m) => [m[1], m[2]] as const),
    );
    const bases = [...DOCKERFILE.matchAll(/^FROM (\S+)/gm)].map((m) => m[1] as string);
    expect(bases).toHaveLength(2);
    for (const base of bases) {
      const image = base.replace(/^\$\{([A-Z_]+)\}$/, (_, name: string) => args.get(name) ?? '');
      expect(image, base).toMatch(/^[a-z0-9./-]+:[\w.-]+@sha256:[0-9a-f]{64}$/);
    }
  });
});
