#!/bin/sh
# Builds the real Kubernetes control plane the real-API test tier runs against (kube-apiserver,
# kube-controller-manager, etcd) from the Go modules pinned in tools/kube and tools/etcd, when a
# binary of that version is not cached yet. The cache lives outside the clone, keyed by version,
# so a machine builds once for all its clones (CI clones afresh on the same machine):
#   ${ACTIVEMQ_HA_CACHE:-$HOME/.cache/activemq-ha}/bin/<component>-<version>/<component>
# GOCACHE/GOMODCACHE stay at Go's defaults, so a rebuild after a version bump reuses them.
#
#   sh scripts/setup-kube.sh               build what is missing now (after waiting for a build
#                                          that another run started, if one is running)
#   sh scripts/setup-kube.sh --wait        the same, for a caller that waits for a background
#                                          build (scripts/test.sh before the real-target tier):
#                                          if that build failed, show its log tail and fail
#   sh scripts/setup-kube.sh --background  start the build detached and return at once (nothing
#                                          to do when cached); ACTIVEMQ_HA_KUBE_BUILD=background
#                                          makes the plain call do this (.ci/run), so a cold build
#                                          overlaps lint, typecheck and the host-network tier
#   sh scripts/setup-kube.sh --print       build what is missing, then print KUBE_APISERVER=...
#
# One build at a time per cache (flock on $CACHE/kube-build.lock); the background build logs to
# $CACHE/kube-build.log and leaves "rc=N seconds=N" in $CACHE/kube-build.status.
# ACTIVEMQ_HA_GO names the go command (default: /usr/local/go/bin/go when present, else go);
# ACTIVEMQ_HA_GO_BUILD_NICE the kube build's nice level (10; etcd's is 5 more),
# ACTIVEMQ_HA_GO_BUILD_JOBS its go build -p (6).
set -eu
die() { echo "setup-kube: $*" >&2; exit 1; }

ROOT=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
CACHE="${ACTIVEMQ_HA_CACHE:-$HOME/.cache/activemq-ha}"
LOCK="$CACHE/kube-build.lock" LOG="$CACHE/kube-build.log" STATUS="$CACHE/kube-build.status"
GO=${ACTIVEMQ_HA_GO:-}
if [ -z "$GO" ]; then
  [ -x /usr/local/go/bin/go ] && PATH="/usr/local/go/bin:$PATH"
  GO=go
fi
mode=${1:-}
if [ -z "$mode" ] && [ "${ACTIVEMQ_HA_KUBE_BUILD:-}" = background ]; then mode=--background; fi
case $mode in
"" | --wait | --print | --background | --locked-build) ;;
*) die "unknown argument $mode (use --wait, --background or --print)" ;;
esac

# The version each binary is built at, read from the wrapper modules' go.mod (one place to bump)
# the way the test harness reads it (testkit control-plane/binaries.ts): a tidy go.mod lists the
# selected version, and seeing that everything is cached needs no Go at all.
module_version() { # module_version <tools dir> <module path>
  pattern=$(printf '%s' "$2" | sed 's/[.]/\\./g')
  sed -n "s|^[[:space:]]*\(require[[:space:]]\{1,\}\)\{0,1\}$pattern[[:space:]]\{1,\}\(v[^[:space:]]*\).*|\2|p" \
    "$ROOT/tools/$1/go.mod" | head -n 1
}
KUBE_VERSION=$(module_version kube k8s.io/kubernetes)
ETCD_VERSION=$(module_version etcd go.etcd.io/etcd/server/v3)
[ -n "$KUBE_VERSION" ] && [ -n "$ETCD_VERSION" ] || die "cannot read versions from tools/kube/go.mod, tools/etcd/go.mod"

bin_dir() { echo "$CACHE/bin/$1-$2"; }
cached() { [ -x "$(bin_dir "$1" "$2")/$1" ]; }
all_cached() {
  cached kube-apiserver "$KUBE_VERSION" && cached kube-controller-manager "$KUBE_VERSION" && cached etcd "$ETCD_VERSION"
}

# go build into a scratch dir, then move each binary into place: a half-written binary from an
# interrupted build never looks cached. Every step checks its status itself: `set -e` does not
# apply inside the `||` lists and background jobs this runs in.
build() { # build <nice> <module dir> <version> <ldflags> <component=package>...
  niceness=$1 dir=$2 version=$3 ldflags=$4
  shift 4
  missing=""
  for spec in "$@"; do
    cached "${spec%%=*}" "$version" || missing="$missing $spec"
  done
  [ -n "$missing" ] || return 0
  scratch=$(mktemp -d "$CACHE/build.XXXXXX") || die "cannot make a scratch dir in $CACHE"
  pkgs=""
  for spec in $missing; do pkgs="$pkgs ${spec#*=}"; done
  names=$(for s in $missing; do printf ' %s' "${s%%=*}"; done)
  echo "setup-kube: building$names $version (Go modules; a cold build takes several minutes)" >&2
  start=$(date +%s)
  # nice (10): the machine is shared (and in CI the tests run meanwhile). -p: at nice 10 each
  # compile weighs about a tenth of a normal process, so a few more parallel compiles still take
  # less than one process's share when the machine is busy, and cost nothing but memory when it is
  # idle. -dwarf=false: -ldflags -w drops the DWARF from the binaries anyway, so the compiler need
  # not make it (go build passes it only for go run/go test): ~10 % less compile CPU measured on a
  # cold std-heavy build, a binary of the same size whose only change is the recorded build flags.
  # shellcheck disable=SC2086 # pkgs is a list of package paths
  (cd "$ROOT/tools/$dir" && CGO_ENABLED=0 GOFLAGS=-mod=mod nice -n "$niceness" "$GO" build \
    -p "${ACTIVEMQ_HA_GO_BUILD_JOBS:-6}" -trimpath -gcflags=all=-dwarf=false -ldflags "$ldflags" \
    -o "$scratch/" $pkgs) ||
    { rm -rf "$scratch"; die "go build of$pkgs failed (see above)"; }
  for spec in $missing; do
    name=${spec%%=*} pkg=${spec#*=}
    # go build names a binary after the package's last path element, skipping a /vN suffix.
    out=${pkg##*/}
    case $out in v[0-9]*) out=${pkg%/*} out=${out##*/} ;; esac
    [ -f "$scratch/$out" ] || { rm -rf "$scratch"; die "go build left no $out for $name"; }
    mkdir -p "$(bin_dir "$name" "$version")" &&
      mv "$scratch/$out" "$(bin_dir "$name" "$version")/$name" ||
      { rm -rf "$scratch"; die "cannot move $name into $(bin_dir "$name" "$version")"; }
  done
  rm -rf "$scratch"
  echo "setup-kube: built$names in $(($(date +%s) - start)) s" >&2
}

# Both wrapper modules at once. The kube build is long and bound by its critical path (a cold
# one used 0.7 of 2 idle cores: 1693 CPU-s in 2379 s), so etcd, five nice levels lower, mostly
# fills idle cores (the kube build's module download, its big serial packages and links) instead
# of adding ~60 s after it.
build_all() {
  nice_kube=${ACTIVEMQ_HA_GO_BUILD_NICE:-10}
  nice_etcd=$((nice_kube + 5 > 19 ? 19 : nice_kube + 5))
  command -v "$GO" >/dev/null 2>&1 || die "go not found; install Go >= 1.26 (this machine kind has /usr/local/go)"
  # The version stamp kube-apiserver reports on /version (what hack/lib/version.sh sets).
  kube_minor=${KUBE_VERSION#v1.}
  kube_minor=${kube_minor%%.*}
  kube_x=""
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    kube_x="$kube_x -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$kube_minor"
    kube_x="$kube_x -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  build "$nice_kube" kube "$KUBE_VERSION" "-s -w$kube_x" \
    kube-apiserver=k8s.io/kubernetes/cmd/kube-apiserver \
    kube-controller-manager=k8s.io/kubernetes/cmd/kube-controller-manager &
  kube_pid=$!
  # etcd reports its version from a constant; only the commit is left to stamp.
  build "$nice_etcd" etcd "$ETCD_VERSION" "-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=$ETCD_VERSION" \
    etcd=go.etcd.io/etcd/server/v3 &
  etcd_pid=$!
  ok=0
  wait "$kube_pid" || ok=1
  wait "$etcd_pid" || ok=1
  return "$ok"
}

# Under the lock no other build runs: scratch dirs left behind are from a killed one.
locked_build_all() {
  rm -rf "$CACHE"/build.??????
  build_all
}

print_paths() {
  echo "KUBE_APISERVER=$(bin_dir kube-apiserver "$KUBE_VERSION")/kube-apiserver"
  echo "KUBE_CONTROLLER_MANAGER=$(bin_dir kube-controller-manager "$KUBE_VERSION")/kube-controller-manager"
  echo "ETCD=$(bin_dir etcd "$ETCD_VERSION")/etcd"
}

mkdir -p "$CACHE/bin" || die "cannot create $CACHE/bin"

if [ "$mode" = --locked-build ]; then
  # The detached build --background started. It inherited the lock on fd 9 and holds it until it
  # exits, status written.
  echo $$ >"$CACHE/kube-build.pid"
  [ -z "${ACTIVEMQ_HA_KUBE_BUILD_PIDFILE:-}" ] || echo $$ >"$ACTIVEMQ_HA_KUBE_BUILD_PIDFILE"
  start=$(date +%s)
  rc=0
  locked_build_all || rc=$?
  echo "rc=$rc seconds=$(($(date +%s) - start))" >"$STATUS"
  rm -f "$CACHE/kube-build.pid"
  exit "$rc"
fi

# --wait goes on to the lock even when all is cached: a background build may just have finished,
# and its report (how long it took) is read under the lock.
if [ "$mode" != --wait ] && all_cached; then
  [ "$mode" != --print ] || print_paths
  exit 0
fi

if ! command -v flock >/dev/null 2>&1 || ! command -v setsid >/dev/null 2>&1; then
  # Without util-linux's flock/setsid there is no background build and no waiting: build here.
  [ "$mode" != --background ] || echo "setup-kube: no flock/setsid; building in the foreground" >&2
  all_cached || build_all
  [ "$mode" != --print ] || print_paths
  exit 0
fi

exec 9>>"$LOCK"
if [ "$mode" = --background ]; then
  if ! flock -n 9; then
    echo "setup-kube: the control-plane build is already running (log: $LOG)" >&2
    exit 0
  fi
  # A build may have finished between the check above and the lock.
  all_cached && exit 0
  rm -f "$STATUS"
  echo "setup-kube: building the control plane in the background (nice 10, log: $LOG); scripts/test.sh waits for it before the real-target tier" >&2
  # setsid: its own session and process group (what .ci/run stops if it ends first); fd 9, the
  # lock, goes with it and stays held until the build has written its status.
  setsid sh "$0" --locked-build </dev/null >"$LOG" 2>&1 &
  exit 0
fi

if ! flock -n 9; then
  echo "setup-kube: waiting for the control-plane build running in the background (pid $(cat "$CACHE/kube-build.pid" 2>/dev/null || echo '?'), log: $LOG)" >&2
  waited=$(date +%s)
  flock 9
  echo "setup-kube: waited $(($(date +%s) - waited)) s for the background build" >&2
fi
if [ -f "$STATUS" ]; then
  # What the last background build did (scripts/test.sh shows it in CI's log).
  grep '^setup-kube: built' "$LOG" 2>/dev/null | sed 's/^setup-kube: /setup-kube: background build: /' >&2 || true
  if [ "$mode" = --wait ] && ! all_cached && ! grep -q '^rc=0 ' "$STATUS"; then
    echo "setup-kube: the background control-plane build failed ($(cat "$STATUS")); the last lines of $LOG:" >&2
    tail -n 40 "$LOG" | sed 's/^/  | /' >&2
    # Reported once: the next run builds afresh.
    rm -f "$STATUS"
    exit 1
  fi
  rm -f "$STATUS"
fi
all_cached || locked_build_all
[ "$mode" != --print ] || print_paths
