#!/bin/sh
# The whole test suite: build (the agent tests run its bundle), then the unit and integration
# vitest projects.
# Ends with one plain line "N passed, N failed" computed from vitest's JSON report.
set -u
cd "$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)"
mkdir -p .test-artifacts
pnpm -s build >/dev/null || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
# The opt-in real-cluster project (pnpm test:cluster) is not part of the default run.
vitest run --project unit --project integration --reporter=default --reporter=json --outputFile.json=.test-artifacts/vitest.json "$@"
status=$?
node -e '
  const r = JSON.parse(require("node:fs").readFileSync(".test-artifacts/vitest.json", "utf8"));
  // A file that fails to load has no failed assertions but must still count as a failure.
  const brokenFiles = r.testResults.filter((f) => f.status === "failed" && !f.assertionResults.some((a) => a.status === "failed")).length;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests + brokenFiles} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' || echo "0 passed, 1 failed"
exit $status
