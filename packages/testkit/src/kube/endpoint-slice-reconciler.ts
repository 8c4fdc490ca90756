// What kube-controller-manager's endpointslice and endpoints controllers compute for Services with
// a selector, as a plan of writes from given objects (the controller's informer cache): one EndpointSlice per distinct port set (ports resolve per pod, so pods whose named
// target port maps to different numbers land in different slices), a placeholder slice when
// nothing matches, and the legacy Endpoints object. Terminating pods stay in slices with
// ready=false, serving=<pod ready>, terminating=true, as the controller has done since 1.22.
import { asArray, asObject, asString, deepEqual, type JsonObject } from './json.js';
import { matchesMap } from './label-selector.js';
import { storageDef } from './resources.js';
import type { KubeObject } from './types.js';
import { labelsOf, nowTime } from './write-strategy.js';

export const serviceNameLabel = 'kubernetes.io/service-name';
export const managedByLabel = 'endpointslice.kubernetes.io/managed-by';
export const managedByValue = 'endpointslice-controller.k8s.io';

interface EndpointPort {
  name: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

interface PodEndpoint {
  readonly pod: KubeObject;
  readonly ports: EndpointPort[];
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
}

function podReady(pod: KubeObject): boolean {
  return (asArray(pod.status?.conditions) ?? []).some((c) => {
    const o = asObject(c);
    return o?.type === 'Ready' && o.status === 'True';
  });
}

/** A container's named port `name` with `protocol`, if it declares one. */
function namedPort(container: unknown, name: string, protocol: string): number | undefined {
  for (const p of asArray(asObject(container)?.ports) ?? []) {
    const po = asObject(p);
    if (
      po?.name === name &&
      (asString(po.protocol) ?? 'TCP') === protocol &&
      typeof po.containerPort === 'number'
    ) {
      return po.containerPort;
    }
  }
  return undefined;
}

/**
 * podutil.FindPort: a numeric targetPort as is, a named one from the pod's containers, then from
 * its sidecars (init containers with restartPolicy: Always), in that order.
 */
function findPort(pod: KubeObject, targetPort: unknown, protocol: string): number | undefined {
  if (typeof targetPort === 'number') return targetPort;
  if (typeof targetPort !== 'string') return undefined;
  if (/^\d+$/.test(targetPort)) return Number(targetPort);
  const sidecars = (asArray(pod.spec?.initContainers) ?? []).filter(
    (c) => asObject(c)?.restartPolicy === 'Always',
  );
  for (const c of [...(asArray(pod.spec?.containers) ?? []), ...sidecars]) {
    const port = namedPort(c, targetPort, protocol);
    if (port !== undefined) return port;
  }
  return undefined;
}

/**
 * The endpointslice reconciler (k8s.io/endpointslice reconciler.go) looks each pod's Node up in
 * its Node informer and skips the pod when the Node is not found (an unscheduled pod's node ""
 * never is), unless the Service publishes not-ready addresses; the sync then fails, so the
 * Service is retried with back-off. The legacy Endpoints controller does no such lookup.
 */
function nodeKnown(svc: KubeObject, nodes: ReadonlySet<string>): (e: PodEndpoint) => boolean {
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  return (e) => publishNotReady || nodes.has(asString(e.pod.spec?.nodeName) ?? '');
}

function portKey(ports: readonly EndpointPort[] | null | undefined): string {
  return JSON.stringify([...(ports ?? [])].sort((a, b) => a.name.localeCompare(b.name)));
}

/** One write of a sync, against the version of the object the controller read. */
export type SliceWrite =
  | {
      readonly op: 'create';
      readonly resource: 'endpointslices' | 'endpoints';
      readonly object: KubeObject;
    }
  | {
      readonly op: 'update';
      readonly resource: 'endpointslices' | 'endpoints';
      readonly object: KubeObject;
      readonly old: KubeObject;
    }
  | {
      readonly op: 'delete';
      readonly resource: 'endpointslices' | 'endpoints';
      readonly old: KubeObject;
    };

/** What the reconciler reads: the controller's cached view of one namespace. */
export interface ReconcileInput {
  readonly service: KubeObject | undefined;
  readonly pods: readonly KubeObject[];
  /** The Service's controller-managed slices. */
  readonly slices: readonly KubeObject[];
  readonly endpoints: KubeObject | undefined;
  /** Names of the Nodes in the controller's Node informer. */
  readonly nodes: ReadonlySet<string>;
}

/** A sync's writes, and the pods it left out because their Node does not exist (a failed sync). */
export interface ReconcileResult {
  readonly writes: SliceWrite[];
  readonly podsOnMissingNodes: readonly string[];
}

/** The writes that bring one Service's slices and Endpoints in line with its pods. */
export function reconcileService(input: ReconcileInput): ReconcileResult {
  const r = new Reconcile(input);
  const writes = r.run();
  return { writes, podsOnMissingNodes: r.podsOnMissingNodes };
}

class Reconcile {
  readonly writes: SliceWrite[] = [];
  podsOnMissingNodes: string[] = [];
  constructor(private readonly input: ReconcileInput) {}

  run(): SliceWrite[] {
    const { service: svc, slices: existing } = this.input;
    const selector = asObject(svc?.spec?.selector) as Record<string, string> | undefined;
    if (!svc || !selector || Object.keys(selector).length === 0) {
      for (const s of existing)
        this.writes.push({ op: 'delete', resource: 'endpointslices', old: s });
      if (!svc && this.input.endpoints)
        this.writes.push({ op: 'delete', resource: 'endpoints', old: this.input.endpoints });
      return this.writes;
    }
    const endpoints = this.podEndpoints(svc, selector);
    const known = nodeKnown(svc, this.input.nodes);
    this.podsOnMissingNodes = endpoints
      .filter((e) => !known(e))
      .map((e) => e.pod.metadata.name ?? '');
    this.reconcileSlices(svc, endpoints.filter(known), [...existing]);
    this.reconcileEndpoints(svc, endpoints);
    return this.writes;
  }

  private podEndpoints(svc: KubeObject, selector: Record<string, string>): PodEndpoint[] {
    const svcPorts = (asArray(svc.spec?.ports) ?? []).map((p) => asObject(p) ?? {});
    const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
    const out: PodEndpoint[] = [];
    for (const pod of this.input.pods) {
      if (!matchesMap(labelsOf(pod), selector)) continue;
      const phase = pod.status?.phase;
      if (!asString(pod.status?.podIP) || phase === 'Succeeded' || phase === 'Failed') continue;
      const ports: EndpointPort[] = [];
      for (const sp of svcPorts) {
        const protocol = asString(sp.protocol) ?? 'TCP';
        const port = findPort(pod, sp.targetPort ?? sp.port, protocol);
        if (port === undefined) continue;
        const ep: EndpointPort = { name: asString(sp.name) ?? '', port, protocol };
        if (typeof sp.appProtocol === 'string') ep.appProtocol = sp.appProtocol;
        ports.push(ep);
      }
      const ready = podReady(pod);
      const terminating = pod.metadata.deletionTimestamp !== undefined;
      out.push({
        pod,
        ports,
        // podToEndpoint: serving is the pod's Ready condition alone; publishNotReadyAddresses
        // forces only ready.
        ready: publishNotReady || (ready && !terminating),
        serving: ready,
        terminating,
      });
    }
    return out;
  }

  private sliceBody(ports: EndpointPort[] | null, group: PodEndpoint[]): JsonObject {
    return {
      addressType: 'IPv4',
      endpoints: group.map((e) => {
        const ep: JsonObject = {
          addresses: [e.pod.status?.podIP],
          conditions: { ready: e.ready, serving: e.serving, terminating: e.terminating },
          targetRef: {
            kind: 'Pod',
            namespace: e.pod.metadata.namespace,
            name: e.pod.metadata.name,
            uid: e.pod.metadata.uid,
          },
        };
        if (e.pod.spec?.nodeName) ep.nodeName = e.pod.spec.nodeName;
        return ep;
      }),
      ports,
    };
  }

  private sliceMeta(
    svc: KubeObject,
    name: string,
    generateName: string | undefined,
  ): KubeObject['metadata'] {
    const labels: Record<string, string> = { ...(labelsOf(svc) ?? {}) };
    labels[serviceNameLabel] = svc.metadata.name ?? '';
    labels[managedByLabel] = managedByValue;
    if (svc.spec?.clusterIP === 'None') labels['service.kubernetes.io/headless'] = '';
    const meta: KubeObject['metadata'] = {
      name,
      namespace: svc.metadata.namespace,
      labels,
      ownerReferences: [
        {
          apiVersion: 'v1',
          kind: 'Service',
          name: svc.metadata.name ?? '',
          uid: svc.metadata.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    };
    if (generateName) meta.generateName = generateName;
    return meta;
  }

  private reconcileSlices(svc: KubeObject, endpoints: PodEndpoint[], existing: KubeObject[]): void {
    const groups = new Map<string, { ports: EndpointPort[]; members: PodEndpoint[] }>();
    for (const e of endpoints) {
      const k = portKey(e.ports);
      const g = groups.get(k) ?? { ports: e.ports, members: [] };
      g.members.push(e);
      groups.set(k, g);
    }
    const desired: { ports: EndpointPort[] | null; members: PodEndpoint[] }[] = [
      ...groups.values(),
    ];
    // With no endpoints the controller keeps a single placeholder slice (no ports, no endpoints).
    if (desired.length === 0) desired.push({ ports: null, members: [] });
    const unmatched = [...existing];
    const toWrite: { body: JsonObject; old: KubeObject | undefined }[] = [];
    for (const d of desired) {
      const idx = unmatched.findIndex(
        (s) => portKey(s.ports as EndpointPort[] | null) === portKey(d.ports),
      );
      const old = idx >= 0 ? unmatched.splice(idx, 1)[0] : undefined;
      toWrite.push({ body: this.sliceBody(d.ports, d.members), old });
    }
    // Reuse leftover slices before creating new ones, as the reconciler does.
    for (const w of toWrite) if (!w.old && unmatched.length > 0) w.old = unmatched.shift();
    for (const s of unmatched)
      this.writes.push({ op: 'delete', resource: 'endpointslices', old: s });
    const sdef = storageDef('endpointslices');
    for (const { body, old } of toWrite) {
      const svcName = svc.metadata.name ?? '';
      if (old) {
        const meta = {
          ...old.metadata,
          ...this.sliceMeta(svc, old.metadata.name ?? '', old.metadata.generateName),
        };
        const next: KubeObject = {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          ...body,
          metadata: meta,
        };
        const changed = !deepEqual(
          { ...body },
          { addressType: old.addressType, endpoints: old.endpoints, ports: old.ports ?? null },
        );
        if (changed) next.metadata.generation = (old.metadata.generation ?? 1) + 1;
        if (!deepEqual(next, old))
          this.writes.push({ op: 'update', resource: 'endpointslices', object: next, old });
      } else {
        // The name comes from generateName when the write is applied.
        const meta = this.sliceMeta(svc, '', `${svcName}-`);
        meta.uid = crypto.randomUUID();
        meta.creationTimestamp = nowTime();
        if (sdef.tracksGeneration) meta.generation = 1;
        this.writes.push({
          op: 'create',
          resource: 'endpointslices',
          object: {
            apiVersion: 'discovery.k8s.io/v1',
            kind: 'EndpointSlice',
            ...body,
            metadata: meta,
          },
        });
      }
    }
  }

  private reconcileEndpoints(svc: KubeObject, endpoints: PodEndpoint[]): void {
    const ns = svc.metadata.namespace ?? '';
    const name = svc.metadata.name ?? '';
    const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
    const subsets = new Map<
      string,
      { ports: EndpointPort[]; addresses: JsonObject[]; notReadyAddresses: JsonObject[] }
    >();
    for (const e of endpoints) {
      if (e.terminating && !publishNotReady) continue;
      const k = portKey(e.ports);
      const s = subsets.get(k) ?? { ports: e.ports, addresses: [], notReadyAddresses: [] };
      const addr: JsonObject = {
        ip: e.pod.status?.podIP,
        targetRef: {
          kind: 'Pod',
          namespace: ns,
          name: e.pod.metadata.name,
          uid: e.pod.metadata.uid,
        },
      };
      if (e.pod.spec?.nodeName) addr.nodeName = e.pod.spec.nodeName;
      (e.ready ? s.addresses : s.notReadyAddresses).push(addr);
      subsets.set(k, s);
    }
    const byIp = (a: JsonObject, b: JsonObject) => String(a.ip).localeCompare(String(b.ip));
    const list = [...subsets.values()].map((s) => {
      const out: JsonObject = {};
      if (s.addresses.length > 0) out.addresses = s.addresses.sort(byIp);
      if (s.notReadyAddresses.length > 0) out.notReadyAddresses = s.notReadyAddresses.sort(byIp);
      out.ports = s.ports.map((p) =>
        p.name
          ? { name: p.name, port: p.port, protocol: p.protocol }
          : { port: p.port, protocol: p.protocol },
      );
      return out;
    });
    const labels: Record<string, string> = { ...(labelsOf(svc) ?? {}) };
    if (svc.spec?.clusterIP === 'None') labels['service.kubernetes.io/headless'] = '';
    const old = this.input.endpoints;
    const next: KubeObject = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { ...(old?.metadata ?? {}), name, namespace: ns, labels },
    };
    if (list.length > 0) next.subsets = list;
    if (!old) {
      next.metadata.uid = crypto.randomUUID();
      next.metadata.creationTimestamp = nowTime();
      this.writes.push({ op: 'create', resource: 'endpoints', object: next });
    } else if (!deepEqual(next, old))
      this.writes.push({ op: 'update', resource: 'endpoints', object: next, old });
  }
}
