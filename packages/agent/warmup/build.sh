#!/bin/sh
# Builds the takeover warm-up java agent (see src/activemqha/warmup/TakeoverWarmupAgent.java) into
# the jar named by $1. Plain JDK, no ActiveMQ jars: the agent reaches the broker by reflection.
# Class files for Java 11, the oldest JVM of the official broker images (5.18's).
# Used by scripts/setup-takeover-warmup.sh and packages/agent/Dockerfile.
set -eu
[ $# -eq 1 ] || { echo "usage: build.sh OUT.jar" >&2; exit 2; }
HERE=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
command -v javac >/dev/null 2>&1 || { echo "build.sh: javac not found (a JDK >= 11; scripts/setup-javac.sh installs one)" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# shellcheck disable=SC2046 # file names without spaces
javac --release 11 -Xlint:all -Werror -d "$WORK/classes" $(find "$HERE/src" -name '*.java' | LC_ALL=C sort)
jar --create --file "$WORK/out.jar" --manifest "$HERE/MANIFEST.MF" -C "$WORK/classes" .
mkdir -p "$(dirname -- "$1")"
# Moved into place whole: a JVM must never read a half-written agent jar.
cp "$WORK/out.jar" "$1.tmp.$$" && mv "$1.tmp.$$" "$1"
