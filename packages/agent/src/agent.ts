import { KubeClient, LeaderElector, PodLabeler } from '@activemq-ha/core';
import { wireLogs } from './agent-logs.js';
import { wireMetrics } from './agent-metrics.js';
import { BrokerLogReadiness } from './broker-log-readiness.js';
import type { AgentConfig } from './config.js';
import { AgentError } from './errors.js';
import { type AgentHttpServer, startHttpServer } from './http-server.js';
import { connectKube } from './kube-connection.js';
import type { Logger } from './logger.js';
import { AgentMetrics } from './metrics.js';
import { probeFromConfig } from './probe-from-config.js';
import { StopMarker } from './stop-marker.js';
import { AGENT_VERSION } from './version.js';

export interface HandOver {
  /** The label had to go: the pod is terminating or its broker does not serve. */
  readonly required: boolean;
  readonly released: boolean;
  readonly reason: string;
}

export interface RunningAgent {
  readonly httpPort: number;
  readonly elector: LeaderElector;
  readonly labeler: PodLabeler;
  readonly metrics: AgentMetrics;
  /**
   * SIGTERM: releases the own leader label (and the Lease) when the pod is terminating or the
   * local broker does not serve; when only the agent's container restarts under a serving broker
   * the label stays. Then stops probing and serving HTTP.
   */
  stop(): Promise<HandOver>;
}

/**
 * Wires core into a sidecar: the elector probes the local broker, the labeler keeps the pod's
 * label and the group Lease in step; what they report becomes log lines (agent-logs.ts) and
 * metrics (agent-metrics.ts), one table each.
 */
export async function startAgent(config: AgentConfig, log: Logger): Promise<RunningAgent> {
  const kube = connectKube(config);
  const api = new KubeClient({ kubeConfig: kube.kubeConfig, tokenFile: kube.tokenFile });
  const marker = new StopMarker(config.stopMarker);
  // A marker left by the previous run of this container: the split brain may still be on.
  const markerAtStart = config.splitBrainStopBroker && (await marker.exists());
  const elector = new LeaderElector({
    probe: probeFromConfig(config),
    intervalMs: config.probeIntervalMs,
    standbyIntervalMs: config.standbyProbeIntervalMs,
    successThreshold: config.successThreshold,
    failureThreshold: config.failureThreshold,
  });
  const labeler = new PodLabeler({
    api,
    elector,
    namespace: kube.namespace,
    podName: config.podName,
    groupSelector: config.groupSelector,
    labelKey: config.labelKey,
    leaderValue: config.leaderValue,
    standbyValue: config.standbyValue,
    onUnknown: config.onUnknown,
    resyncIntervalMs: config.resyncIntervalMs,
    probeFreshnessMs: config.probeFreshnessMs,
    fenceBackoffMs: config.fenceBackoffMs,
    writesPerMinute: config.writesPerMinute,
    splitBrainAtStart: markerAtStart,
    lease: {
      name: config.leaseName,
      durationSeconds: config.leaseDurationSeconds,
      renewIntervalMs: config.leaseRenewIntervalMs,
    },
  });
  const metrics = new AgentMetrics(
    () => labeler.status.label === config.leaderValue,
    AGENT_VERSION,
  );
  // The Lease name identifies the broker group within its namespace: alerts sum by it, so two
  // groups in one namespace never add up.
  metrics.registry.setDefaultLabels({ group: config.leaseName });
  wireMetrics({ api, elector, labeler, metrics, standbyValue: config.standbyValue });
  wireLogs({ api, elector, labeler, log, labelKey: config.labelKey });
  if (markerAtStart) metrics.splitBrain.set(1);

  if (config.splitBrainStopBroker) {
    labeler.on('splitBrain', (e) => {
      marker.create(`split brain: ${e.holder} holds the group Lease`).then(
        () =>
          log.warn(
            { event: 'stop-marker', path: marker.path, action: 'created' },
            `created ${marker.path}: the broker's liveness probe now stops the broker`,
          ),
        (error: Error) =>
          log.error(
            { event: 'stop-marker', path: marker.path, err: error },
            `cannot create ${marker.path}; the broker keeps serving (demoted, NotReady)`,
          ),
      );
    });
    labeler.on('splitBrainCleared', () => {
      marker.remove().then(
        () =>
          log.info(
            { event: 'stop-marker', path: marker.path, action: 'removed' },
            `removed ${marker.path}: no other pod holds a live Lease`,
          ),
        (error: Error) =>
          log.error({ event: 'stop-marker', path: marker.path, err: error }, 'cannot remove'),
      );
    });
  }

  const brokerLog = config.brokerLog
    ? new BrokerLogReadiness(config.brokerLog, config.brokerProcess)
    : undefined;
  // Liveness covers the agent's own loop only: a waiting slave must stay alive.
  const stallMs = Math.max(30_000, 4 * (config.probeIntervalMs + config.probeTimeoutMs));
  let http: AgentHttpServer;
  try {
    http = await startHttpServer(
      config.httpHost,
      config.httpPort,
      {
        live: () => {
          const last = elector.snapshot().lastProbe?.at ?? elector.snapshot().since;
          return Date.now() - last < stallMs;
        },
        ready: async () => {
          const own = labeler.status.readiness;
          // A standby is Ready (and a rollout moves on) only once its broker got as far as the
          // store lock; a leader's readiness is its probe.
          if (!own.ready || !brokerLog || labeler.status.label === config.leaderValue) return own;
          const log = await brokerLog.read(elector.snapshot().state);
          return log.ready ? { ready: true, reason: `${own.reason}; ${log.reason}` } : log;
        },
      },
      metrics.registry,
    );
  } catch (error) {
    throw new AgentError(
      'HTTP_LISTEN_FAILED',
      `cannot listen on ${config.httpHost ?? '*'}:${config.httpPort} (--http-host/--http-port): ${(error as Error).message}`,
      { cause: error },
    );
  }

  elector.start();
  labeler.start();
  log.info(
    {
      event: 'started',
      httpPort: http.port,
      namespace: kube.namespace,
      probes: config.probes,
      probeIntervalMs: config.probeIntervalMs,
      groupSelector: config.groupSelector,
      lease: config.leaseName,
      version: AGENT_VERSION,
      splitBrainAtStart: markerAtStart,
    },
    `agent started for pod ${kube.namespace}/${config.podName}`,
  );

  let stopping: Promise<HandOver> | undefined;
  return {
    httpPort: http.port,
    elector,
    labeler,
    metrics,
    stop: () => {
      stopping ??= (async () => {
        const started = Date.now();
        const h = await labeler.handOver(config.shutdownTimeoutMs);
        await elector.stop();
        await http.close();
        api.close();
        log.info(
          {
            event: 'stopped',
            released: h.released,
            required: h.required,
            reason: h.reason,
            tookMs: Date.now() - started,
          },
          h.required
            ? h.released
              ? `label released (${h.reason}); agent stopped`
              : `label NOT released although required (${h.reason}); agent stopped`
            : `label kept (${h.reason}); agent stopped`,
        );
        return h;
      })();
      return stopping;
    },
  };
}
