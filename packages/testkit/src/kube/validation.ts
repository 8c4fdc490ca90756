// Validation the real API server applies to the fields this project writes. Not exhaustive:
// it covers metadata, labels, the pod/service/lease/event/slice fields a client is likely to get
// wrong, with the server's field paths and messages.
import { apiErrors, type FieldError, fieldError } from './api-status.js';
import {
  asArray,
  asObject,
  asString,
  deepEqual,
  getPath,
  isObject,
  type JsonObject,
} from './json.js';
import {
  isDns1035Label,
  isDns1123Label,
  isDns1123Subdomain,
  isQualifiedName,
  validateAnnotations,
  validateLabels,
} from './name-validation.js';
import type { ResourceDef } from './resources.js';
import type { KubeObject } from './types.js';

function validateName(def: ResourceDef, name: string): FieldError[] {
  if (def.storage === 'events') {
    if (name === '.' || name === '..' || /[/%]/.test(name)) {
      return [fieldError.invalid('metadata.name', name, `may not contain '/' or '%'`)];
    }
    return [];
  }
  const msgs = def.storage === 'services' ? isDns1035Label(name) : isDns1123Subdomain(name);
  return msgs.map((m) => fieldError.invalid('metadata.name', name, m));
}

function validateMeta(def: ResourceDef, obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const name = obj.metadata.name ?? '';
  if (!name) errs.push(fieldError.required('metadata.name', 'name or generateName is required'));
  else errs.push(...validateName(def, name));
  errs.push(...validateLabels(obj.metadata.labels, 'metadata.labels'));
  errs.push(...validateAnnotations(obj.metadata.annotations, 'metadata.annotations'));
  return errs;
}

/** IsValidPortName: an IANA service name. */
function portNameErrors(name: string): string[] {
  const errs: string[] = [];
  if (name.length > 15) errs.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(name))
    errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(name)) errs.push('must contain at least one letter (a-z)');
  if (name.includes('--')) errs.push('must not contain consecutive hyphens');
  if (name.startsWith('-') || name.endsWith('-')) errs.push('must not begin or end with a hyphen');
  return errs;
}

function portNumberErrors(field: string, port: unknown): FieldError[] {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    return [fieldError.invalid(field, port, 'must be between 1 and 65535, inclusive')];
  }
  return [];
}

function validatePodSpec(spec: JsonObject | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const containers = asArray(spec?.containers) ?? [];
  if (containers.length === 0) errs.push(fieldError.required('spec.containers'));
  containers.forEach((raw, i) => {
    const c = asObject(raw) ?? {};
    const base = `spec.containers[${i}]`;
    const name = asString(c.name) ?? '';
    if (!name) errs.push(fieldError.required(`${base}.name`));
    else
      for (const m of isDns1123Label(name)) errs.push(fieldError.invalid(`${base}.name`, name, m));
    if (!asString(c.image)) errs.push(fieldError.required(`${base}.image`));
    (asArray(c.ports) ?? []).forEach((rp, j) => {
      const p = asObject(rp) ?? {};
      errs.push(...portNumberErrors(`${base}.ports[${j}].containerPort`, p.containerPort));
      const pn = asString(p.name);
      if (pn !== undefined) {
        for (const m of portNameErrors(pn))
          errs.push(fieldError.invalid(`${base}.ports[${j}].name`, pn, m));
      }
    });
  });
  return errs;
}

function imagesBlanked(spec: unknown): unknown {
  const s = asObject(spec);
  if (!s) return spec;
  const blank = (list: unknown) =>
    (asArray(list) ?? []).map((c) => (isObject(c) ? { ...c, image: undefined } : c));
  return {
    ...s,
    containers: blank(s.containers),
    initContainers: blank(s.initContainers),
    activeDeadlineSeconds: undefined,
    tolerations: undefined,
    terminationGracePeriodSeconds: undefined,
  };
}

function validateService(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = obj.spec ?? {};
  const ports = asArray(spec.ports) ?? [];
  const headless = spec.clusterIP === 'None';
  if (ports.length === 0 && !headless && spec.type !== 'ExternalName')
    errs.push(fieldError.required('spec.ports'));
  const names = new Set<string>();
  ports.forEach((raw, i) => {
    const p = asObject(raw) ?? {};
    const base = `spec.ports[${i}]`;
    const name = asString(p.name) ?? '';
    if (ports.length > 1 && !name) errs.push(fieldError.required(`${base}.name`));
    if (name) {
      for (const m of isDns1123Label(name)) errs.push(fieldError.invalid(`${base}.name`, name, m));
      if (names.has(name)) errs.push(fieldError.duplicate(`${base}.name`, name));
      names.add(name);
    }
    errs.push(...portNumberErrors(`${base}.port`, p.port));
    const tp = p.targetPort;
    if (typeof tp === 'string') {
      for (const m of portNameErrors(tp))
        errs.push(fieldError.invalid(`${base}.targetPort`, tp, m));
    } else if (tp !== undefined) errs.push(...portNumberErrors(`${base}.targetPort`, tp));
  });
  if (spec.selector !== undefined) errs.push(...validateLabels(spec.selector, 'spec.selector'));
  return errs;
}

function validateLease(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const d = obj.spec?.leaseDurationSeconds;
  if (d !== undefined && d !== null && (typeof d !== 'number' || d <= 0)) {
    errs.push(fieldError.invalid('spec.leaseDurationSeconds', d, 'must be greater than 0'));
  }
  const t = obj.spec?.leaseTransitions;
  if (t !== undefined && t !== null && (typeof t !== 'number' || t < 0)) {
    errs.push(fieldError.invalid('spec.leaseTransitions', t, 'must be greater than or equal to 0'));
  }
  return errs;
}

/** ValidateEventCreate: `viaEventsV1` adds the strict checks of the events.k8s.io API. */
function validateEvent(obj: KubeObject, viaEventsV1: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ns = obj.metadata.namespace ?? '';
  const involvedNs = asString(getPath(obj, 'involvedObject.namespace')) ?? '';
  const rc = viaEventsV1 ? 'reportingController' : 'reportingComponent';
  if (!obj.eventTime) {
    if (involvedNs ? involvedNs !== ns : ns !== '' && ns !== 'default') {
      errs.push(
        fieldError.invalid(
          'involvedObject.namespace',
          involvedNs,
          'does not match event.namespace',
        ),
      );
    }
  } else {
    if (!involvedNs && ns !== 'default' && ns !== 'kube-system') {
      errs.push(
        fieldError.invalid(
          'involvedObject.namespace',
          involvedNs,
          'does not match event.namespace',
        ),
      );
    }
    const controller = asString(obj.reportingComponent) ?? '';
    if (!controller) errs.push(fieldError.required(rc));
    for (const m of isQualifiedName(controller)) errs.push(fieldError.invalid(rc, controller, m));
    const instance = asString(obj.reportingInstance) ?? '';
    if (!instance) errs.push(fieldError.required('reportingInstance'));
    if (instance.length > 128)
      errs.push(fieldError.invalid('reportingInstance', '', 'can have at most 128 characters'));
    const action = asString(obj.action) ?? '';
    if (!action) errs.push(fieldError.required('action'));
    if (action.length > 128)
      errs.push(fieldError.invalid('action', '', 'can have at most 128 characters'));
    const reason = asString(obj.reason) ?? '';
    if (!reason) errs.push(fieldError.required('reason'));
    if (reason.length > 128)
      errs.push(fieldError.invalid('reason', '', 'can have at most 128 characters'));
    if ((asString(obj.message) ?? '').length > 1024) {
      errs.push(fieldError.invalid('message', '', 'can have at most 1024 characters'));
    }
  }
  if (viaEventsV1) {
    if (!obj.eventTime) errs.push(fieldError.required('eventTime'));
    if (obj.type !== 'Normal' && obj.type !== 'Warning') {
      errs.push(fieldError.invalid('type', '', `has invalid value: ${String(obj.type ?? '')}`));
    }
    if (obj.firstTimestamp)
      errs.push(fieldError.invalid('firstTimestamp', '', 'needs to be unset'));
    if (obj.lastTimestamp) errs.push(fieldError.invalid('lastTimestamp', '', 'needs to be unset'));
    if (obj.count) errs.push(fieldError.invalid('count', '', 'needs to be unset'));
    const src = asObject(obj.source);
    if (src && (src.component || src.host))
      errs.push(fieldError.invalid('source', '', 'needs to be unset'));
  }
  return errs;
}

const addressTypes = ['FQDN', 'IPv4', 'IPv6'];

function validateEndpointSlice(obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const at = obj.addressType;
  if (!at) errs.push(fieldError.required('addressType'));
  else if (typeof at !== 'string' || !addressTypes.includes(at)) {
    errs.push({
      type: 'FieldValueNotSupported',
      field: 'addressType',
      value: at,
      detail: `supported values: ${addressTypes.map((a) => JSON.stringify(a)).join(', ')}`,
    });
  }
  if (old && old.addressType !== at)
    errs.push(fieldError.invalid('addressType', at, 'field is immutable'));
  (asArray(obj.endpoints) ?? []).forEach((raw, i) => {
    const addrs = asArray(asObject(raw)?.addresses) ?? [];
    if (addrs.length === 0)
      errs.push(
        fieldError.required(`endpoints[${i}].addresses`, 'must contain at least 1 address'),
      );
    if (addrs.length > 100)
      errs.push({
        type: 'FieldValueTooLong',
        field: `endpoints[${i}].addresses`,
        detail: 'must have at most 100 items',
      });
  });
  (asArray(obj.ports) ?? []).forEach((raw, i) => {
    const p = asObject(raw) ?? {};
    if (p.port !== undefined && p.port !== null)
      errs.push(...portNumberErrors(`ports[${i}].port`, p.port));
  });
  return errs;
}

/** Field errors for a create (`old` undefined) or an update; the caller wraps them in 422. */
export function validateObject(
  def: ResourceDef,
  obj: KubeObject,
  old: KubeObject | undefined,
  viaDef: ResourceDef,
): FieldError[] {
  const errs = validateMeta(def, obj);
  switch (def.storage) {
    case 'pods':
      errs.push(...validatePodSpec(obj.spec));
      if (old && !deepEqual(imagesBlanked(obj.spec), imagesBlanked(old.spec))) {
        errs.push(
          fieldError.forbidden(
            'spec',
            'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
          ),
        );
      }
      break;
    case 'services':
      errs.push(...validateService(obj));
      if (old && old.spec?.clusterIP !== obj.spec?.clusterIP) {
        errs.push(
          fieldError.invalid('spec.clusterIP', obj.spec?.clusterIP ?? '', 'field is immutable'),
        );
      }
      break;
    case 'leases':
      errs.push(...validateLease(obj));
      break;
    case 'events':
      if (!old) errs.push(...validateEvent(obj, viaDef.group === 'events.k8s.io'));
      break;
    case 'endpointslices':
      errs.push(...validateEndpointSlice(obj, old));
      break;
    case 'endpoints':
      break;
  }
  return errs;
}

const microTimeFields: Partial<Record<string, readonly string[]>> = {
  leases: ['spec.acquireTime', 'spec.renewTime'],
  events: ['eventTime', 'series.lastObservedTime'],
};

const microTimeRe = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(Z|[+-]\d{2}:\d{2})$/;

/**
 * metav1.MicroTime decodes with the fixed layout RFC3339Micro, so a JavaScript
 * `Date#toISOString()` value (3 fraction digits) is a 400 from a real server. Checked on the
 * wire shape, before validation, like the decoder does.
 */
export function checkMicroTimes(def: ResourceDef, external: KubeObject): void {
  const paths = microTimeFields[def.storage] ?? [];
  for (const path of paths) {
    const v = getPath(external, path);
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string' || !microTimeRe.test(v)) {
      const text = String(v);
      const head = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(text);
      const why = head
        ? `cannot parse ${JSON.stringify(text.slice(19))} as ".000000"`
        : `cannot parse ${JSON.stringify(text)} as "2006"`;
      throw apiErrors.badRequest(
        `${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: parsing time ${JSON.stringify(text)} as "2006-01-02T15:04:05.000000Z07:00": ${why}`,
      );
    }
  }
}
