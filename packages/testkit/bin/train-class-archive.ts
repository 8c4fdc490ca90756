/**
 * tsx packages/testkit/bin/train-class-archive.ts [--force] [version ...]
 *
 * Trains the broker JVMs' class archive (see src/broker/class-archive.ts) for each broker matrix
 * version given (default: the test default) on the JVM the tests use, into the cache. Quick when
 * the archive is there already. Called by scripts/setup-class-archive.sh.
 */
import { parseArgs } from 'node:util';
import { trainClassArchive } from '../src/broker/train-class-archive.js';

const { values, positionals } = parseArgs({
  options: { force: { type: 'boolean', default: false } },
  allowPositionals: true,
  strict: true,
});
const versions = positionals.length > 0 ? positionals : [undefined];
for (const version of versions) {
  const started = Date.now();
  const result = await trainClassArchive({
    ...(version ? { version } : {}),
    force: values.force,
    log: (line) => console.error(`train-class-archive: ${line}`),
  });
  console.error(
    result.trained
      ? `train-class-archive: wrote ${result.file} in ${((Date.now() - started) / 1000).toFixed(1)} s`
      : `train-class-archive: ${result.file} is there already`,
  );
}
