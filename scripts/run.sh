#!/bin/sh
# Runs a command with the project's toolchain, installing it first if needed (see setup.sh).
set -eu
. "$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)/setup.sh"
exec "$@"
