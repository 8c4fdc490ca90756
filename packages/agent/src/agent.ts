import { KubeClient, LeaderElector, PodLabeler } from '@activemq-ha/core';
import type { AgentConfig } from './config.js';
import { AgentError } from './errors.js';
import { type AgentHttpServer, startHttpServer } from './http-server.js';
import { connectKube } from './kube-connection.js';
import type { Logger } from './logger.js';
import { AgentMetrics } from './metrics.js';
import { probeFromConfig } from './probe-from-config.js';

export interface RunningAgent {
  readonly httpPort: number;
  readonly elector: LeaderElector;
  readonly labeler: PodLabeler;
  readonly metrics: AgentMetrics;
  /**
   * Hands over: removes the own leader label first (so the Service drops this pod before the
   * broker goes), then stops probing and serving HTTP. Resolves whether the label was released.
   */
  stop(): Promise<boolean>;
}

/**
 * Wires core into a sidecar: the elector probes the local broker, the labeler keeps the pod's
 * label in step, and every event becomes a metric and, for state changes, one JSON log line.
 */
export async function startAgent(config: AgentConfig, log: Logger): Promise<RunningAgent> {
  const kube = connectKube(config);
  const api = new KubeClient({ kubeConfig: kube.kubeConfig, tokenFile: kube.tokenFile });
  const elector = new LeaderElector({
    probe: probeFromConfig(config),
    intervalMs: config.probeIntervalMs,
    standbyIntervalMs: config.standbyProbeIntervalMs,
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
    resyncIntervalMs: config.resyncIntervalMs,
    leaseName: config.lease ? leaseNameFor(config.groupSelector) : undefined,
  });
  const metrics = new AgentMetrics(() => labeler.status.label === config.leaderValue);

  api.on('request', (e) => {
    if (e.status < 200 || e.status >= 300) metrics.apiErrors.inc({ code: String(e.status) });
  });
  api.on('tokenRotated', (info) =>
    log.info({ event: 'token-rotated', ...info }, 'service account token re-read'),
  );
  elector.on('probe', ({ result }) => {
    metrics.probeDuration.observe({ outcome: result.status }, result.latencyMs / 1000);
    metrics.brokerServing.set(result.status === 'ok' ? 1 : 0);
    log.debug(
      { event: 'probe', probe: result.probe, status: result.status, latencyMs: result.latencyMs },
      'probe',
    );
  });
  let labelledSinceTransition = false;
  elector.on('transition', (t) => {
    labelledSinceTransition = false;
    metrics.transitions.inc({ from: t.from, to: t.to });
    log.info(
      {
        event: 'transition',
        from: t.from,
        to: t.to,
        reason: t.reason,
        previousStateMs: t.previousDurationMs,
      },
      `broker ${t.to}: ${t.reason}`,
    );
  });
  elector.on('error', (error) => log.warn({ event: 'probe-error', err: error }, 'probe threw'));
  labeler.on('labelChanged', (c) => {
    metrics.labelWrites.inc({ target: 'self', value: c.to });
    // Only the write that follows a state change measures the agent's reaction time; repairs
    // and the SIGTERM release can come long after the last transition.
    if (c.cause !== 'released' && c.sinceTransitionMs !== undefined && !labelledSinceTransition) {
      metrics.timeToLabel.observe(c.sinceTransitionMs / 1000);
    }
    labelledSinceTransition = true;
    log.info(
      {
        event: 'label',
        target: c.pod,
        from: c.from,
        to: c.to,
        cause: c.cause,
        reason: c.reason,
        writeMs: c.durationMs,
        sinceTransitionMs: c.sinceTransitionMs,
      },
      `labelled ${c.pod} ${config.labelKey}=${c.to}`,
    );
  });
  labeler.on('fenced', (f) => {
    metrics.labelWrites.inc({ target: 'peer', value: config.standbyValue });
    log.info(
      { event: 'fenced', target: f.pod, writeMs: f.durationMs, attempts: f.attempts },
      `fenced stale leader ${f.pod}`,
    );
  });
  labeler.on('watch', (w) => {
    if (w.error)
      log.warn(
        { event: 'watch-closed', err: w.error },
        'pod watch closed with an error; re-watching',
      );
    else log.debug({ event: `watch-${w.state}` }, `pod watch ${w.state}`);
  });
  labeler.on('fenceFailed', (f) =>
    log.warn(
      { event: 'fence-failed', target: f.pod, err: f.error },
      `could not fence ${f.pod}; retrying`,
    ),
  );
  labeler.on('conflict', (c) =>
    log.debug(
      { event: 'conflict', target: c.pod, attempt: c.attempt },
      'resourceVersion conflict; re-reading',
    ),
  );
  labeler.on('apiError', (e) => {
    // A transient error (no answer, 401/403/409/429/5xx) heals by itself; anything else (400,
    // 422: a webhook or a bad label) needs a person, so it is logged as an error. Both are retried.
    const fields = {
      event: 'api-error',
      err: e.error,
      transient: e.transient,
      trigger: e.trigger,
      consecutive: e.consecutiveErrors,
      retryInMs: e.retryInMs,
    };
    const message = `Kubernetes API call failed; retrying in ${e.retryInMs} ms`;
    if (e.transient) log.warn(fields, message);
    else log.error(fields, `${message}; this error will not heal by itself`);
  });
  const onListenerError = (error: Error) =>
    log.error({ event: 'listener-error', err: error }, 'an event handler of the agent threw');
  elector.on('listenerError', onListenerError);
  labeler.on('listenerError', onListenerError);
  api.on('listenerError', onListenerError);
  labeler.on('readiness', (r) =>
    log.info(
      { event: 'readiness', ready: r.ready, reason: r.reason },
      `readiness ${r.ready ? 'ok' : 'failing'}: ${r.reason}`,
    ),
  );
  labeler.on('warning', (w) =>
    log.warn({ event: 'warning', what: w.what, err: w.error }, `${w.what} failed`),
  );

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
        ready: () => labeler.status.readiness,
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
    },
    `agent started for pod ${kube.namespace}/${config.podName}`,
  );

  let stopping: Promise<boolean> | undefined;
  return {
    httpPort: http.port,
    elector,
    labeler,
    metrics,
    stop: () => {
      stopping ??= (async () => {
        const started = Date.now();
        const released = await labeler.stop({ release: true, timeoutMs: config.shutdownTimeoutMs });
        await elector.stop();
        await http.close();
        log.info(
          { event: 'stopped', released, tookMs: Date.now() - started },
          released ? 'label released; agent stopped' : 'agent stopped without releasing the label',
        );
        return released;
      })();
      return stopping;
    },
  };
}

/** `app.kubernetes.io/name=orders` → `orders-leader`: one Lease per broker group. */
function leaseNameFor(groupSelector: string): string {
  const value = groupSelector.split(',')[0]?.split('=').pop()?.trim() || 'activemq';
  return `${value}-leader`;
}
