import { defineConfig } from 'tsup';
import { slimClientNode } from './build/slim-client-node.js';

export default defineConfig([
  {
    // The container image's entrypoint: one file with every dependency inside, so the image needs
    // no node_modules. The tests run this exact file. Not published: package.json `files` leaves it
    // out, and npm users get the plain `dist/cli.js` below with their own dependency tree.
    entry: { agent: 'src/cli.ts' },
    format: ['esm'],
    platform: 'node',
    target: 'node22',
    noExternal: [/.*/],
    // Only KubeConfig of client-node: about 40 MiB less RSS (build/slim-client-node.ts).
    esbuildPlugins: [slimClientNode()],
    splitting: false,
    sourcemap: true,
    clean: true,
    banner: {
      // CommonJS dependencies bundled into ESM call require(); the hashbang comes from src/cli.ts.
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  },
  {
    // What npm installs: the library and the `activemq-ha-agent` bin, dependencies left external.
    entry: ['src/index.ts', 'src/cli.ts'],
    format: ['esm'],
    dts: { entry: 'src/index.ts' },
    sourcemap: true,
    target: 'node22',
  },
]);
