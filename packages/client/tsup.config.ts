import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  // The shared policy package is private: its code and types go inside this package's build.
  noExternal: ['@activemq-ha/policy'],
  dts: { resolve: ['@activemq-ha/policy'] },
  clean: true,
  sourcemap: true,
  target: 'node22',
});
