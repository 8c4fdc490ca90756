import { z } from 'zod';
import { checkBrokerVersion } from './broker/broker-version.js';
import { BROKER_PROTOCOLS, type BrokerProtocol } from './broker/protocols.js';
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
import { unsafeNfsMountOption } from './storage/nfs-mount-options.js';
import {
  annotationMap,
  dns1123Label,
  fieldName,
  imageDigest,
  imageRepository,
  imageTag,
  labelMap,
  objectName,
  port,
  positiveInt,
  quantity,
  resources,
} from './validation.js';

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
        (list) => list.includes('openwire') || list.includes('stomp'),
        'needs openwire or stomp: the agent probes the broker over one of them',
      )
      .default(['openwire', 'stomp']),
    antiAffinity: z.enum(['preferred', 'required']).default('preferred'),
    terminationGracePeriodSeconds: positiveInt.max(3600).default(60),
    runAsUser: positiveInt.default(1000),
    broker: z
      .strictObject({
        image: imageRepository.default(DEFAULT_BROKER_IMAGE),
        version: imageTag.default(DEFAULT_BROKER_VERSION),
        allowUnsupported: z.boolean().default(false),
        imageDigest: imageDigest.optional(),
        lockAcquireSleepIntervalMs: positiveInt.default(1000),
        lockKeepAlivePeriodMs: positiveInt.default(500),
        maxConnections: positiveInt.default(1000),
        maxFrameSize: positiveInt.default(104_857_600),
        javaOptions: z
          .string()
          .regex(/^[^\n"'`$\\]*$/, 'must be plain JVM flags without quotes, "$" or backslashes')
          .default('-XX:MaxRAMPercentage=75'),
        resources: resources.default({
          requests: { cpu: '250m', memory: '1Gi' },
          limits: { memory: '1Gi' },
        }),
      })
      .superRefine((b, ctx) => {
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
        leases: z.boolean().default(false),
        extraArgs: z
          .array(z.string().regex(/^--[a-z]/, 'must be a flag such as --log-level=debug'))
          .default([]),
        resources: resources.default({
          requests: { cpu: '20m', memory: '64Mi' },
          limits: { memory: '128Mi' },
        }),
      })
      .prefault({}),
    service: z
      .strictObject({
        type: z.enum(['ClusterIP', 'LoadBalancer']).default('ClusterIP'),
        loadBalancerIP: z.union([z.ipv4(), z.ipv6()]).optional(),
        annotations: annotationMap.default({}),
        exposeConsole: z.boolean().default(false),
      })
      .superRefine((s, ctx) => {
        if (s.loadBalancerIP !== undefined && s.type !== 'LoadBalancer') {
          ctx.addIssue({
            code: 'custom',
            path: ['loadBalancerIP'],
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
      })
      .superRefine((s, ctx) => {
        if (s.nfs && s.storageClassName !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['storageClassName'],
            message: 'set either storageClassName or nfs, not both',
          });
        }
      })
      .prefault({}),
    networkPolicy: z
      .strictObject({
        enabled: z.boolean().default(false),
        clientSelector: labelMap
          .refine((m) => Object.keys(m).length > 0, 'needs at least one label')
          .default({ 'activemq-ha.io/client': 'true' }),
      })
      .prefault({}),
  })
  .superRefine((o, ctx) => {
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
    if (o.service.exposeConsole && !o.console.enabled) {
      ctx.addIssue({
        code: 'custom',
        path: ['service', 'exposeConsole'],
        message: 'needs console.enabled',
      });
    }
  });

/** Username: also a key of jetty's realm file and an env-file value, so no separators. */
const username = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, ".", "_" or "-"');
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
    console: z.strictObject({ enabled: z.boolean().default(true) }).prefault({}),
    credentials: z.strictObject({
      brokerUsername: username.default('app'),
      brokerPassword: password,
      consoleUsername: username.default('admin'),
      consolePassword: password.optional(),
    }),
  })
  .superRefine((o, ctx) => {
    if (o.console.enabled && o.credentials.consolePassword === undefined) {
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

export function resolveBaseOptions(options: BaseOptions = {}): ResolvedBaseOptions {
  return parse(baseSchema, options);
}

export function resolveOverlayOptions(options: OverlayOptions): ResolvedOverlayOptions {
  return parse(overlaySchema, options);
}

function parse<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = fieldName(issue?.path ?? []);
  const more =
    result.error.issues.length > 1
      ? ` (and ${result.error.issues.length - 1} more problem(s))`
      : '';
  return throwInvalid(field, `${issue?.message ?? 'invalid'}${more}`);
}

function throwInvalid(field: string, problem: string): never {
  throw new ManifestsError('INVALID_OPTION', `${field}: ${problem}`, field);
}
