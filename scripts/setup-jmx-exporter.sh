#!/usr/bin/env bash
# The Prometheus JMX exporter java agent the manifests' broker metrics use, for
# packages/manifests/test/broker-metrics.test.ts: fetched once from Maven Central into ~/.m2 by
# Maven itself, then a no-op.
set -euo pipefail
VERSION=1.0.1
JAR="$HOME/.m2/repository/io/prometheus/jmx/jmx_prometheus_javaagent/$VERSION/jmx_prometheus_javaagent-$VERSION.jar"
[ -f "$JAR" ] && exit 0
command -v mvn >/dev/null 2>&1 || { echo "setup-jmx-exporter: mvn not found (apt-get install maven)" >&2; exit 1; }
echo "setup: fetching io.prometheus.jmx:jmx_prometheus_javaagent:$VERSION from Maven Central" >&2
mvn -q dependency:get -Dartifact="io.prometheus.jmx:jmx_prometheus_javaagent:$VERSION" >&2
[ -f "$JAR" ] || { echo "setup-jmx-exporter: $JAR missing after mvn dependency:get" >&2; exit 1; }
