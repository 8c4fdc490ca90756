import type { ResolvedBaseOptions } from '../resolve-options.js';
import { type GroupNames, type Manifest, NAME_LABEL } from './manifest.js';

/**
 * The monitoring Component's PodMonitor (Prometheus Operator): every broker pod, the agent's
 * `/metrics` always and the broker's with `metrics.enabled`. A PodMonitor rather than a
 * ServiceMonitor: the client Service selects only the leader, and waiting brokers matter too.
 */
export function podMonitor(names: GroupNames, options: ResolvedBaseOptions): Manifest {
  const endpoints: Record<string, unknown>[] = [{ port: 'http', path: '/metrics' }];
  if (options.metrics.enabled) endpoints.push({ port: 'metrics', path: '/metrics' });
  return {
    object: {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PodMonitor',
      metadata: { name: names.app },
      spec: {
        selector: { matchLabels: { [NAME_LABEL]: names.app } },
        podMetricsEndpoints: endpoints,
      },
    },
  };
}
