#!/bin/sh
# The local HA demo (README quick start): builds the packages (the agents run their bundle), then
# runs examples/local-ha-demo. Flags pass through: npm run demo -- --rounds 10
set -eu
cd "$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)"
pnpm -s build >/dev/null
exec tsx examples/local-ha-demo/main.ts "$@"
