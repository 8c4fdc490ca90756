// The stand-in pod network. A real API server rejects loopback endpoint addresses
// (pkg/apis/core/validation ValidateEndpointIP: "may not be in the loopback range"), so the pods
// the stand-in kubelet runs need addresses from a pod CIDR, as a CNI's IPAM would give them.
//
// Two ways to have them, picked once per process by `podNetwork()`:
// - routable: the process runs inside the private network namespace of scripts/pod-network.sh,
//   where 10.244.0.0/16 (pods) and 10.96.0.0/12 (Services) are local routes on `lo`. Brokers bind
//   their pod IP, clients connect to the addresses the EndpointSlice controller publishes, and a
//   kube-proxy stand-in can listen on a Service's ClusterIP, as in a cluster. Nothing on the host
//   changes.
// - mapped (the fallback when the namespace is not available): processes listen on loopback, the
//   kubelet publishes 127.0.C.D as 10.244.C.D and only the kube-proxy stand-in translates back,
//   so a client dialling EndpointSlice addresses cannot reach a pod.
// 10.244.0.0/16 is flannel's default pod CIDR, outside the control plane's 10.96.0.0/12.
import { createServer } from 'node:net';

/** The pod CIDR the stand-in kubelet allocates pod IPs from. */
export const STAND_IN_POD_CIDR = '10.244.0.0/16';
/** The Service CIDR of startControlPlane (its --service-cluster-ip-range). */
export const STAND_IN_SERVICE_CIDR = '10.96.0.0/12';

const LOCAL_PREFIX = '127.0.';
const POD_PREFIX = '10.244.';
/** An address the namespace makes local; outside the ranges pod IPs are taken from. */
const PROBE_ADDRESS = '10.244.255.254';

/** The pod IP the API shows for a process listening on `localHost`; non-loopback hosts unchanged. */
export function podIPForLocalHost(localHost: string): string {
  if (localHost.startsWith(LOCAL_PREFIX)) return POD_PREFIX + localHost.slice(LOCAL_PREFIX.length);
  if (localHost.startsWith('127.') || localHost === '::1' || localHost === 'localhost')
    throw new Error(
      `${localHost}: the stand-in pod network maps only 127.0.0.0/16 to ${STAND_IN_POD_CIDR}; listen on 127.0.x.y`,
    );
  return localHost;
}

/** Where to connect for a pod IP of the mapped stand-in network (the inverse of podIPForLocalHost). */
export function localHostForPodIP(podIP: string): string {
  return podIP.startsWith(POD_PREFIX) ? LOCAL_PREFIX + podIP.slice(POD_PREFIX.length) : podIP;
}

export type PodNetwork =
  | { readonly kind: 'routable' }
  | {
      readonly kind: 'mapped';
      /** Why pod IPs are not routable here, for a test's skip message. */
      readonly reason: string;
    };

/**
 * `count` distinct pod IPs for one group of pods in the routable network. The third octet is
 * random so that groups started by concurrent tests in one namespace rarely share an address (a
 * shared one still works: ports are allocated free per address).
 */
export function allocatePodIPs(count: number, random: () => number = Math.random): string[] {
  if (!Number.isInteger(count) || count < 1 || count > 200)
    throw new Error(`allocatePodIPs: count must be an integer from 1 to 200, got ${count}`);
  const subnet = 1 + Math.floor(random() * 254);
  return Array.from({ length: count }, (_, i) => `${POD_PREFIX}${subnet}.${10 + i}`);
}

/** Where to connect for an endpoint address in `network`. */
export function hostForPodIPIn(network: PodNetwork): (podIP: string) => string {
  return network.kind === 'routable' ? (podIP) => podIP : localHostForPodIP;
}

let detected: Promise<PodNetwork> | undefined;

/**
 * Whether this process is inside the routable stand-in pod network: scripts/pod-network.sh sets
 * ACTIVEMQ_HA_POD_NETWORK=netns inside its namespace, and an address of the pod CIDR must be
 * bindable (the env alone could be inherited wrongly). Detected once per process.
 */
export function podNetwork(env: NodeJS.ProcessEnv = process.env): Promise<PodNetwork> {
  detected ??= detectPodNetwork(env);
  return detected;
}

export async function detectPodNetwork(env: NodeJS.ProcessEnv): Promise<PodNetwork> {
  if (env.ACTIVEMQ_HA_POD_NETWORK !== 'netns') {
    const refused = env.ACTIVEMQ_HA_POD_NETWORK_REFUSED;
    return {
      kind: 'mapped',
      reason: refused
        ? `pod IPs are not routable: scripts/pod-network.sh could not enter a network namespace (${refused})`
        : 'pod IPs are not routable outside the stand-in pod network: run under sh scripts/pod-network.sh (npm test does)',
    };
  }
  const bound = await canBind(PROBE_ADDRESS);
  return bound === true
    ? { kind: 'routable' }
    : {
        kind: 'mapped',
        reason: `ACTIVEMQ_HA_POD_NETWORK=netns but ${PROBE_ADDRESS} is not local here (${bound}); is ${STAND_IN_POD_CIDR} routed to lo?`,
      };
}

function canBind(host: string): Promise<true | string> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    server.listen({ host, port: 0, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
