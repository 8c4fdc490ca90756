// Server-side printing (meta.k8s.io/v1 Table), which `kubectl get` asks for. Columns and cells
// follow pkg/printers/internalversion/printers.go; the server always prints the wide set and
// kubectl hides priority>0 columns unless `-o wide`.
import { asArray, asObject, asString, type JsonObject } from './json.js';
import type { ResourceDef } from './resources.js';
import { toExternal } from './resources.js';
import type { KubeObject } from './types.js';

interface Column {
  readonly name: string;
  readonly type: string;
  readonly format?: string;
  readonly priority?: number;
  readonly description: string;
}

const nameCol: Column = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace.',
};
const ageCol: Column = {
  name: 'Age',
  type: 'string',
  description:
    'CreationTimestamp is a timestamp representing the server time when this object was created.',
};

/** k8s.io/apimachinery/pkg/util/duration.HumanDuration */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8)
    return hours % 24 === 0 ? `${hours / 24}d` : `${Math.trunc(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 365 * 8)
    return days % 365 === 0
      ? `${Math.trunc(days / 365)}y`
      : `${Math.trunc(days / 365)}y${days % 365}d`;
  return `${Math.trunc(days / 365)}y`;
}

function since(ts: unknown): string {
  const s = asString(ts);
  if (!s) return '<unknown>';
  return humanDuration(Date.now() - Date.parse(s));
}

function withMore(list: string[], max: number, empty: string): string {
  if (list.length === 0) return empty;
  const shown = list.slice(0, max).join(',');
  return list.length > max ? `${shown} + ${list.length - max} more...` : shown;
}

function podCells(o: KubeObject): unknown[] {
  const spec = o.spec ?? {};
  const status = o.status ?? {};
  const containers = asArray(spec.containers) ?? [];
  const statuses = (asArray(status.containerStatuses) ?? []).map((s) => asObject(s) ?? {});
  let reason = asString(status.reason) ?? asString(status.phase) ?? 'Unknown';
  let restarts = 0;
  for (const cs of statuses) {
    restarts += typeof cs.restartCount === 'number' ? cs.restartCount : 0;
    const waiting = asString(asObject(asObject(cs.state)?.waiting)?.reason);
    const terminated = asString(asObject(asObject(cs.state)?.terminated)?.reason);
    if (waiting) reason = waiting;
    else if (terminated) reason = terminated;
  }
  if (o.metadata.deletionTimestamp) reason = 'Terminating';
  const ready = statuses.filter((s) => s.ready === true).length;
  return [
    o.metadata.name,
    `${ready}/${containers.length}`,
    reason,
    restarts,
    since(o.metadata.creationTimestamp),
    asString(status.podIP) ?? '<none>',
    asString(spec.nodeName) ?? '<none>',
    asString(status.nominatedNodeName) ?? '<none>',
    '<none>',
  ];
}

function serviceCells(o: KubeObject): unknown[] {
  const spec = o.spec ?? {};
  const ports = (asArray(spec.ports) ?? []).map((raw) => {
    const p = asObject(raw) ?? {};
    const proto = asString(p.protocol) ?? 'TCP';
    return p.nodePort ? `${p.port}:${p.nodePort}/${proto}` : `${p.port}/${proto}`;
  });
  const selector = Object.entries(asObject(spec.selector) ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${String(v)}`);
  return [
    o.metadata.name,
    asString(spec.type) ?? 'ClusterIP',
    asString(spec.clusterIP) ?? '<none>',
    '<none>',
    ports.length > 0 ? ports.join(',') : '<none>',
    since(o.metadata.creationTimestamp),
    selector.length > 0 ? selector.join(',') : '<none>',
  ];
}

function endpointsCells(o: KubeObject): unknown[] {
  const list: string[] = [];
  for (const raw of asArray(o.subsets) ?? []) {
    const subset = asObject(raw) ?? {};
    const ports = (asArray(subset.ports) ?? []).map((p) => asObject(p)?.port);
    for (const a of asArray(subset.addresses) ?? []) {
      const ip = asString(asObject(a)?.ip) ?? '';
      if (ports.length === 0) list.push(ip);
      for (const port of ports) list.push(`${ip}:${String(port)}`);
    }
  }
  return [o.metadata.name, withMore(list, 3, '<none>'), since(o.metadata.creationTimestamp)];
}

function sliceCells(o: KubeObject): unknown[] {
  const ports = (asArray(o.ports) ?? []).map((raw) => {
    const p = asObject(raw) ?? {};
    return typeof p.port === 'number' ? String(p.port) : (asString(p.name) ?? '*');
  });
  const addrs = (asArray(o.endpoints) ?? []).flatMap((e) =>
    (asArray(asObject(e)?.addresses) ?? []).map(String),
  );
  return [
    o.metadata.name,
    asString(o.addressType) ?? '',
    withMore(ports, 3, '<unset>'),
    withMore(addrs, 3, '<unset>'),
    since(o.metadata.creationTimestamp),
  ];
}

function eventCells(o: KubeObject): unknown[] {
  const first = o.firstTimestamp ? since(o.firstTimestamp) : since(o.eventTime);
  let last = o.lastTimestamp ? since(o.lastTimestamp) : first;
  let count = typeof o.count === 'number' ? o.count : 0;
  const series = asObject(o.series);
  if (series) {
    last = since(series.lastObservedTime);
    count = typeof series.count === 'number' ? series.count : count;
  } else if (count === 0) count = 1;
  const inv = asObject(o.involvedObject) ?? {};
  const kind = (asString(inv.kind) ?? '').toLowerCase();
  const target = inv.name ? `${kind}/${String(inv.name)}` : kind;
  const src = asObject(o.source) ?? {};
  const source = asString(src.component) ?? asString(o.reportingComponent) ?? '';
  return [
    last,
    o.type ?? '',
    o.reason ?? '',
    target,
    asString(inv.fieldPath) ?? '',
    source,
    (asString(o.message) ?? '').trim(),
    first,
    count,
    o.metadata.name,
  ];
}

const printers: Record<string, { columns: Column[]; cells: (o: KubeObject) => unknown[] }> = {
  pods: {
    columns: [
      nameCol,
      {
        name: 'Ready',
        type: 'string',
        description: 'The aggregate readiness state of this pod for accepting traffic.',
      },
      {
        name: 'Status',
        type: 'string',
        description: 'The aggregate status of the containers in this pod.',
      },
      {
        name: 'Restarts',
        type: 'string',
        description:
          'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
      },
      ageCol,
      {
        name: 'IP',
        type: 'string',
        priority: 1,
        description:
          'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.',
      },
      {
        name: 'Node',
        type: 'string',
        priority: 1,
        description: 'NodeName is a request to schedule this pod onto a specific node.',
      },
      {
        name: 'Nominated Node',
        type: 'string',
        priority: 1,
        description: 'nominatedNodeName is set only when this pod preempts other pods on the node.',
      },
      {
        name: 'Readiness Gates',
        type: 'string',
        priority: 1,
        description: 'If specified, all readiness gates will be evaluated for pod readiness.',
      },
    ],
    cells: podCells,
  },
  services: {
    columns: [
      nameCol,
      { name: 'Type', type: 'string', description: 'type determines how the Service is exposed.' },
      {
        name: 'Cluster-IP',
        type: 'string',
        description: 'clusterIP is the IP address of the service.',
      },
      {
        name: 'External-IP',
        type: 'string',
        description:
          'List of IP addresses for which nodes in the cluster will also accept traffic for this service.',
      },
      {
        name: 'Port(s)',
        type: 'string',
        description: 'The list of ports that are exposed by this service.',
      },
      ageCol,
      {
        name: 'Selector',
        type: 'string',
        priority: 1,
        description:
          'Route service traffic to pods with label keys and values matching this selector.',
      },
    ],
    cells: serviceCells,
  },
  endpoints: {
    columns: [
      nameCol,
      { name: 'Endpoints', type: 'string', description: 'Endpoints of the service' },
      ageCol,
    ],
    cells: endpointsCells,
  },
  endpointslices: {
    columns: [
      nameCol,
      {
        name: 'AddressType',
        type: 'string',
        description: 'addressType specifies the type of address carried by this EndpointSlice.',
      },
      {
        name: 'Ports',
        type: 'string',
        description:
          'ports specifies the list of network ports exposed by each endpoint in this slice.',
      },
      {
        name: 'Endpoints',
        type: 'string',
        description: 'endpoints is a list of unique endpoints in this slice.',
      },
      ageCol,
    ],
    cells: sliceCells,
  },
  leases: {
    columns: [
      nameCol,
      {
        name: 'Holder',
        type: 'string',
        description: 'holderIdentity contains the identity of the holder of a current lease.',
      },
      ageCol,
    ],
    cells: (o) => [
      o.metadata.name,
      asString(o.spec?.holderIdentity) ?? '',
      since(o.metadata.creationTimestamp),
    ],
  },
  events: {
    columns: [
      {
        name: 'Last Seen',
        type: 'string',
        description: 'The time at which the most recent occurrence of this event was recorded.',
      },
      {
        name: 'Type',
        type: 'string',
        description:
          'Type of this event (Normal, Warning), new types could be added in the future.',
      },
      {
        name: 'Reason',
        type: 'string',
        description:
          "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
      },
      { name: 'Object', type: 'string', description: 'The object that this event is about.' },
      {
        name: 'Subobject',
        type: 'string',
        priority: 1,
        description: 'The specific part of the object this event is about.',
      },
      {
        name: 'Source',
        type: 'string',
        priority: 1,
        description: 'The component reporting this event.',
      },
      {
        name: 'Message',
        type: 'string',
        description: 'A human-readable description of the status of this operation.',
      },
      {
        name: 'First Seen',
        type: 'string',
        priority: 1,
        description: 'The time at which the event was first recorded.',
      },
      {
        name: 'Count',
        type: 'string',
        priority: 1,
        description: 'The number of times this event has occurred.',
      },
      {
        name: 'Name',
        type: 'string',
        priority: 1,
        description: 'Name must be unique within a namespace.',
      },
    ],
    cells: eventCells,
  },
};

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableOptions {
  readonly includeObject: IncludeObject;
  readonly noHeaders?: boolean;
}

export function tableRow(def: ResourceDef, stored: KubeObject, opts: TableOptions): JsonObject {
  const printer = printers[def.storage];
  const row: JsonObject = {
    cells: printer
      ? printer.cells(stored)
      : [stored.metadata.name, stored.metadata.creationTimestamp],
  };
  if (opts.includeObject === 'Object') row.object = toExternal(def, stored);
  else if (opts.includeObject === 'Metadata') {
    row.object = {
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: stored.metadata,
    };
  }
  return row;
}

export function toTable(
  def: ResourceDef,
  stored: readonly KubeObject[],
  opts: TableOptions,
  listMeta: JsonObject,
): JsonObject {
  const printer = printers[def.storage];
  const table: JsonObject = { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: listMeta };
  if (!opts.noHeaders) {
    table.columnDefinitions = (printer?.columns ?? [nameCol, ageCol]).map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: c.description,
      priority: c.priority ?? 0,
    }));
  }
  table.rows = stored.map((o) => tableRow(def, o, opts));
  return table;
}
