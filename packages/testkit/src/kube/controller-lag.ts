// How far behind the API the emulated controllers run. The defaults are a healthy cluster's:
// kube-controller-manager's EndpointSlice controller sees a pod change through its informer within
// milliseconds, syncs through its work queue and writes the slice in a round trip or two; kube-proxy
// sees the slice through its own informer and applies it with iptables-restore at most once per
// `--iptables-min-sync-period` (1 s). Tests that need same-tick routing ask for `'none'`.

export interface EndpointSliceLag {
  /** From a committed write to the controller's informer (watch delivery). @default 20 */
  readonly informerMs: number;
  /** From the start of a sync to its writes being committed (API round trips). @default 10 */
  readonly writeMs: number;
  /** `--endpointslice-updates-batch-period`: delay of syncs queued by pod changes. @default 0 */
  readonly batchMs: number;
  /** First retry of a failed sync (stale informer cache, conflict); doubles per retry. @default 1000 */
  readonly retryBaseMs: number;
  /** Delay of a sync queued by a slice changed or deleted by someone else. @default 1000 */
  readonly sliceChangeMinSyncDelayMs: number;
}

export const defaultEndpointSliceLag: EndpointSliceLag = {
  informerMs: 20,
  writeMs: 10,
  batchMs: 0,
  retryBaseMs: 1000,
  sliceChangeMinSyncDelayMs: 1000,
};

/** Same-tick slices: writes land synchronously after the change that caused them. */
export const noEndpointSliceLag: EndpointSliceLag = {
  informerMs: 0,
  writeMs: 0,
  batchMs: 0,
  retryBaseMs: 1000,
  sliceChangeMinSyncDelayMs: 0,
};

export function resolveEndpointSliceLag(
  lag: Partial<EndpointSliceLag> | 'none' | undefined,
): EndpointSliceLag {
  if (lag === 'none') return noEndpointSliceLag;
  return { ...defaultEndpointSliceLag, ...(lag ?? {}) };
}

export interface ProxySyncLag {
  /** From a committed slice write to kube-proxy's informer. @default 20 */
  readonly informerMs: number;
  /** `--iptables-min-sync-period`: least time between two rule syncs. @default 1000 */
  readonly minSyncPeriodMs: number;
}

export const defaultProxySyncLag: ProxySyncLag = { informerMs: 20, minSyncPeriodMs: 1000 };

export function resolveProxySyncLag(lag: Partial<ProxySyncLag> | 'none' | undefined): ProxySyncLag {
  if (lag === 'none') return { informerMs: 0, minSyncPeriodMs: 0 };
  return { ...defaultProxySyncLag, ...(lag ?? {}) };
}
