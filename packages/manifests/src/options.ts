import type { BrokerProtocol } from './broker/protocols.js';

/** Requests and limits of one container, as Kubernetes quantities (`250m`, `1Gi`). */
export interface ResourceRequirements {
  readonly requests?: { readonly cpu?: string; readonly memory?: string };
  readonly limits?: { readonly cpu?: string; readonly memory?: string };
}

export interface BrokerOptions {
  /** @default 'apache/activemq-classic' */
  readonly image?: string;
  /**
   * Tag of the broker image: a release (`latest` and floating tags are refused), from a line
   * ActiveMQ supports (6.2.x or newer, 5.19.x) unless `allowUnsupported`. The version decides the
   * console's config layout (Jetty 12 from 6.3).
   * @default DEFAULT_BROKER_VERSION
   */
  readonly version?: string;
  /** Deploy a version from a line ActiveMQ no longer fixes (5.18.x, 6.1.x, ...). @default false */
  readonly allowUnsupported?: boolean;
  /** Pin the broker image by digest (`sha256:…`); the tag stays for readers. @default none */
  readonly imageDigest?: string;
  /**
   * How often a waiting broker retries the store lock (ActiveMQ's own default is 10 000 ms).
   * @default 1000
   */
  readonly lockAcquireSleepIntervalMs?: number;
  /**
   * How often the active broker re-checks its lock; above 0 and below the acquire interval. A broker
   * that wins the lock waits one period before serving, so it is part of every takeover.
   * @default 500
   */
  readonly lockKeepAlivePeriodMs?: number;
  /** Per-connector connection limit. @default 1000 */
  readonly maxConnections?: number;
  /** Largest accepted frame in bytes. @default 104857600 */
  readonly maxFrameSize?: number;
  /** JVM flags besides the ones the manifests need. @default '-XX:MaxRAMPercentage=75' */
  readonly javaOptions?: string;
  /** @default { requests: { cpu: '250m', memory: '1Gi' }, limits: { memory: '1Gi' } } */
  readonly resources?: ResourceRequirements;
}

export interface AgentOptions {
  /** @default 'ghcr.io/activemq-ha/agent' */
  readonly image?: string;
  /** Tag of the agent image. @default the version of this package */
  readonly version?: string;
  /** Pin the agent image by digest (`sha256:…`). @default none */
  readonly imageDigest?: string;
  /** Port of the agent's `/healthz`, `/readyz` and `/metrics`. @default 8080 */
  readonly httpPort?: number;
  /** @default 250 */
  readonly probeIntervalMs?: number;
  /** @default 1000 */
  readonly probeTimeoutMs?: number;
  /** Let the agent keep a coordination.k8s.io Lease naming the leader (adds RBAC for leases). @default false */
  readonly leases?: boolean;
  /** Extra command-line flags for the agent, e.g. `['--log-level=debug']`. @default [] */
  readonly extraArgs?: readonly string[];
  /** @default { requests: { cpu: '20m', memory: '64Mi' }, limits: { memory: '128Mi' } } */
  readonly resources?: ResourceRequirements;
}

export interface ServiceOptions {
  /** @default 'ClusterIP' */
  readonly type?: 'ClusterIP' | 'LoadBalancer';
  /** Only with type LoadBalancer. */
  readonly loadBalancerIP?: string;
  /** Annotations of the client Service, e.g. for a cloud load balancer. @default {} */
  readonly annotations?: Readonly<Record<string, string>>;
  /** Also publish the web console on the client Service (it then binds 0.0.0.0). @default false */
  readonly exposeConsole?: boolean;
}

export interface ConsoleOptions {
  /**
   * Run the admin web console (only `/admin`, basic auth from the credentials Secret). Unless
   * exposed it binds 127.0.0.1: reach it with `kubectl port-forward`.
   * @default true
   */
  readonly enabled?: boolean;
  /** @default 8161 */
  readonly port?: number;
}

export interface NfsOptions {
  /** NFS server host name or address. */
  readonly server: string;
  /** Exported path, absolute. */
  readonly path: string;
  /** @default ['nfsvers=4.1', 'hard', 'timeo=600', 'retrans=2', 'noresvport'] */
  readonly mountOptions?: readonly string[];
  /** Accept mount options that break the store lock (NFSv2/3, nolock, local_lock, soft). @default false */
  readonly force?: boolean;
}

/** The shared store: a generated NFS PersistentVolume, or a (ReadWriteMany) storage class. */
export interface StorageOptions {
  /** @default '10Gi' */
  readonly size?: string;
  /** Storage class of the claim; omit for the cluster's default class. Not with `nfs`. */
  readonly storageClassName?: string;
  /** Generate an NFS PersistentVolume and bind the claim to it. */
  readonly nfs?: NfsOptions;
}

export interface NetworkPolicyOptions {
  /** @default false */
  readonly enabled?: boolean;
  /** Labels a pod needs to reach the broker ports. @default { 'activemq-ha.io/client': 'true' } */
  readonly clientSelector?: Readonly<Record<string, string>>;
}

/** Everything `renderBase` and `render` take; every field is optional. */
export interface BaseOptions {
  /**
   * Names the objects and is the `app.kubernetes.io/name` label the Service and the agent select.
   * A DNS-1123 label starting with a letter.
   * @default 'activemq'
   */
  readonly name?: string;
  /** Brokers in the group: one active, the others waiting for the lock. @default 2 */
  readonly replicas?: number;
  /** Client protocols the brokers and the Service expose; needs openwire or stomp (the agent probes one). @default ['openwire', 'stomp'] */
  readonly protocols?: readonly BrokerProtocol[];
  /** `required` never puts two brokers on one node (pods stay Pending instead). @default 'preferred' */
  readonly antiAffinity?: 'preferred' | 'required';
  /** Time the agent gets to hand over and the broker to release its lock. @default 60 */
  readonly terminationGracePeriodSeconds?: number;
  /** User and group id both containers run as (the official image would run as root). @default 1000 */
  readonly runAsUser?: number;
  readonly broker?: BrokerOptions;
  readonly agent?: AgentOptions;
  readonly service?: ServiceOptions;
  readonly console?: ConsoleOptions;
  readonly storage?: StorageOptions;
  readonly networkPolicy?: NetworkPolicyOptions;
}

export interface CredentialsOptions {
  /** @default 'app' */
  readonly brokerUsername?: string;
  /** Password broker clients (and the agent's STOMP probe) log in with. No default, ever. */
  readonly brokerPassword: string;
  /** @default 'admin' */
  readonly consoleUsername?: string;
  /** Web console password; required while the console is enabled. No default, ever. */
  readonly consolePassword?: string;
}

/** What `renderOverlay` takes. `name` and `console` must agree with the base's. */
export interface OverlayOptions {
  /** @default 'activemq' */
  readonly name?: string;
  /** Namespace everything is deployed to. @default 'activemq' */
  readonly namespace?: string;
  /** Path from the overlay to the base. @default '../../base' */
  readonly basePath?: string;
  /** Add a Namespace that enforces the Pod Security "restricted" profile. @default true */
  readonly createNamespace?: boolean;
  /** @default { enabled: true } */
  readonly console?: Pick<ConsoleOptions, 'enabled'>;
  readonly credentials: CredentialsOptions;
}

export const DEFAULT_NAME = 'activemq';
export const DEFAULT_BROKER_IMAGE = 'apache/activemq-classic';
export { DEFAULT_BROKER_VERSION } from './broker/broker-version.js';
export const DEFAULT_AGENT_IMAGE = 'ghcr.io/activemq-ha/agent';
/** Kept equal to this package's version (a unit test checks), so agent and manifests match. */
export const DEFAULT_AGENT_VERSION = '0.1.0';
export const DEFAULT_NFS_MOUNT_OPTIONS: readonly string[] = [
  'nfsvers=4.1',
  'hard',
  'timeo=600',
  'retrans=2',
  'noresvport',
];
