// Where kube-proxy sends a new connection for one Service port, from the Service's slices.
import { asArray, asObject, asString } from './json.js';
import type { KubeObject } from './types.js';

export interface ReadyEndpointInfo {
  readonly pod: string | undefined;
  readonly address: string;
  readonly port: number;
  /** `true` when only serving-but-terminating endpoints exist and this is one of them. */
  readonly terminating: boolean;
}

/**
 * Ready endpoints of the slices for one port (by name; the only port when `portName` is
 * undefined), or, when there are none, the serving-and-terminating ones (kube-proxy's fallback).
 */
export function readyEndpointsOf(
  slices: readonly KubeObject[],
  portName: string | undefined,
): ReadyEndpointInfo[] {
  const ready: ReadyEndpointInfo[] = [];
  const fallback: ReadyEndpointInfo[] = [];
  for (const slice of slices) {
    const ports = (asArray(slice.ports) ?? []).map((p) => asObject(p) ?? {});
    const port =
      portName === undefined
        ? ports.length === 1
          ? ports[0]
          : undefined
        : ports.find((p) => (p.name ?? '') === portName);
    if (!port || typeof port.port !== 'number') continue;
    for (const raw of asArray(slice.endpoints) ?? []) {
      const ep = asObject(raw) ?? {};
      const cond = asObject(ep.conditions) ?? {};
      const address = asString(asArray(ep.addresses)?.[0]);
      if (!address) continue;
      const info = { pod: asString(asObject(ep.targetRef)?.name), address, port: port.port };
      if (cond.ready !== false) ready.push({ ...info, terminating: false });
      else if (cond.serving === true && cond.terminating === true)
        fallback.push({ ...info, terminating: true });
    }
  }
  return ready.length > 0 ? ready : fallback;
}
