#!/bin/sh
# Runs a command inside the stand-in pod network: a private network namespace (unshare --net;
# --map-root-user when not root) whose `lo` has local routes for the pod CIDR 10.244.0.0/16 and
# the Service CIDR 10.96.0.0/12. Any process in it can bind and connect to those addresses, so the
# real-target tier runs as in a cluster: brokers bind their pod IPs, clients dial the addresses the
# EndpointSlice controller publishes, a kube-proxy stand-in can listen on a ClusterIP. Nothing
# changes on the host (no host routes); the namespace has loopback only, no other network.
#
#   sh scripts/pod-network.sh npx vitest run --project integration packages/testkit/test/x.test.ts
#
# When a namespace cannot be had (unshare refused, no `ip`), the command runs on the host network
# with ACTIVEMQ_HA_POD_NETWORK_REFUSED set to the reason: the testkit then falls back to the
# mapped stand-in network (cluster/pod-network.ts) and the tests that need routable pod IPs skip,
# saying why.
set -eu
[ "$#" -gt 0 ] || { echo "usage: sh scripts/pod-network.sh COMMAND [ARG...]" >&2; exit 2; }
# Already inside (a nested call): run as is.
[ "${ACTIVEMQ_HA_POD_NETWORK:-}" = netns ] && exec "$@"

setup='ip link set lo up && ip route add local 10.244.0.0/16 dev lo && ip route add local 10.96.0.0/12 dev lo'
reason=""
if ! command -v unshare >/dev/null 2>&1; then
  reason="no unshare (util-linux)"
elif ! command -v ip >/dev/null 2>&1; then
  reason="no ip (iproute2)"
else
  for flags in "--net" "--net --map-root-user"; do
    # shellcheck disable=SC2086 # flags are two words on purpose
    if err=$(unshare $flags sh -c "$setup" 2>&1); then
      export ACTIVEMQ_HA_POD_NETWORK=netns
      # shellcheck disable=SC2086
      exec unshare $flags sh -c "$setup"' && exec "$@"' pod-network "$@"
    fi
    reason="unshare $flags: $(echo "$err" | head -n 1)"
  done
fi
echo "pod-network: $reason; running on the host network (tests needing routable pod IPs skip)" >&2
export ACTIVEMQ_HA_POD_NETWORK_REFUSED="$reason"
exec "$@"
