import { KubeStatusError } from './errors.js';
import type { KubeStatus } from './types.js';

/** The API group/resource pair errors name, e.g. `pods` or `leases.coordination.k8s.io`. */
export interface GroupResource {
  readonly group: string;
  readonly resource: string;
}

/** One field.Error of k8s.io/apimachinery: `<field>: <type>[: "<value>"][: <detail>]`. */
export interface FieldError {
  readonly type:
    | 'FieldValueRequired'
    | 'FieldValueInvalid'
    | 'FieldValueForbidden'
    | 'FieldValueDuplicate'
    | 'FieldValueNotSupported'
    | 'FieldValueTooLong';
  readonly field: string;
  readonly value?: unknown;
  readonly detail?: string;
}

const typeText: Record<FieldError['type'], string> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueForbidden: 'Forbidden',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueTooLong: 'Too long',
};

/** field.Error.ErrorBody(): values are shown only for Invalid/Duplicate/NotSupported, Go-quoted. */
export function fieldErrorBody(e: FieldError): string {
  let s = typeText[e.type];
  if (
    e.type === 'FieldValueInvalid' ||
    e.type === 'FieldValueDuplicate' ||
    e.type === 'FieldValueNotSupported'
  ) {
    s += `: ${typeof e.value === 'string' ? JSON.stringify(e.value) : String(e.value)}`;
  }
  if (e.detail) s += `: ${e.detail}`;
  return s;
}

export const fieldError = {
  required: (field: string, detail?: string): FieldError => ({
    type: 'FieldValueRequired',
    field,
    detail,
  }),
  invalid: (field: string, value: unknown, detail: string): FieldError => ({
    type: 'FieldValueInvalid',
    field,
    value,
    detail,
  }),
  forbidden: (field: string, detail: string): FieldError => ({
    type: 'FieldValueForbidden',
    field,
    detail,
  }),
  duplicate: (field: string, value: unknown): FieldError => ({
    type: 'FieldValueDuplicate',
    field,
    value,
  }),
};

function grString(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

function failure(
  code: number,
  reason: string,
  message: string,
  details?: KubeStatus['details'],
): KubeStatus {
  const s: KubeStatus = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
  };
  if (details) s.details = details;
  s.code = code;
  return s;
}

function grDetails(gr: GroupResource, name?: string): NonNullable<KubeStatus['details']> {
  const d: NonNullable<KubeStatus['details']> = {};
  if (name) d.name = name;
  if (gr.group) d.group = gr.group;
  d.kind = gr.resource;
  return d;
}

/** Factories mirroring k8s.io/apimachinery/pkg/api/errors, message formats included. */
export const apiErrors = {
  notFound: (gr: GroupResource, name: string) =>
    new KubeStatusError(
      failure(404, 'NotFound', `${grString(gr)} "${name}" not found`, grDetails(gr, name)),
    ),
  alreadyExists: (gr: GroupResource, name: string) =>
    new KubeStatusError(
      failure(
        409,
        'AlreadyExists',
        `${grString(gr)} "${name}" already exists`,
        grDetails(gr, name),
      ),
    ),
  conflict: (gr: GroupResource, name: string, why: string) =>
    new KubeStatusError(
      failure(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${grString(gr)} "${name}": ${why}`,
        grDetails(gr, name),
      ),
    ),
  /** `kind` and `group` of the object (Pod, Lease.coordination.k8s.io), not the resource. */
  invalid: (kind: string, group: string, name: string, errs: readonly FieldError[]) => {
    const texts = errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);
    const agg = texts.length === 1 ? texts[0] : `[${texts.join(', ')}]`;
    const qualified = group ? `${kind}.${group}` : kind;
    const details: NonNullable<KubeStatus['details']> = {};
    if (name) details.name = name;
    if (group) details.group = group;
    details.kind = kind;
    details.causes = errs.map((e) => ({
      reason: e.type,
      message: fieldErrorBody(e),
      field: e.field,
    }));
    return new KubeStatusError(
      failure(422, 'Invalid', `${qualified} "${name}" is invalid: ${agg}`, details),
    );
  },
  forbidden: (gr: GroupResource, name: string, why: string) => {
    const message = name
      ? `${grString(gr)} "${name}" is forbidden: ${why}`
      : `${grString(gr)} is forbidden: ${why}`;
    return new KubeStatusError(failure(403, 'Forbidden', message, grDetails(gr, name)));
  },
  /** Forbidden for a non-resource path (discovery), as responsewriters.Forbidden renders it. */
  forbiddenPath: (why: string) =>
    new KubeStatusError(failure(403, 'Forbidden', `forbidden: ${why}`, {})),
  unauthorized: () => new KubeStatusError(failure(401, 'Unauthorized', 'Unauthorized')),
  badRequest: (message: string) => new KubeStatusError(failure(400, 'BadRequest', message)),
  /** Watch from a compacted resourceVersion: delivered as an ERROR event, HTTP 200. */
  expired: (message: string) => new KubeStatusError(failure(410, 'Expired', message)),
  methodNotSupported: (gr: GroupResource, action: string) =>
    new KubeStatusError(
      failure(
        405,
        'MethodNotAllowed',
        `${action} is not supported on resources of kind "${grString(gr)}"`,
        {
          ...(gr.group ? { group: gr.group } : {}),
          kind: gr.resource,
        },
      ),
    ),
  unsupportedMediaType: (contentType: string, accepted: readonly string[]) =>
    new KubeStatusError(
      failure(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
        {
          causes: [
            {
              reason: 'UnexpectedHeader',
              message: `unsupported media type ${contentType}`,
              field: 'Content-Type',
            },
          ],
        },
      ),
    ),
  notFoundPath: () =>
    new KubeStatusError(
      failure(404, 'NotFound', 'the server could not find the requested resource', {}),
    ),
  entityTooLarge: (message: string) =>
    new KubeStatusError(
      failure(413, 'RequestEntityTooLarge', `Request entity too large: ${message}`),
    ),
  /**
   * What NewGenericServerResponse(422, "", GroupResource{}, "", ...) yields, e.g. for a failed
   * JSON-patch `test`: it always sets Details, here with every field empty, so `details: {}`.
   */
  patchRejected: () =>
    new KubeStatusError(
      failure(422, 'Invalid', 'the server rejected our request due to an error in our request', {}),
    ),
  internal: (why: string) =>
    new KubeStatusError(
      failure(500, 'InternalError', `Internal error occurred: ${why}`, {
        causes: [{ message: why }],
      }),
    ),
  serviceUnavailable: (
    message = 'the server is currently unable to handle the request',
    retryAfterSeconds?: number,
  ) =>
    new KubeStatusError(
      failure(503, 'ServiceUnavailable', message),
      retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) },
    ),
  /** Any other status code, with the reason NewGenericServerResponse would give it. */
  generic: (code: number, message: string) =>
    new KubeStatusError(failure(code, code >= 500 ? 'InternalError' : 'Unknown', message)),
  timeout: (
    message = 'request did not complete within requested timeout - context deadline exceeded',
  ) =>
    new KubeStatusError(failure(504, 'Timeout', `Timeout: ${message}`, { retryAfterSeconds: 0 })),
  /** storage.NewTooLargeResourceVersionError: the watch cache did not reach the asked version. */
  tooLargeResourceVersion: (requested: number, current: number) =>
    new KubeStatusError(
      failure(
        504,
        'Timeout',
        `Timeout: Too large resource version: ${requested}, current: ${current}`,
        {
          causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
          retryAfterSeconds: 1,
        },
      ),
    ),
  tooManyRequests: (
    retryAfterSeconds: number,
    message = 'Too many requests, please try again later.',
  ) =>
    new KubeStatusError(failure(429, 'TooManyRequests', message, { retryAfterSeconds }), {
      'Retry-After': String(retryAfterSeconds),
    }),
};

/** A successful delete of a resource that does not return the deleted object. */
export function successStatus(
  gr: GroupResource,
  name: string,
  uid: string | undefined,
): KubeStatus {
  const details = grDetails(gr, name);
  if (uid) details.uid = uid;
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
}
