#!/bin/sh
# Builds the takeover warm-up java agent (packages/agent/warmup) into
# ${ACTIVEMQ_HA_CACHE:-$HOME/.cache/activemq-ha}/warmup/takeover-warmup.jar, where the test
# ground's brokers find it (startBrokerGroup({ takeoverWarmup: true })). Quiet and instant when the
# jar was built from the same sources; ~3 s otherwise. Needs javac (scripts/setup-javac.sh).
set -eu
ROOT=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
SRC="$ROOT/packages/agent/warmup"
OUT="${ACTIVEMQ_HA_CACHE:-$HOME/.cache/activemq-ha}/warmup"
JAR="$OUT/takeover-warmup.jar"
SUM=$(cd "$SRC" && find . -type f | LC_ALL=C sort | xargs cat | sha256sum | cut -c1-16)
[ -f "$JAR" ] && [ "$(cat "$OUT/takeover-warmup.sum" 2>/dev/null || true)" = "$SUM" ] && exit 0
echo "setup: building the takeover warm-up agent into $JAR" >&2
sh "$SRC/build.sh" "$JAR" >&2 || { echo "setup: building the takeover warm-up agent failed" >&2; exit 1; }
echo "$SUM" > "$OUT/takeover-warmup.sum"
