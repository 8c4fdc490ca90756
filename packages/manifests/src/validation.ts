import { z } from 'zod';
import { quantityValue } from './resources/quantity.js';

/** Building blocks of the option schemas: Kubernetes name, label and quantity rules. */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|Pi|Ei|M|G|T|P|E)?$/;

export const dns1123Label = z
  .string()
  .max(63, 'must be at most 63 characters')
  .regex(
    DNS1123_LABEL,
    'must be a DNS-1123 label: lower-case letters, digits and "-", starting and ending with a letter or digit',
  );

/** A DNS-1123 label that starts with a letter, so it can also name a Service. */
export const objectName = dns1123Label.regex(
  /^[a-z]/,
  'must start with a lower-case letter (it also names the Service)',
);

export const quantity = z
  .string()
  .regex(QUANTITY, 'must be a Kubernetes quantity such as 500m, 256Mi or 10Gi');

export const port = z.number().int().min(1).max(65535);

export const positiveInt = z.number().int().min(1);

/** Image repository without tag, e.g. `ghcr.io/activemq-ha/agent`. */
export const imageRepository = z
  .string()
  .regex(
    /^[a-z0-9]+([._/:-][a-z0-9]+)*$/,
    'must be an image repository without tag, e.g. registry.example.com/team/activemq',
  )
  .refine(
    (s) => !/:[^/]*$/.test(s) || /^[^/]+:[0-9]+\//.test(s),
    'must not carry a tag; set the version instead',
  );

export const imageTag = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'must be an image tag such as 6.2.10');

/** An OCI content digest, as `kubectl` and registries print it. */
export const imageDigest = z
  .string()
  .regex(/^sha256:[0-9a-f]{64}$/, 'must be a digest such as sha256:<64 hex digits>');

export function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix)))
    return false;
  return name.length <= 63 && LABEL_NAME.test(name);
}

export function isLabelValue(value: string): boolean {
  return value === '' || (value.length <= 63 && LABEL_NAME.test(value));
}

export const labelMap = z.record(
  z.string().refine(isLabelKey, 'must be a label key such as example.com/client'),
  z
    .string()
    .refine(isLabelValue, 'must be a label value: at most 63 letters, digits, "-", "_" or "."'),
);

export const annotationMap = z.record(
  z.string().refine(isLabelKey, 'must be an annotation key such as example.com/setting'),
  z.string(),
);

/**
 * Requests and limits of one container with per-field defaults (setting only the memory limit
 * keeps the cpu request), a memory limit always set, and no request above its limit.
 */
export function resources(defaults: {
  readonly cpuRequest: string;
  readonly memoryRequest?: string;
  readonly memoryLimit: string;
}) {
  const pair = z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() }).optional();
  return z
    .strictObject({ requests: pair, limits: pair })
    .prefault({})
    .transform((r) => {
      const memoryLimit = r.limits?.memory ?? defaults.memoryLimit;
      const defaultRequest =
        defaults.memoryRequest !== undefined &&
        quantityValue(defaults.memoryRequest) < quantityValue(memoryLimit)
          ? defaults.memoryRequest
          : memoryLimit;
      return {
        requests: {
          cpu: r.requests?.cpu ?? defaults.cpuRequest,
          memory: r.requests?.memory ?? defaultRequest,
        },
        limits: { ...(r.limits?.cpu ? { cpu: r.limits.cpu } : {}), memory: memoryLimit },
      };
    })
    .superRefine((r, ctx) => {
      for (const what of ['cpu', 'memory'] as const) {
        const request = r.requests[what];
        const limit = r.limits[what];
        if (limit !== undefined && quantityValue(request) > quantityValue(limit)) {
          ctx.addIssue({
            code: 'custom',
            path: ['requests', what],
            message: `${request} is above the ${what} limit ${limit}; a request may not exceed its limit`,
          });
        }
      }
    });
}

/** Turns a zod issue path into the dotted field name errors report, e.g. `storage.nfs.server`. */
export function fieldName(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(options)';
}
