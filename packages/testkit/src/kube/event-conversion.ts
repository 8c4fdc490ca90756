// core/v1 Events and events.k8s.io/v1 Events are two views of the same stored objects in a real
// cluster: an event an agent writes through events.k8s.io shows in `kubectl get events`. The
// emulator stores the core/v1 shape and converts, using the field mapping of
// k8s.io/kubernetes/pkg/apis/events/v1 conversion.
import type { JsonObject } from './json.js';
import type { KubeObject } from './types.js';

/** [core/v1 field, events.k8s.io/v1 field] */
const mapping: readonly (readonly [string, string])[] = [
  ['involvedObject', 'regarding'],
  ['message', 'note'],
  ['source', 'deprecatedSource'],
  ['firstTimestamp', 'deprecatedFirstTimestamp'],
  ['lastTimestamp', 'deprecatedLastTimestamp'],
  ['count', 'deprecatedCount'],
  ['reportingComponent', 'reportingController'],
];

const shared = [
  'metadata',
  'reason',
  'type',
  'eventTime',
  'series',
  'action',
  'related',
  'reportingInstance',
];

function copy(from: JsonObject, pairs: readonly (readonly [string, string])[]): JsonObject {
  const out: JsonObject = {};
  for (const [src, dst] of pairs) {
    const v = from[src];
    if (v !== undefined && v !== null && v !== '') out[dst] = v;
  }
  return out;
}

export function coreEventToEventsV1(core: KubeObject): KubeObject {
  const out = copy(core, [...shared.map((k) => [k, k] as const), ...mapping]);
  return { apiVersion: 'events.k8s.io/v1', kind: 'Event', ...out } as KubeObject;
}

export function eventsV1ToCoreEvent(ev: KubeObject): KubeObject {
  const out = copy(ev, [
    ...shared.map((k) => [k, k] as const),
    ...mapping.map(([a, b]) => [b, a] as const),
  ]);
  return { apiVersion: 'v1', kind: 'Event', ...out } as KubeObject;
}
