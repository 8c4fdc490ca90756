import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(
  readFileSync(new URL('./package.json', import.meta.url), 'utf8'),
) as {
  version: string;
};
const define = { __AGENT_VERSION__: JSON.stringify(version) };

// The agent ships as one bundled file so the container image needs no node_modules,
// and `node dist/agent.js` is the exact entrypoint both the image and the tests run.
export default defineConfig([
  {
    entry: { agent: 'src/cli.ts' },
    format: ['esm'],
    platform: 'node',
    target: 'node22',
    noExternal: [/.*/],
    splitting: false,
    sourcemap: true,
    clean: true,
    define,
    banner: {
      js: "#!/usr/bin/env node\nimport { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  },
  {
    entry: ['src/index.ts'],
    format: ['esm'],
    dts: true,
    sourcemap: true,
    define,
    target: 'node22',
  },
]);
