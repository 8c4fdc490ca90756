import type { AuthorizationEntry } from './broker/authorization-xml.js';
import type { BrokerProtocol } from './broker/protocols.js';
import type { RedeliveryOptions } from './broker/redelivery-xml.js';
import type { TakeoverProfile } from './broker/takeover-profiles.js';
import { MANIFESTS_VERSION } from './version.js';

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
   * Preset of the lock and checkpoint settings below; see docs/operations.md ("Takeover
   * profiles") for what each costs. `gentle` is the 1000/500 ms of earlier releases.
   * @default 'fast'
   */
  readonly takeover?: TakeoverProfile;
  /**
   * How often a waiting broker retries the store lock (ActiveMQ's own default is 10 000 ms); on
   * NFS each attempt is a LOCK call.
   * @default the takeover profile's (fast: 100)
   */
  readonly lockAcquireSleepIntervalMs?: number;
  /**
   * How often the active broker re-checks its lock; above 0 and below the acquire interval. A broker
   * that wins the lock waits one period before serving, so it is part of every takeover.
   * @default the takeover profile's (fast: 50)
   */
  readonly lockKeepAlivePeriodMs?: number;
  /**
   * KahaDB `checkpointInterval`: a new master replays the journal written since the last index
   * checkpoint (ActiveMQ's own default is 5000 ms).
   * @default the takeover profile's (fast: 250)
   */
  readonly checkpointIntervalMs?: number;
  /** Per-connector connection limit. @default 1000 */
  readonly maxConnections?: number;
  /** Largest accepted frame in bytes (ActiveMQ 6.3's default). @default 10485760 */
  readonly maxFrameSize?: number;
  /**
   * More JVM flags. Without `-Xmx`/`-XX:MaxRAMPercentage` the heap is derived from the memory
   * limit (limit minus 384 MiB or a quarter, whichever is more); a heap leaving less than 256 MiB
   * for the rest of the JVM is refused. `-XX:+ExitOnOutOfMemoryError` is always set (through
   * `JAVA_TOOL_OPTIONS`, so it survives an `ACTIVEMQ_OPTS` override).
   * @default ''
   * @example '-XX:+UseG1GC -Xmx768m'
   */
  readonly javaOptions?: string;
  /**
   * Load the takeover warm-up java agent into the broker JVM (copied from the agent image by the
   * `install-warmup` init container): a waiting broker rehearses the takeover once on a scratch
   * store of its own before it may take the real lock, so the new master runs warm code. Costs
   * and figures in docs/operations.md ("Takeover warm-up").
   * @default true
   */
  readonly takeoverWarmup?: boolean;
  /**
   * Requests and limits; a memory limit is always set (the heap is derived from it). Fields left
   * out keep their default; the memory request defaults to the memory limit.
   * @default { requests: { cpu: '250m', memory: '1Gi' }, limits: { memory: '1Gi' } }
   */
  readonly resources?: ResourceRequirements;
  /** Broker-side delayed redelivery and dead-letter queues (`false` turns it off). @default the defaults of RedeliveryOptions */
  readonly redelivery?: RedeliveryOptions | false;
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
  /** Extra command-line flags for the agent, e.g. `['--log-level=debug']`. @default [] */
  readonly extraArgs?: readonly string[];
  /** @default { requests: { cpu: '20m', memory: '96Mi' }, limits: { memory: '160Mi' } } */
  readonly resources?: ResourceRequirements;
}

export interface ServiceOptions {
  /** @default 'ClusterIP' */
  readonly type?: 'ClusterIP' | 'LoadBalancer';
  /**
   * Only with type LoadBalancer: which load balancer implementation serves it
   * (`spec.loadBalancerClass`, immutable once set). A fixed address is asked for with the
   * implementation's annotation instead of the deprecated `loadBalancerIP`, e.g.
   * `metallb.universe.tf/loadBalancerIPs` or `service.beta.kubernetes.io/azure-load-balancer-ipv4`.
   */
  readonly loadBalancerClass?: string;
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

/**
 * Broker metrics for Prometheus: the JMX exporter java agent in the broker JVM serves `/metrics`
 * (broker and per-destination figures, JVM memory). The official image has no such jar: build
 * `FROM apache/activemq-classic:<version>` plus one `COPY jmx_prometheus_javaagent-1.0.1.jar
 * /opt/jmx-exporter/jmx_prometheus_javaagent.jar` (the jar is on Maven Central) and set
 * `broker.image` to it.
 */
export interface MetricsOptions {
  /** @default false */
  readonly enabled?: boolean;
  /** Port of the broker's `/metrics`. @default 9404 */
  readonly port?: number;
  /** The agent jar inside the broker image. @default '/opt/jmx-exporter/jmx_prometheus_javaagent.jar' */
  readonly javaagentJar?: string;
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

/**
 * The shared store: a generated NFS PersistentVolume, or a ReadWriteMany storage class. One of
 * `nfs` and `storageClassName` is required: the cluster's default class is usually ReadWriteOnce
 * only, and a ReadWriteMany claim on it stays Pending.
 */
export interface StorageOptions {
  /** Size of the claim; the broker's store limit is 80% of it. @default '10Gi' */
  readonly size?: string;
  /** A ReadWriteMany storage class for the claim (e.g. an NFS CSI class). Not with `nfs`. */
  readonly storageClassName?: string;
  /** Generate an NFS PersistentVolume reserved (claimRef) for the claim of the overlay's namespace. */
  readonly nfs?: NfsOptions;
  /** Size of the emptyDir that holds the temp store (non-persistent messages spooled to disk). @default '1Gi' */
  readonly tempSize?: string;
}

/**
 * Who reaches the broker ports: pods of the broker's own namespace that carry `clientSelector`,
 * pods with those labels in the namespaces listed in `clientNamespaces`, and the networks of
 * `externalCidrs` (needed with a LoadBalancer Service, whose clients are outside the cluster).
 */
export interface NetworkPolicyOptions {
  /** @default true */
  readonly enabled?: boolean;
  /** Labels a pod needs to reach the broker ports. @default { 'activemq-ha.io/client': 'true' } */
  readonly clientSelector?: Readonly<Record<string, string>>;
  /** Other namespaces whose labelled pods may connect (matched by `kubernetes.io/metadata.name`). @default [] */
  readonly clientNamespaces?: readonly string[];
  /** Networks outside the cluster that may connect, e.g. `['203.0.113.0/24']`. @default [] */
  readonly externalCidrs?: readonly string[];
}

/**
 * The broker's certificate for the `openwire-tls` (`ssl://`, 61617) and `stomp-tls`
 * (`stomp+ssl://`, 61612) protocols: a PKCS12 keystore in a Secret, written by cert-manager
 * (`certManager`) or by you, and its password in another Secret (cert-manager's
 * `keystores.pkcs12.passwordSecretRef` names the same one). The broker reads the keystore at
 * start: a renewed certificate is served after the pods restart (e.g. `kubectl rollout restart`).
 */
export interface TlsOptions {
  /** Secret holding the keystore. @default '<name>-tls' */
  readonly secretName?: string;
  /** Key of the keystore in that Secret (cert-manager writes `keystore.p12`). @default 'keystore.p12' */
  readonly keystoreKey?: string;
  /** Where the keystore password is. @default { name: '<name>-tls-password', key: 'password' } */
  readonly passwordSecret?: { readonly name: string; readonly key: string };
  /** Let cert-manager issue the certificate: the base gets a Certificate writing `secretName`. */
  readonly certManager?: {
    /** Name of the Issuer or ClusterIssuer. */
    readonly issuerName: string;
    /** @default 'Issuer' */
    readonly issuerKind?: 'Issuer' | 'ClusterIssuer';
    /** Names besides the Service's own (`<service>`, `<service>.<namespace>.svc`, `….cluster.local`). @default [] */
    readonly dnsNames?: readonly string[];
  };
}

/** A broker user besides the overlay's broker user; its password is in the credentials Secret. */
export interface SecurityUser {
  /** Letters, digits, ".", "_" or "-". */
  readonly username: string;
  /** Groups the authorization entries name. */
  readonly groups: readonly string[];
}

/**
 * Several broker users and per-destination authorization. Each user's password is the key
 * `userPasswordKey(username)` of the credentials Secret (`init` generates it and keeps it on
 * re-runs; with an existing Secret, add the key yourself).
 */
export interface SecurityOptions {
  /**
   * Groups of the overlay's broker user (`ACTIVEMQ_USERNAME`): the agent's STOMP probe and the web
   * console's browsing log in as it, and clients by default.
   * @default ['users']
   */
  readonly brokerUserGroups?: readonly string[];
  /** @default [] */
  readonly users?: readonly SecurityUser[];
  /**
   * Who may read, write and admin which queues and topics. When given, a destination no entry
   * matches is refused to everyone; the advisory topics (`ActiveMQ.Advisory.>`, which every JMS
   * client needs) and temporary destinations are granted to every group. Unset: every
   * authenticated user may do everything.
   * @example [{ queue: 'orders.>', write: ['shop'], read: ['billing'], admin: ['shop', 'billing'] }]
   */
  readonly authorization?: readonly AuthorizationEntry[];
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
  /** Required: where the shared store lives (see StorageOptions). */
  readonly storage: StorageOptions;
  readonly networkPolicy?: NetworkPolicyOptions;
  readonly metrics?: MetricsOptions;
  /** The keystore of the `-tls` protocols; its defaults apply when one is listed. */
  readonly tls?: TlsOptions;
  readonly security?: SecurityOptions;
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
  /** Passwords of the base's `security.users`, by username. @default {} */
  readonly userPasswords?: Readonly<Record<string, string>>;
}

/**
 * GitOps: no credentials in the overlay. A Secret named `<name>-credentials` with the keys
 * `ACTIVEMQ_USERNAME`, `ACTIVEMQ_PASSWORD` and (with the console) `jetty-realm.properties` is
 * created by other means (Sealed Secrets, External Secrets, `kubectl create secret`).
 */
export interface ExistingSecretCredentials {
  readonly existingSecret: true;
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
  /**
   * The base has a generated NFS PersistentVolume (`storage.nfs`): bind it to this namespace's
   * claim (its name gets the namespace, its claimRef the claim). Must agree with the base.
   * @default false
   */
  readonly nfsVolume?: boolean;
  /**
   * The base has a cert-manager Certificate (`tls.certManager`): put this namespace into its
   * DNS names. Must agree with the base. @default false
   */
  readonly certificate?: boolean;
  readonly credentials: CredentialsOptions | ExistingSecretCredentials;
  /** Add the monitoring Component (a PodMonitor for the agent's and the broker's `/metrics`). @default false */
  readonly monitoring?: boolean;
  /**
   * Add the network-policy Component (the base's `networkPolicy` settings). `render` and the CLI
   * default it to the base's `networkPolicy.enabled`.
   * @default true
   */
  readonly networkPolicy?: boolean;
  /**
   * Add the load-balancer Component: the client Service becomes type LoadBalancer (with the
   * base's `service.loadBalancerClass`). `render` and the CLI default it to the base's
   * `service.type`.
   * @default false
   */
  readonly loadBalancer?: boolean;
  /**
   * Add the TLS Component (the base's `-tls` protocols and `tls` settings), when the base also has
   * a plain connector; a TLS-only base has TLS built in. `render` and the CLI default it to on
   * when the base lists a `-tls` protocol.
   * @default false
   */
  readonly tls?: boolean;
  /** Also put the Namespace into the overlay's build, so `kubectl delete -k` deletes it. @default false */
  readonly namespaceInBuild?: boolean;
}

export const DEFAULT_NAME = 'activemq';
export const DEFAULT_BROKER_IMAGE = 'apache/activemq-classic';
export { DEFAULT_BROKER_VERSION } from './broker/broker-version.js';
/** Stands for the overlay's namespace in the base's PersistentVolume until the overlay replaces it. */
export const NAMESPACE_PLACEHOLDER = 'NAMESPACE';
export const DEFAULT_AGENT_IMAGE = 'ghcr.io/activemq-ha/agent';
/** The credentials Secret's key (and the broker's variable) holding a `security.users` password. */
export function userPasswordKey(username: string): string {
  return `ACTIVEMQ_PASSWORD_${username.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}
/** This package's version (from package.json); `--version` prints it. */
export const PACKAGE_VERSION = MANIFESTS_VERSION;
/** The agent image tag defaults to the package version, so agent and manifests match. */
export const DEFAULT_AGENT_VERSION = PACKAGE_VERSION;
/**
 * How to build and push the agent image (at the root of a checkout of the repository, with Docker
 * or Podman); `<registry>` is yours. The default image is not published anywhere.
 */
export function agentImageBuildCommand(repository = '<registry>/activemq-ha/agent'): string {
  const image = `${repository}:${PACKAGE_VERSION}`;
  return `docker build -f packages/agent/Dockerfile -t ${image} . && docker push ${image}`;
}
export const DEFAULT_NFS_MOUNT_OPTIONS: readonly string[] = [
  'nfsvers=4.1',
  'hard',
  'timeo=600',
  'retrans=2',
  'noresvport',
];
