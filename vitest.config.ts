import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const pkg = (name: string) =>
  fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

// Tests run against sources, not builds, so no build step sits between an edit and a test run.
const alias = {
  '@activemq-ha/core': pkg('core'),
  '@activemq-ha/agent': pkg('agent'),
  '@activemq-ha/client': pkg('client'),
  '@activemq-ha/manifests': pkg('manifests'),
  '@activemq-ha/openwire': pkg('openwire'),
  '@activemq-ha/policy': pkg('policy'),
  '@activemq-ha/testkit': pkg('testkit'),
};

export default defineConfig({
  resolve: { alias },
  test: {
    reporters: ['default'],
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        // Real JVM brokers on a 2-core machine: one file at a time keeps takeover timings honest.
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['packages/*/test/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        // Opt-in, against a real cluster (`pnpm test:cluster`); every test skips without
        // KUBECONFIG. One file at a time: they share one group.
        resolve: { alias },
        test: {
          name: 'cluster',
          include: ['packages/*/test-cluster/**/*.test.ts'],
          globalSetup: ['packages/agent/test-cluster/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
