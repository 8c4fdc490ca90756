#!/bin/sh
# Builds the real Kubernetes control plane the real-API test tier runs against (kube-apiserver,
# kube-controller-manager, etcd) from the Go modules pinned in tools/kube and tools/etcd, when a
# binary of that version is not cached yet. The cache lives outside the clone, keyed by version,
# so a machine builds once for all its clones (CI clones afresh on the same machine):
#   ${ACTIVEMQ_HA_CACHE:-$HOME/.cache/activemq-ha}/bin/<component>-<version>/<component>
# GOCACHE/GOMODCACHE stay at Go's defaults, so a rebuild after a version bump reuses them.
# Prints the binaries' directories as KUBE_APISERVER_BIN=... lines when asked (--print).
set -eu
die() { echo "setup-kube: $*" >&2; exit 1; }

ROOT=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
CACHE="${ACTIVEMQ_HA_CACHE:-$HOME/.cache/activemq-ha}"
[ -x /usr/local/go/bin/go ] && PATH="/usr/local/go/bin:$PATH"
command -v go >/dev/null 2>&1 || die "go not found; install Go >= 1.26 (this machine kind has /usr/local/go)"

# The version each binary is built at, read from the wrapper modules (one place to bump).
module_version() { (cd "$ROOT/tools/$1" && GOFLAGS=-mod=mod go list -m -f '{{.Version}}' "$2"); }
KUBE_VERSION=$(module_version kube k8s.io/kubernetes)
ETCD_VERSION=$(module_version etcd go.etcd.io/etcd/server/v3)
[ -n "$KUBE_VERSION" ] && [ -n "$ETCD_VERSION" ] || die "cannot read versions from tools/kube/go.mod, tools/etcd/go.mod"

bin_dir() { echo "$CACHE/bin/$1-$2"; }

# go build into a scratch dir, then move each binary into place: a half-written binary from an
# interrupted build never looks cached.
build() { # build <module dir> <version> <ldflags> <component=package>...
  dir=$1 version=$2 ldflags=$3
  shift 3
  missing=""
  for spec in "$@"; do
    name=${spec%%=*}
    [ -x "$(bin_dir "$name" "$version")/$name" ] || missing="$missing $spec"
  done
  [ -n "$missing" ] || return 0
  scratch=$(mktemp -d "$CACHE/build.XXXXXX")
  pkgs=""
  for spec in $missing; do pkgs="$pkgs ${spec#*=}"; done
  echo "setup-kube: building$(for s in $missing; do printf ' %s' "${s%%=*}"; done) $version (Go modules; a cold build takes several minutes)" >&2
  start=$(date +%s)
  # shellcheck disable=SC2086 # pkgs is a list of package paths
  # nice 10: the machine is shared. -p: at nice 10 each compile weighs about a tenth of a normal
  # process, so a few more parallel compiles still take less than one process's share when the
  # machine is busy, and cost nothing but memory when it is idle.
  (cd "$ROOT/tools/$dir" && CGO_ENABLED=0 GOFLAGS=-mod=mod nice -n 10 go build -p "${ACTIVEMQ_HA_GO_BUILD_JOBS:-6}" -trimpath -ldflags "$ldflags" -o "$scratch/" $pkgs) ||
    { rm -rf "$scratch"; die "go build of$pkgs failed (see above)"; }
  for spec in $missing; do
    name=${spec%%=*} pkg=${spec#*=}
    # go build names a binary after the package's last path element, skipping a /vN suffix.
    out=${pkg##*/}
    case $out in v[0-9]*) out=${pkg%/*} out=${out##*/} ;; esac
    mkdir -p "$(bin_dir "$name" "$version")"
    mv "$scratch/$out" "$(bin_dir "$name" "$version")/$name"
  done
  rm -rf "$scratch"
  echo "setup-kube: built in $(($(date +%s) - start)) s" >&2
}

mkdir -p "$CACHE/bin"

# The version stamp kube-apiserver reports on /version (what hack/lib/version.sh sets).
kube_minor=${KUBE_VERSION#v1.}
kube_minor=${kube_minor%%.*}
kube_x=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  kube_x="$kube_x -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$kube_minor"
  kube_x="$kube_x -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done
build kube "$KUBE_VERSION" "-s -w$kube_x" \
  kube-apiserver=k8s.io/kubernetes/cmd/kube-apiserver \
  kube-controller-manager=k8s.io/kubernetes/cmd/kube-controller-manager

# etcd reports its version from a constant; only the commit is left to stamp.
build etcd "$ETCD_VERSION" "-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=$ETCD_VERSION" \
  etcd=go.etcd.io/etcd/server/v3

if [ "${1:-}" = "--print" ]; then
  echo "KUBE_APISERVER=$(bin_dir kube-apiserver "$KUBE_VERSION")/kube-apiserver"
  echo "KUBE_CONTROLLER_MANAGER=$(bin_dir kube-controller-manager "$KUBE_VERSION")/kube-controller-manager"
  echo "ETCD=$(bin_dir etcd "$ETCD_VERSION")/etcd"
fi
