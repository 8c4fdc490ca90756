import { PodWatch } from '@activemq-ha/testkit';
import {
  CoreV1Api,
  DiscoveryV1Api,
  KubeConfig,
  type V1EndpointSlice,
  type V1Pod,
} from '@kubernetes/client-node';
import type { ClusterSettings } from './cluster-settings.js';

/**
 * The namespace of the current context of the kubeconfig(s) `KUBECONFIG` names, as kubectl
 * defaults to it; undefined when the context sets none or the files cannot be read (the suite's
 * first API call then reports the bad kubeconfig).
 */
export function currentContextNamespace(): string | undefined {
  try {
    const kc = new KubeConfig();
    kc.loadFromDefault();
    return kc.getContextObject(kc.getCurrentContext())?.namespace;
  } catch {
    return undefined;
  }
}

/**
 * The few API calls the suite makes, scoped to the deployed group. The runner's identity needs
 * pods get/list/watch (delete for the destructive test) and endpointslices list in the namespace.
 */
export class ClusterApi {
  readonly kubeConfig = new KubeConfig();
  readonly #core: CoreV1Api;
  readonly #discovery: DiscoveryV1Api;

  constructor(readonly settings: ClusterSettings) {
    // loadFromDefault reads KUBECONFIG, including a colon-separated list of files.
    this.kubeConfig.loadFromDefault();
    this.#core = this.kubeConfig.makeApiClient(CoreV1Api);
    this.#discovery = this.kubeConfig.makeApiClient(DiscoveryV1Api);
  }

  async pods(): Promise<V1Pod[]> {
    const list = await this.#core.listNamespacedPod({
      namespace: this.settings.namespace,
      labelSelector: this.settings.groupSelector,
    });
    return list.items;
  }

  async endpointSlices(): Promise<V1EndpointSlice[]> {
    const list = await this.#discovery.listNamespacedEndpointSlice({
      namespace: this.settings.namespace,
      labelSelector: `kubernetes.io/service-name=${this.settings.service}`,
    });
    return list.items;
  }

  /** A graceful delete with the pod's own grace period, as `kubectl delete pod` does. */
  async deletePod(name: string): Promise<void> {
    await this.#core.deleteNamespacedPod({ name, namespace: this.settings.namespace });
  }

  watchPods(): Promise<PodWatch> {
    return PodWatch.start(this.kubeConfig, this.settings.namespace, this.settings.groupSelector);
  }
}
