#!/bin/sh
# The local HA demo (README quick start): builds the packages (the agents run their bundle), then
# runs examples/local-ha-demo. Flags pass through: npm run demo -- --rounds 10
# With --api real it runs inside the stand-in pod network (scripts/pod-network.sh), where the pod
# IPs the real EndpointSlice controller publishes are routable for the demo's clients.
set -eu
cd "$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)"
pnpm -s build >/dev/null
network=""
prev=""
for arg in "$@"; do
  if [ "$arg" = --api=real ] || { [ "$prev" = --api ] && [ "$arg" = real ]; }; then
    network="sh scripts/pod-network.sh"
  fi
  prev=$arg
done
# shellcheck disable=SC2086 # $network is empty or three words
exec $network tsx examples/local-ha-demo/main.ts "$@"
