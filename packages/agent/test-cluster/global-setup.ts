import { currentContextNamespace } from './cluster-api.js';
import { describeSettings, readClusterSettings } from './cluster-settings.js';

/**
 * Runs once per `pnpm test:cluster`, before any file: says once what the suite will do, or why
 * every test is skipped (the files skip themselves with `describe.skipIf`).
 */
export default function setup(): void {
  // stderr: stdout may carry a machine-readable report (--reporter=json).
  process.stderr.write(
    `${describeSettings(readClusterSettings(process.env, currentContextNamespace))}\n`,
  );
}
