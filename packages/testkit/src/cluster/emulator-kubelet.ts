import type { KubeEmulator } from '../kube/kube-emulator.js';
import { NodeKubelet, type RestartBackOff } from './node-kubelet.js';

/**
 * The kubelet stand-in on the emulator: its own node identity (a token the tests' RBAC changes
 * and rotations do not touch, as a kubelet has its own credentials) and loopback pod IPs. The
 * same `NodeKubelet` runs on the real control plane.
 */
export async function startEmulatorKubelet(
  kube: KubeEmulator,
  namespace: string,
  options: { readonly restartBackOff?: RestartBackOff } = {},
): Promise<NodeKubelet> {
  const token = `kubelet-${crypto.randomUUID()}`;
  kube.addToken(token, { user: 'system:node:node-0' });
  const kubelet = new NodeKubelet({
    kubeConfig: kube.kubeConfig({ token }),
    namespace,
    podIPs: 'loopback',
    ...(options.restartBackOff ? { restartBackOff: options.restartBackOff } : {}),
  });
  await kubelet.start();
  return kubelet;
}
