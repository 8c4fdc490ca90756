import { existsSync, readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import type { AgentConfig } from './config.js';
import { AgentError, ConfigError } from './errors.js';

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface KubeConnection {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  /** Token file re-read on rotation; the projected service-account token in a cluster. */
  readonly tokenFile: string | undefined;
}

/** A kubeconfig file when one is given, else the pod's service account (in-cluster). */
export function connectKube(config: AgentConfig): KubeConnection {
  const kubeConfig = new KubeConfig();
  let inCluster = false;
  try {
    if (config.kubeconfig) kubeConfig.loadFromFile(config.kubeconfig);
    else {
      kubeConfig.loadFromCluster();
      inCluster = true;
    }
  } catch (error) {
    throw new AgentError(
      'KUBECONFIG_INVALID',
      `cannot load ${config.kubeconfig ? `kubeconfig ${config.kubeconfig}` : 'the in-cluster configuration'}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (!kubeConfig.getCurrentCluster()) {
    throw new AgentError(
      'KUBECONFIG_INVALID',
      config.kubeconfig
        ? `kubeconfig ${config.kubeconfig} has no current cluster; set current-context`
        : 'not running in a cluster (KUBERNETES_SERVICE_HOST is unset); pass --kubeconfig',
    );
  }
  const saNamespaceFile = `${SERVICE_ACCOUNT_DIR}/namespace`;
  const namespace =
    config.namespace ??
    (inCluster && existsSync(saNamespaceFile)
      ? readFileSync(saNamespaceFile, 'utf8').trim()
      : kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace);
  if (!namespace) {
    throw new ConfigError(
      'POD_NAMESPACE (or --namespace): not set and no namespace in the kubeconfig context; set it from the downward API (fieldRef metadata.namespace)',
    );
  }
  const tokenFile = config.tokenFile ?? (inCluster ? `${SERVICE_ACCOUNT_DIR}/token` : undefined);
  return { kubeConfig, namespace, tokenFile };
}
