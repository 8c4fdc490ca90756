#!/bin/sh
# The whole test suite: build (the agent tests run its bundle), then the unit and integration
# vitest projects: the real-target tier (scripts/real-tier.txt) inside the stand-in pod network
# (scripts/pod-network.sh), the rest on the host network. With arguments (files, filters, vitest
# flags) one run inside the pod network takes them as they are. The real-target tier first waits
# for the control-plane build (scripts/setup-kube.sh --wait), which .ci/run starts in the
# background at setup so that it overlaps the host-network tier; a failed build fails the run.
# Ends with one plain line "N passed, N failed" computed from vitest's JSON reports.
set -u
cd "$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)"
mkdir -p .test-artifacts
rm -f .test-artifacts/vitest.json .test-artifacts/vitest-real.json
pnpm -s build >/dev/null || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
report() { echo "--reporter=default --reporter=json --outputFile.json=.test-artifacts/$1"; }
real_tier=$(grep -v '^#' scripts/real-tier.txt)
# The control-plane binaries the real-target tier needs (instant when cached or built already).
build_failed=0
wait_for_control_plane() {
  t=$(date +%s)
  if sh scripts/setup-kube.sh --wait; then
    echo "== control-plane build wait: $(($(date +%s) - t)) s"
  else
    echo "== control-plane build wait: $(($(date +%s) - t)) s: the build failed, the real-target tier does not run"
    build_failed=1
  fi
}
# The opt-in real-cluster project (pnpm test:cluster) is not part of the default run.
if [ "$#" -gt 0 ]; then
  wait_for_control_plane
  status=1
  if [ "$build_failed" -eq 0 ]; then
    # shellcheck disable=SC2046 # report's words are separate flags
    sh scripts/pod-network.sh vitest run --project unit --project integration $(report vitest.json) "$@"
    status=$?
  fi
else
  t=$(date +%s)
  # shellcheck disable=SC2046,SC2086 # one --exclude per file
  vitest run --project unit --project integration $(report vitest.json) \
    $(for f in $real_tier; do printf -- '--exclude %s ' "$f"; done)
  status=$?
  echo "== host-network tier: $(($(date +%s) - t)) s"
  wait_for_control_plane
  real_status=1
  if [ "$build_failed" -eq 0 ]; then
    t=$(date +%s)
    # shellcheck disable=SC2046,SC2086
    sh scripts/pod-network.sh vitest run --project integration $(report vitest-real.json) $real_tier
    real_status=$?
    echo "== real-target tier (pod network): $(($(date +%s) - t)) s"
  fi
  [ "$real_status" -eq 0 ] || status=$real_status
fi
STATUS=$status BUILD_FAILED=$build_failed node -e '
  const fs = require("node:fs");
  let passed = 0, failed = 0, skipped = 0, reports = 0;
  for (const file of [".test-artifacts/vitest.json", ".test-artifacts/vitest-real.json"]) {
    if (!fs.existsSync(file)) continue;
    const r = JSON.parse(fs.readFileSync(file, "utf8"));
    reports++;
    // A file that fails to load has no failed assertions but must still count as a failure.
    const brokenFiles = r.testResults.filter((f) => f.status === "failed" && !f.assertionResults.some((a) => a.status === "failed")).length;
    passed += r.numPassedTests;
    failed += r.numFailedTests + brokenFiles;
    skipped += r.numPendingTests + r.numTodoTests;
  }
  // A failed control-plane build is one failure: the tier that needed it did not run.
  failed += Number(process.env.BUILD_FAILED);
  if (reports === 0 && failed === 0) throw new Error("no vitest report");
  // A run that ended badly without a report of its own (a crash) must not read green.
  if (process.env.STATUS !== "0" && failed === 0) failed = 1;
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
' || echo "0 passed, 1 failed"
exit $status
