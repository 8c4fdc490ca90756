#!/bin/sh
# Runs the failover-critical integration tests on every other version of the broker matrix
# (scripts/broker-matrix.txt; `npm test` already runs everything on the first, the default), one
# version after the other: the takeover timings these tests bound are only honest with one set of
# JVMs on the 2 cores. Per version:
#   testkit/test/broker-group.test.ts     the store lock: takeover after SIGKILL/SIGTERM, slaves
#   agent/test/failover-labels.test.ts    the agent's leader label follows the lock
#   client/test/failover.test.ts          the client's failover across a takeover
#   testkit/test/broker-config.test.ts    the manifests' config starts broker and console
#   testkit/test/broker-config-jetty12.test.ts  the rendered Jetty 12 files on the release's Jetty (6.3+)
# A version whose home is not fetched (Maven Central unreachable) is reported and skipped.
# Prints each version's duration and ends with one "N passed, N failed" line.
# Usage: sh scripts/test-broker-matrix.sh [version...]
set -u
ROOT=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cd "$ROOT"
CACHE="${ACTIVEMQ_HA_CACHE:-$HOME/.cache/activemq-ha}/activemq"
FILES="packages/testkit/test/broker-group.test.ts packages/agent/test/failover-labels.test.ts packages/client/test/failover.test.ts packages/testkit/test/broker-config.test.ts packages/testkit/test/broker-config-jetty12.test.ts packages/testkit/test/takeover-warmup.test.ts"
mkdir -p .test-artifacts
[ "$#" -gt 0 ] || set -- $(grep -v '^#' scripts/broker-matrix.txt | awk 'NF >= 2 { print $1 }' | tail -n +2)
# The agent tests run its bundle: build unless `npm test` (which builds) just did.
if [ ! -f packages/agent/dist/agent.js ] || [ "${ACTIVEMQ_HA_SKIP_BUILD:-}" != 1 ]; then
  pnpm -s build >/dev/null || { echo "build failed"; echo "matrix: 0 passed, 1 failed"; exit 1; }
fi

passed=0 failed=0 skipped=0 status=0
for v in "$@"; do
  if [ "$v" != debian ] && [ ! -f "$CACHE/$v/bin/activemq.jar" ]; then
    echo "== broker matrix: ActiveMQ $v is not fetched ($CACHE/$v); skipped (sh scripts/setup-brokers.sh $v)"
    skipped=$((skipped + 1))
    continue
  fi
  echo "== broker matrix: ActiveMQ $v"
  # A home assembled from the modules Maven Central serves says what it lacks (setup-brokers.sh).
  if [ -f "$CACHE/$v/.activemq-ha/not-served.txt" ]; then
    echo "   not served by Maven Central, so absent (the tests needing them skip):"
    sed 's/^/     /' "$CACHE/$v/.activemq-ha/not-served.txt"
  fi
  start=$(date +%s)
  json=".test-artifacts/broker-matrix-$v.json"
  # shellcheck disable=SC2086
  ACTIVEMQ_VERSION=$v "$ROOT/node_modules/.bin/vitest" run --project integration --reporter=default --reporter=json \
    --outputFile.json="$json" $FILES || status=1
  echo "== broker matrix: ActiveMQ $v took $(($(date +%s) - start)) s"
  counts=$(node -e '
    const r = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
    const broken = r.testResults.filter((f) => f.status === "failed" && !f.assertionResults.some((a) => a.status === "failed")).length;
    console.log(r.numPassedTests, r.numFailedTests + broken, r.numPendingTests + r.numTodoTests);
  ' "$json" 2>/dev/null) || counts="0 1 0"
  p=$(echo "$counts" | cut -d' ' -f1) f=$(echo "$counts" | cut -d' ' -f2) s=$(echo "$counts" | cut -d' ' -f3)
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
done
echo "matrix: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] || status=1
exit "$status"
