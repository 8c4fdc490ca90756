#!/bin/sh
# Trains the class archive (AppCDS) the test ground's broker JVMs can start with, for the default
# broker version on the JVM on PATH, into ${ACTIVEMQ_HA_CACHE:-$HOME/.cache/activemq-ha}/cds/.
# A few seconds when it is there already; ~20-60 s otherwise (one broker recovers a store).
# The test ground uses it only when asked (startBrokerGroup({ classArchive: 'auto' }),
# pnpm bench:takeover --class-archive auto); see docs/benchmarks.md, "Where the new master's time goes".
set -eu
ROOT=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
PATH="$ROOT/.tools/node_modules/.bin:$PATH"
export PATH
cd "$ROOT" && exec "$ROOT/node_modules/.bin/tsx" packages/testkit/bin/train-class-archive.ts "$@"
