import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { entrypointNodeFlags, imageNodeFlags } from './image-node-flags.js';

describe('imageNodeFlags', () => {
  it("reads the agent image's node flags from its Dockerfile", () => {
    const bundle = fileURLToPath(new URL('../../../agent/dist/agent.js', import.meta.url));
    const flags = imageNodeFlags(bundle);
    expect(flags).toContain('--lite-mode');
    expect(flags.some((f) => f.startsWith('--max-old-space-size='))).toBe(true);
  });

  it('takes the flags between node and the script of the last exec-form ENTRYPOINT', () => {
    const text = [
      'FROM a AS build',
      'ENTRYPOINT ["node", "--old"]',
      'FROM b',
      'ENTRYPOINT ["/nodejs/bin/node", "--a=1", "--b", "/app/agent.js", "--not-a-node-flag"]',
    ].join('\n');
    expect(entrypointNodeFlags(text)).toEqual(['--a=1', '--b']);
    expect(entrypointNodeFlags('ENTRYPOINT ["node", "/app/agent.js"]')).toEqual([]);
  });

  it('refuses a Dockerfile whose ENTRYPOINT it cannot read, and a bundle without one has none', () => {
    expect(() => entrypointNodeFlags('ENTRYPOINT node /app/agent.js')).toThrow(/exec-form/);
    expect(() => entrypointNodeFlags('ENTRYPOINT ["node"]')).toThrow(/not \["node"/);
    expect(imageNodeFlags('/nonexistent/dist/agent.js')).toEqual([]);
  });
});
