#!/bin/sh
# Trains the class archive (AppCDS) the test ground's broker JVMs start with, for the default
# broker version on the JVM on PATH, into ${ACTIVEMQ_HA_CACHE:-$HOME/.cache/activemq-ha}/cds/.
# Milliseconds when it is there already; ~20-60 s otherwise (one broker recovers a store).
# Without it the brokers simply start without one (slower takeovers, see docs/benchmarks.md).
set -eu
ROOT=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
PATH="$ROOT/.tools/node_modules/.bin:$PATH"
export PATH
cd "$ROOT" && exec "$ROOT/node_modules/.bin/tsx" packages/testkit/bin/train-class-archive.ts "$@"
