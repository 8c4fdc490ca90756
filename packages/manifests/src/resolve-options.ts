import { z } from 'zod';
import { checkBrokerVersion } from './broker/broker-version.js';
import { heapChoice, MIN_BROKER_MEMORY_BYTES } from './broker/jvm-memory.js';
import { BROKER_PROTOCOLS, type BrokerProtocol } from './broker/protocols.js';
import { DEFAULT_REDELIVERY } from './broker/redelivery-xml.js';
import {
  DEFAULT_TAKEOVER_PROFILE,
  TAKEOVER_PROFILE_NAMES,
  TAKEOVER_PROFILES,
  type TakeoverProfile,
} from './broker/takeover-profiles.js';
import { ManifestsError } from './errors.js';
import {
  type BaseOptions,
  DEFAULT_AGENT_IMAGE,
  DEFAULT_AGENT_VERSION,
  DEFAULT_BROKER_IMAGE,
  DEFAULT_BROKER_VERSION,
  DEFAULT_NAME,
  DEFAULT_NFS_MOUNT_OPTIONS,
  type OverlayOptions,
} from './options.js';
import { quantityValue } from './resources/quantity.js';
import { securitySchema, tlsProblem, tlsSchema, username } from './security-schema.js';
import { namesNfsVersion, unsafeNfsMountOption } from './storage/nfs-mount-options.js';
import {
  annotationMap,
  dns1123Label,
  fieldName,
  imageDigest,
  imageRepository,
  imageTag,
  isLabelKey,
  labelMap,
  objectName,
  port,
  positiveInt,
  quantity,
  resources,
} from './validation.js';
import { issueText } from './validation-messages.js';

/** What the agent can probe (agentContainer picks one). */
const PROBED_PROTOCOLS: readonly BrokerProtocol[] = [
  'openwire',
  'stomp',
  'openwire-tls',
  'stomp-tls',
];

const protocol = z.enum(Object.keys(BROKER_PROTOCOLS) as [BrokerProtocol, ...BrokerProtocol[]], {
  error: (issue) =>
    `unknown protocol ${JSON.stringify(issue.input)}; use one of ${Object.keys(BROKER_PROTOCOLS).join(', ')}`,
});

const nfs = z
  .strictObject({
    server: z
      .string()
      .trim()
      .min(1, 'must name the NFS server')
      .regex(/^[A-Za-z0-9.:[\]-]+$/, 'must be a host name or an IP address'),
    path: z.string().regex(/^\/[^\s]*$/, 'must be an absolute path without spaces'),
    mountOptions: z
      .array(z.string().regex(/^[^\s,]+$/, 'must be one mount option without spaces or commas'))
      .default([...DEFAULT_NFS_MOUNT_OPTIONS]),
    force: z.boolean().default(false),
  })
  .superRefine((value, ctx) => {
    if (value.force) return;
    if (!value.mountOptions.some(namesNfsVersion)) {
      ctx.addIssue({
        code: 'custom',
        path: ['mountOptions'],
        message:
          'must name the NFS version (e.g. nfsvers=4.1): without it the client negotiates and may mount NFSv3, whose locks never expire (or set force)',
      });
    }
    value.mountOptions.forEach((option, i) => {
      const problem = unsafeNfsMountOption(option);
      if (problem) {
        ctx.addIssue({
          code: 'custom',
          path: ['mountOptions', i],
          message: `${problem} (or set force)`,
        });
      }
    });
  });

const baseSchema = z
  .strictObject({
    name: objectName.default(DEFAULT_NAME),
    replicas: positiveInt.max(9, 'more than 9 brokers only add lock contention').default(2),
    protocols: z
      .array(protocol)
      .min(1, 'needs at least one protocol')
      .refine((list) => new Set(list).size === list.length, 'lists a protocol twice')
      .refine(
        (list) => list.some((p) => PROBED_PROTOCOLS.includes(p)),
        'needs openwire, stomp, openwire-tls or stomp-tls: the agent probes the broker over one of them',
      )
      .default(['openwire', 'stomp']),
    antiAffinity: z.enum(['preferred', 'required']).default('preferred'),
    terminationGracePeriodSeconds: positiveInt.max(3600).default(60),
    runAsUser: positiveInt.default(1000),
    broker: z
      .strictObject({
        image: imageRepository.default(DEFAULT_BROKER_IMAGE),
        version: imageTag.default(DEFAULT_BROKER_VERSION),
        takeover: z
          .enum(TAKEOVER_PROFILE_NAMES as [TakeoverProfile, ...TakeoverProfile[]])
          .default(DEFAULT_TAKEOVER_PROFILE),
        allowUnsupported: z.boolean().default(false),
        imageDigest: imageDigest.optional(),
        lockAcquireSleepIntervalMs: positiveInt.optional(),
        lockKeepAlivePeriodMs: positiveInt.optional(),
        checkpointIntervalMs: positiveInt.optional(),
        maxConnections: positiveInt.default(1000),
        maxFrameSize: positiveInt.default(10_485_760),
        javaOptions: z
          .string()
          .regex(/^[^\n"'`$\\]*$/, 'must be plain JVM flags without quotes, "$" or backslashes')
          .default(''),
        takeoverWarmup: z.boolean().default(true),
        resources: resources({ cpuRequest: '250m', memoryLimit: '1Gi' }),
        redelivery: z
          .union([
            z.literal(false),
            z.strictObject({
              maximumRedeliveries: z
                .number()
                .int()
                .min(0)
                .default(DEFAULT_REDELIVERY.maximumRedeliveries),
              // ActiveMQ's RedeliveryPlugin refuses to start below 1000 ms (the rejected message
              // must be acknowledged before its copy comes back).
              initialDelayMs: z
                .number()
                .int()
                .min(1000, 'must be at least 1000: ActiveMQ refuses shorter redelivery delays')
                .default(DEFAULT_REDELIVERY.initialDelayMs),
              backOffMultiplier: z.number().min(1).default(DEFAULT_REDELIVERY.backOffMultiplier),
              maximumDelayMs: positiveInt.default(DEFAULT_REDELIVERY.maximumDelayMs),
              deadLetterQueuePrefix: z
                .string()
                .regex(/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/, 'must be letters, digits, ".", "_" or "-"')
                .default(DEFAULT_REDELIVERY.deadLetterQueuePrefix),
            }),
          ])
          .prefault({}),
      })
      // Settings not given come from the takeover profile, so the resolved options say what runs.
      .transform((b) => ({ ...TAKEOVER_PROFILES[b.takeover], ...definedOnly(b) }))
      .superRefine((b, ctx) => {
        const limit = b.resources.limits.memory;
        const limitBytes = quantityValue(limit);
        if (limitBytes < MIN_BROKER_MEMORY_BYTES) {
          ctx.addIssue({
            code: 'custom',
            path: ['resources', 'limits', 'memory'],
            message: `${limit} is too small for a broker: it needs at least 768Mi (a 384Mi heap plus the rest of the JVM)`,
          });
        } else {
          const problem = heapChoice(b.javaOptions, limitBytes, limit).problem;
          if (problem) ctx.addIssue({ code: 'custom', path: ['javaOptions'], message: problem });
        }
        try {
          checkBrokerVersion(b.version, b.allowUnsupported, 'version');
        } catch (error) {
          // The message starts with the field name, which zod's path already gives.
          ctx.addIssue({
            code: 'custom',
            path: ['version'],
            message: (error as Error).message.replace(/^version: /, ''),
          });
        }
        if (b.lockKeepAlivePeriodMs >= b.lockAcquireSleepIntervalMs) {
          ctx.addIssue({
            code: 'custom',
            path: ['lockKeepAlivePeriodMs'],
            message: `must be below lockAcquireSleepIntervalMs (${b.lockAcquireSleepIntervalMs}), got ${b.lockKeepAlivePeriodMs}`,
          });
        }
      })
      .prefault({}),
    agent: z
      .strictObject({
        image: imageRepository.default(DEFAULT_AGENT_IMAGE),
        version: imageTag.default(DEFAULT_AGENT_VERSION),
        imageDigest: imageDigest.optional(),
        httpPort: port.default(8080),
        probeIntervalMs: positiveInt.default(100),
        probeTimeoutMs: positiveInt.default(1000),
        // Not in AgentOptions any more: accepted only to explain what replaced it.
        leases: z.unknown().optional(),
        extraArgs: z
          .array(z.string().regex(/^--[a-z]/, 'must be a flag such as --log-level=debug'))
          .default([]),
        // Measured through the chaos soak (Node 24, without the image's V8 flags): agent RSS p50
        // about 90 MiB, peak 101 MiB (docs/benchmarks.md, "Agent memory"). The limit keeps >= 50 %
        // over that peak (an OOM kill is a SIGKILL without release); the request covers the p50.
        resources: resources({ cpuRequest: '20m', memoryRequest: '96Mi', memoryLimit: '160Mi' }),
      })
      .superRefine((a, ctx) => {
        if (a.leases !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['leases'],
            message:
              'is obsolete: the agent always keeps the group Lease now and the Role always grants it; remove the option (CLI: drop --leases)',
          });
      })
      .prefault({}),
    service: z
      .strictObject({
        type: z.enum(['ClusterIP', 'LoadBalancer']).default('ClusterIP'),
        loadBalancerClass: z
          .string()
          .refine(isLabelKey, 'must be a label-style name such as example.com/internal-vip')
          .optional(),
        // Not in ServiceOptions: accepted only to explain what replaces it.
        loadBalancerIP: z.unknown().optional(),
        annotations: annotationMap.default({}),
        exposeConsole: z.boolean().default(false),
      })
      .superRefine((s, ctx) => {
        if (s.loadBalancerIP !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['loadBalancerIP'],
            message:
              "is deprecated since Kubernetes 1.24 and ignored by several implementations; ask for the address with your load balancer's annotation (e.g. metallb.universe.tf/loadBalancerIPs=10.1.2.3, service.beta.kubernetes.io/azure-load-balancer-ipv4=...) and choose the implementation with loadBalancerClass",
          });
        }
        if (s.loadBalancerClass !== undefined && s.type !== 'LoadBalancer') {
          ctx.addIssue({
            code: 'custom',
            path: ['loadBalancerClass'],
            message: 'needs service.type LoadBalancer',
          });
        }
      })
      .prefault({}),
    console: z
      .strictObject({ enabled: z.boolean().default(true), port: port.default(8161) })
      .prefault({}),
    storage: z
      .strictObject({
        size: quantity.default('10Gi'),
        storageClassName: z
          .string()
          .regex(
            /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
            'must be a storage class name (DNS-1123 subdomain)',
          )
          .optional(),
        nfs: nfs.optional(),
        tempSize: quantity.default('1Gi'),
      })
      .superRefine((s, ctx) => {
        if (!s.nfs && s.storageClassName === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [],
            message:
              'choose where the shared store lives: storage.nfs { server, path } generates an NFS PersistentVolume (CLI: --nfs-server and --nfs-path), or storage.storageClassName names a ReadWriteMany storage class (CLI: --storage-class). The default class is usually ReadWriteOnce only, and a ReadWriteMany claim on it stays Pending',
          });
        }
        if (s.nfs && s.storageClassName !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['storageClassName'],
            message: 'set either storageClassName or nfs, not both',
          });
        }
      })
      .prefault({}),
    metrics: z
      .strictObject({
        enabled: z.boolean().default(false),
        port: port.default(9404),
        javaagentJar: z
          .string()
          .regex(/^\/[^\s:=]+\.jar$/, 'must be the absolute path of a .jar inside the broker image')
          .default('/opt/jmx-exporter/jmx_prometheus_javaagent.jar'),
      })
      .prefault({}),
    networkPolicy: z
      .strictObject({
        enabled: z.boolean().default(true),
        clientSelector: labelMap
          .refine((m) => Object.keys(m).length > 0, 'needs at least one label')
          .default({ 'activemq-ha.io/client': 'true' }),
        clientNamespaces: z.array(dns1123Label).default([]),
        externalCidrs: z
          .array(
            z.union([z.cidrv4(), z.cidrv6()], { error: 'must be a CIDR such as 203.0.113.0/24' }),
          )
          .default([]),
      })
      .prefault({}),
    tls: tlsSchema.optional(),
    security: securitySchema.prefault({}),
  })
  .superRefine((o, ctx) => {
    const tls = tlsProblem(o.protocols, o.tls !== undefined);
    if (tls) ctx.addIssue({ code: 'custom', path: ['tls'], message: tls });
    const ports = new Map<number, string>();
    const claim = (p: number, what: string, path: PropertyKey[]) => {
      const other = ports.get(p);
      if (other)
        ctx.addIssue({ code: 'custom', path, message: `port ${p} is already used by ${other}` });
      ports.set(p, what);
    };
    for (const p of o.protocols) claim(BROKER_PROTOCOLS[p].port, p, ['protocols']);
    if (o.console.enabled) claim(o.console.port, 'the web console', ['console', 'port']);
    claim(o.agent.httpPort, 'the agent', ['agent', 'httpPort']);
    if (o.metrics.enabled) claim(o.metrics.port, 'the broker metrics', ['metrics', 'port']);
    if (
      o.networkPolicy.enabled &&
      o.service.type === 'LoadBalancer' &&
      o.networkPolicy.externalCidrs.length === 0
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['networkPolicy', 'externalCidrs'],
        message:
          "a LoadBalancer's clients are outside the cluster and the NetworkPolicy would drop them: list their networks (e.g. 203.0.113.0/24), or turn the policy off",
      });
    }
    if (o.service.exposeConsole && !o.console.enabled) {
      ctx.addIssue({
        code: 'custom',
        path: ['service', 'exposeConsole'],
        message: 'needs console.enabled',
      });
    }
  });

/**
 * Passwords end up in an env file, a jetty realm file (where "," separates roles) and a Spring
 * placeholder value (where "${" would be expanded), so those characters are refused.
 */
const password = z
  .string()
  .min(12, 'must be at least 12 characters')
  .max(128)
  .regex(
    /^[A-Za-z0-9._~!@#%^&*+=:;?/-]+$/,
    'may only contain letters, digits and ._~!@#%^&*+=:;?/- (no spaces, quotes, "," "$" or "\\")',
  );

const overlaySchema = z
  .strictObject({
    name: objectName.default(DEFAULT_NAME),
    namespace: dns1123Label.default('activemq'),
    basePath: z
      .string()
      .min(1)
      .regex(/^[^\s]+$/, 'must be a relative path without spaces')
      .refine((p) => !p.startsWith('/'), 'must be relative to the overlay directory')
      .default('../../base'),
    createNamespace: z.boolean().default(true),
    namespaceInBuild: z.boolean().default(false),
    monitoring: z.boolean().default(false),
    networkPolicy: z.boolean().default(true),
    loadBalancer: z.boolean().default(false),
    tls: z.boolean().default(false),
    console: z.strictObject({ enabled: z.boolean().default(true) }).prefault({}),
    nfsVolume: z.boolean().default(false),
    certificate: z.boolean().default(false),
    credentials: z
      .strictObject({
        existingSecret: z.boolean().default(false),
        brokerUsername: username.default('app'),
        brokerPassword: password.optional(),
        consoleUsername: username.default('admin'),
        consolePassword: password.optional(),
        userPasswords: z.record(username, password).default({}),
      })
      .superRefine((c, ctx) => {
        if (c.existingSecret) {
          if (Object.keys(c.userPasswords).length > 0)
            ctx.addIssue({
              code: 'custom',
              path: ['userPasswords'],
              message: 'not with existingSecret: the existing Secret holds the passwords',
            });
          for (const key of ['brokerPassword', 'consolePassword'] as const) {
            if (c[key] !== undefined)
              ctx.addIssue({
                code: 'custom',
                path: [key],
                message: 'not with existingSecret: the existing Secret holds the passwords',
              });
          }
        } else if (c.brokerPassword === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['brokerPassword'],
            message: 'is required (there is no default password), unless existingSecret is set',
          });
        }
      }),
  })
  .superRefine((o, ctx) => {
    const refused = systemNamespaceProblem(o.namespace, o.createNamespace);
    if (refused) ctx.addIssue({ code: 'custom', path: ['namespace'], message: refused });
    if (
      o.console.enabled &&
      !o.credentials.existingSecret &&
      o.credentials.consolePassword === undefined
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['credentials', 'consolePassword'],
        message: 'is required while the web console is enabled (there is no default password)',
      });
    }
  });

export type ResolvedBaseOptions = z.output<typeof baseSchema>;
export type ResolvedOverlayOptions = z.output<typeof overlaySchema>;

// Compile-time guard: everything the documented interfaces allow, the schemas accept.
type DeepReadonly<T> = T extends (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;
const _baseInput: (o: BaseOptions) => DeepReadonly<z.input<typeof baseSchema>> = (o) => o;
const _overlayInput: (o: OverlayOptions) => DeepReadonly<z.input<typeof overlaySchema>> = (o) => o;
void _baseInput;
void _overlayInput;

/**
 * Namespaces a broker group never goes to. The kube-* ones belong to the control plane (and are
 * often exempt from admission, so "restricted" would not even hold); `default` is shared with
 * everything deployed without thought, so the overlay may not create (relabel) or own it.
 */
export function systemNamespaceProblem(namespace: string, create: boolean): string | undefined {
  if (['kube-system', 'kube-public', 'kube-node-lease'].includes(namespace))
    return `"${namespace}" belongs to Kubernetes itself; deploy the brokers to a namespace of their own`;
  if (namespace === 'default' && create)
    return '"default" is shared: the overlay would label it enforce=restricted and own it; use a namespace of its own, or do not create it';
  return undefined;
}

export function resolveBaseOptions(options: BaseOptions): ResolvedBaseOptions {
  return parse(baseSchema, options);
}

export function resolveOverlayOptions(options: OverlayOptions): ResolvedOverlayOptions {
  return parse(overlaySchema, options);
}

function parse<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => ({
    field: fieldName(issue.path),
    message: issueText(issue),
  }));
  const [first] = problems as [{ field: string; message: string }];
  throw new ManifestsError(
    'INVALID_OPTION',
    problems.map((p) => `${p.field}: ${p.message}`).join('\n'),
    first.field,
    { problems },
  );
}

/** `value` without its undefined properties, so spreading it keeps earlier defaults. */
export function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
