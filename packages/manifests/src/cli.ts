import { runCli } from './cli/run-cli.js';

// exitCode rather than process.exit(): pending stdout writes to a pipe get flushed.
process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
