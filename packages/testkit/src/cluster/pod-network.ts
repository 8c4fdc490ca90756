// The stand-in pod network. The "containers" are local processes listening on loopback, but a real
// API server rejects loopback endpoint addresses (pkg/apis/core/validation ValidateEndpointIP: "may
// not be in the loopback range"), so the EndpointSlice controller could never publish such a pod.
// The stand-in kubelet therefore writes a pod IP from a pod CIDR, as a CNI's IPAM would, and the
// kube-proxy stand-in translates it back to the loopback address the process listens on. The
// translation is a fixed bijection (127.0.C.D <-> 10.244.C.D, flannel's default pod CIDR, outside
// the control plane's 10.96.0.0/12 Service range), so both sides agree without shared state.

/** The pod CIDR the stand-in kubelet allocates pod IPs from. */
export const STAND_IN_POD_CIDR = '10.244.0.0/16';

const LOCAL_PREFIX = '127.0.';
const POD_PREFIX = '10.244.';

/** The pod IP the API shows for a process listening on `localHost`; non-loopback hosts unchanged. */
export function podIPForLocalHost(localHost: string): string {
  if (localHost.startsWith(LOCAL_PREFIX)) return POD_PREFIX + localHost.slice(LOCAL_PREFIX.length);
  if (localHost.startsWith('127.') || localHost === '::1' || localHost === 'localhost')
    throw new Error(
      `${localHost}: the stand-in pod network maps only 127.0.0.0/16 to ${STAND_IN_POD_CIDR}; listen on 127.0.x.y`,
    );
  return localHost;
}

/** Where to connect for a pod IP of the stand-in network (the inverse of podIPForLocalHost). */
export function localHostForPodIP(podIP: string): string {
  return podIP.startsWith(POD_PREFIX) ? LOCAL_PREFIX + podIP.slice(POD_PREFIX.length) : podIP;
}
