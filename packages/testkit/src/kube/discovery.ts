// Legacy (unaggregated) discovery documents. kubectl asks for aggregated discovery first and falls
// back to these when the answer is plain application/json, as against any pre-1.26 server.
import type { JsonObject } from './json.js';
import { type ResourceDef, resourceDefs } from './resources.js';

function groups(): Map<string, ResourceDef[]> {
  const m = new Map<string, ResourceDef[]>();
  for (const d of resourceDefs) {
    const k = d.group ? `${d.group}/${d.version}` : d.version;
    m.set(k, [...(m.get(k) ?? []), d]);
  }
  return m;
}

export function apiVersions(serverAddress: string): JsonObject {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupDoc(name: string, version: string): JsonObject {
  const gv = { groupVersion: `${name}/${version}`, version };
  return { name, versions: [gv], preferredVersion: gv };
}

export function apiGroupList(): JsonObject {
  const names = [
    ...new Set(resourceDefs.filter((d) => d.group).map((d) => `${d.group}|${d.version}`)),
  ];
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: names.map((n) => {
      const [g, v] = n.split('|') as [string, string];
      return groupDoc(g, v);
    }),
  };
}

export function apiGroup(group: string): JsonObject | undefined {
  const def = resourceDefs.find((d) => d.group === group);
  if (!def) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(group, def.version) };
}

export function resourceList(groupVersion: string): JsonObject | undefined {
  const defs = groups().get(groupVersion);
  if (!defs) return undefined;
  const resources: JsonObject[] = [];
  for (const d of defs) {
    const r: JsonObject = {
      name: d.name,
      singularName: d.singular,
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: [...d.verbs],
    };
    if (d.shortNames.length > 0) r.shortNames = [...d.shortNames];
    if (d.categories.length > 0) r.categories = [...d.categories];
    resources.push(r);
    for (const sub of d.subresources) {
      resources.push({
        name: `${d.name}/${sub}`,
        singularName: '',
        namespaced: d.namespaced,
        // pods/binding is the scheduler's create-only Binding (pod-binding.ts).
        kind: sub === 'binding' ? 'Binding' : d.kind,
        verbs: sub === 'binding' ? ['create'] : ['get', 'patch', 'update'],
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources };
}

export function versionInfo(): JsonObject {
  return {
    major: '1',
    minor: '32',
    // The build metadata says what this is, for anyone reading `kubectl version`.
    gitVersion: 'v1.32.0+activemq-ha-emulator',
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2025-01-01T00:00:00Z',
    goVersion: 'n/a (in-process emulator, Node.js)',
    compiler: 'n/a',
    platform: `${process.platform}/${process.arch}`,
  };
}
