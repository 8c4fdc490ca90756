import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm'],
    dts: true,
    // Both builds run at once: this one must not delete the CLI the other one writes.
    clean: ['!cli.js', '!cli.js.map'],
    sourcemap: true,
    target: 'node22',
  },
  {
    // The CLI is ESM only (top-level await) and the only file with a shebang.
    entry: ['src/cli.ts'],
    format: ['esm'],
    sourcemap: true,
    target: 'node22',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
