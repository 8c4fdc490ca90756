/** The parts of a discovery.k8s.io/v1 EndpointSlice that discovery reads (raw watch JSON fits). */
export interface EndpointSliceLike {
  readonly metadata?: { readonly name?: string; readonly resourceVersion?: string };
  readonly addressType?: string;
  readonly endpoints?:
    | readonly {
        readonly addresses?: readonly string[];
        readonly conditions?: {
          readonly ready?: boolean | null;
          readonly terminating?: boolean | null;
        } | null;
        readonly targetRef?: { readonly name?: string } | null;
      }[]
    | null;
  readonly ports?:
    | readonly {
        readonly name?: string | null;
        readonly port?: number | null;
        readonly protocol?: string | null;
      }[]
    | null;
}

/** A ready endpoint of the Service: where the active broker listens. */
export interface ReadyEndpoint {
  readonly address: string;
  readonly port: number;
  /** The slice port's name: the name of the Service port it belongs to ('' when unnamed). */
  readonly portName: string;
  /** The pod behind it, for logs. */
  readonly pod?: string;
}

export function endpointKey(e: ReadyEndpoint): string {
  return `${e.address.includes(':') ? `[${e.address}]` : e.address}:${e.port}`;
}

/**
 * Ready endpoints across all slices of a Service, for the port named `port` (or with that
 * number: a slice port's number is the target port the pods listen on, not the Service's port),
 * sorted so that the result does not depend on slice order. `ready` left unset counts
 * as ready (the API's documented meaning); terminating endpoints never do.
 */
export function readyEndpoints(
  slices: Iterable<EndpointSliceLike>,
  port: string | number,
): ReadyEndpoint[] {
  const out = new Map<string, ReadyEndpoint>();
  for (const slice of slices) {
    if (slice.addressType === 'FQDN') continue;
    const p = (slice.ports ?? []).find((sp) =>
      typeof port === 'number' ? sp.port === port : (sp.name ?? '') === port,
    );
    if (!p || typeof p.port !== 'number' || (p.protocol && p.protocol !== 'TCP')) continue;
    for (const ep of slice.endpoints ?? []) {
      if (ep.conditions?.ready === false || ep.conditions?.terminating === true) continue;
      const address = ep.addresses?.[0];
      if (!address) continue;
      const pod = ep.targetRef?.name;
      const at = { address, port: p.port, portName: p.name ?? '' };
      const e: ReadyEndpoint = pod ? { ...at, pod } : at;
      out.set(endpointKey(e), e);
    }
  }
  return [...out.values()].sort((a, b) => endpointKey(a).localeCompare(endpointKey(b)));
}

/**
 * Which endpoint to follow: stay on `current` while it is still ready (two ready endpoints
 * during a label hand-over must not make clients flap), otherwise the first ready one.
 */
export function chooseEndpoint(
  ready: readonly ReadyEndpoint[],
  current: ReadyEndpoint | undefined,
): ReadyEndpoint | undefined {
  if (current) {
    const key = endpointKey(current);
    const same = ready.find((e) => endpointKey(e) === key);
    if (same) return same;
  }
  return ready[0];
}
