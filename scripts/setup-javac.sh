#!/bin/sh
# The OpenWire interop tests compile small Java programs against ActiveMQ's own client jars
# (packages/openwire/test/java): they need javac, not only a JRE. Quiet when it is there.
set -eu
command -v javac >/dev/null 2>&1 && exit 0
echo "setup: installing a JDK for javac (apt-get install default-jdk-headless)" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || {
    echo "setup: javac is missing and installing a JDK needs root: run this as root, install sudo, or put a JDK >= 17's bin directory on PATH" >&2
    exit 1
  }
  SUDO="sudo"
fi
$SUDO apt-get update -qq >&2 || { echo "setup: apt-get update failed" >&2; exit 1; }
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq default-jdk-headless >&2 ||
  { echo "setup: apt-get install default-jdk-headless failed" >&2; exit 1; }
