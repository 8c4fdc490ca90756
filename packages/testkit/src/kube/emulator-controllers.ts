// The control loops the emulator runs behind its API, as kube-controller-manager runs them behind a
// real one: the EndpointSlice (and Endpoints) controller, with its lag model. It sees the API only
// through the store it watches and writes, like a controller sees etcd through the apiserver.
// Not here, and why: graceful deletion is the apiserver's own (the registry's DELETE, see
// graceful-deletion.ts), finished by the kubelet stand-in; the Service proxy is kube-proxy, a
// per-node process a test starts against the emulator (service-proxy.ts).
import type { EndpointSliceLag } from './controller-lag.js';
import { EndpointSliceController } from './endpoint-slice-controller.js';
import type { ObjectStore } from './object-store.js';

export class EmulatorControllers {
  private readonly endpointSlices: EndpointSliceController;

  constructor(store: ObjectStore, endpointSliceLag?: Partial<EndpointSliceLag> | 'none') {
    this.endpointSlices = new EndpointSliceController(store, endpointSliceLag);
  }

  /** Starts the controllers: each lists what exists and syncs it once, then follows changes. */
  start(): void {
    this.endpointSlices.start();
  }

  stop(): void {
    this.endpointSlices.stop();
  }

  /**
   * Restarts the EndpointSlice controller with another lag model (`'none'`: slices change in the
   * same tick as the pods). Fields left out keep kube-controller-manager's defaults.
   */
  setEndpointSliceLag(lag: Partial<EndpointSliceLag> | 'none'): void {
    this.endpointSlices.setLag(lag);
  }

  /** The EndpointSlice controller's lag model now. */
  get endpointSliceLag(): EndpointSliceLag {
    return this.endpointSlices.currentLag;
  }

  /** Syncs the EndpointSlice controller refused on a stale informer cache (each costs a retry). */
  get staleEndpointSliceSyncs(): number {
    return this.endpointSlices.staleSyncs;
  }

  /** Pods the EndpointSlice controller left out because their Node does not exist (per sync). */
  get podsSkippedForMissingNodes(): number {
    return this.endpointSlices.podsSkippedForMissingNodes;
  }
}
