#!/bin/sh
# Brings everything the demo and the tests need onto a fresh Debian machine that has only Node and
# npm: Node >= 22.19 and pnpm (from the npm registry, into .tools/), the workspace's packages, and
# ActiveMQ Classic (Debian's package, unless ACTIVEMQ_HOME points at an Apache tarball).
# Idempotent and quiet when everything is already there. Source it: it extends PATH.
set -eu
# Every step checks its own status: `set -e` does not apply when a caller sources this file in an
# `||` list (as .ci/run does), and a half-installed toolchain must stop the run with a reason.
die() { echo "setup: $*" >&2; exit 1; }

ROOT=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
TOOLS="$ROOT/.tools"
NODE_VERSION=24.21.0
PNPM_VERSION=10.34.9
PATH="$TOOLS/node_modules/.bin:$PATH"
export PATH

node_ok() {
  node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 19) ? 0 : 1)' 2>/dev/null
}

if ! node_ok || ! command -v pnpm >/dev/null 2>&1; then
  echo "setup: installing Node $NODE_VERSION and pnpm $PNPM_VERSION into .tools/ (npm registry)" >&2
  mkdir -p "$TOOLS"
  npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$TOOLS" \
    "node@$NODE_VERSION" "pnpm@$PNPM_VERSION" >&2 || die "npm could not install node@$NODE_VERSION and pnpm@$PNPM_VERSION"
  hash -r 2>/dev/null || true
  node_ok || die "Node >= 22.19 is still not on PATH after installing it into $TOOLS"
fi

if [ ! -f "$ROOT/node_modules/.modules.yaml" ] || [ "$ROOT/pnpm-lock.yaml" -nt "$ROOT/node_modules/.modules.yaml" ]; then
  echo "setup: installing workspace packages (pnpm install --frozen-lockfile)" >&2
  (cd "$ROOT" && pnpm install --frozen-lockfile --reporter=append-only >&2) ||
    die "pnpm install --frozen-lockfile failed (is pnpm-lock.yaml committed and up to date? run pnpm install)"
fi

if [ -n "${ACTIVEMQ_HOME:-}" ]; then
  [ -f "$ACTIVEMQ_HOME/bin/activemq.jar" ] ||
    die "ACTIVEMQ_HOME=$ACTIVEMQ_HOME has no bin/activemq.jar; point it at an unpacked Apache ActiveMQ Classic tarball"
elif [ ! -f /usr/share/activemq/bin/activemq.jar ]; then
  echo "setup: installing ActiveMQ Classic (apt-get install activemq)" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 ||
      die "ActiveMQ is missing and installing Debian's package needs root: run this as root, install sudo, or set ACTIVEMQ_HOME to an unpacked Apache ActiveMQ Classic distribution (apache-activemq-<version>-bin.tar.gz from Maven Central, org.apache.activemq:apache-activemq)"
    SUDO="sudo"
  fi
  $SUDO apt-get update -qq >&2 || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq activemq >&2 ||
    die "apt-get install activemq failed; or set ACTIVEMQ_HOME to an unpacked Apache ActiveMQ Classic"
  [ -f /usr/share/activemq/bin/activemq.jar ] || die "activemq installed but /usr/share/activemq/bin/activemq.jar is missing"
fi
command -v java >/dev/null 2>&1 || die "java not found; install a JRE >= 17 (apt-get install default-jre-headless)"
sh "$ROOT/scripts/setup-kube.sh" || die "could not build the real control plane (scripts/setup-kube.sh; needs Go and the Go module proxy)"
"$ROOT/scripts/setup-jmx-exporter.sh" || die "fetching the JMX exporter agent failed (see above)"
sh "$ROOT/scripts/setup-javac.sh" || die "javac is needed by the OpenWire interop tests"
sh "$ROOT/scripts/setup-takeover-warmup.sh" || die "could not build the takeover warm-up agent (scripts/setup-takeover-warmup.sh)"
sh "$ROOT/scripts/setup-brokers.sh" || die "scripts/setup-brokers.sh failed"
