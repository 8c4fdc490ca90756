import type {
  KubeClient,
  KubeClientEvents,
  LeaderElector,
  LeaderElectorEvents,
  PodLabeler,
  PodLabelerEvents,
} from '@activemq-ha/core';
import { type EventTable, wireTable } from './event-table.js';
import type { Logger } from './logger.js';

export interface LogSources {
  readonly api: KubeClient;
  readonly elector: LeaderElector;
  readonly labeler: PodLabeler;
  readonly log: Logger;
  readonly labelKey: string;
}

/**
 * Event → log line, one table per emitter. State changes are info, what needs a look is warn or
 * error, per-probe chatter is debug. Errors go through the logger's serializer: one line with
 * their cause, the stack only at debug level.
 */
export function wireLogs({ api, elector, labeler, log, labelKey }: LogSources): void {
  const labelerTable: EventTable<PodLabelerEvents> = {
    labelChanged: (c) =>
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
        `labelled ${c.pod} ${labelKey}=${c.to}`,
      ),
    fenced: (f) =>
      log.info(
        { event: 'fenced', target: f.pod, writeMs: f.durationMs, attempts: f.attempts },
        `fenced stale leader ${f.pod}`,
      ),
    fenceFailed: (f) =>
      log.warn({ event: 'fence-failed', target: f.pod, err: f.error }, `could not fence ${f.pod}`),
    claimBlocked: (b) =>
      log.warn(
        { event: 'claim-blocked', targets: b.pods, reason: b.reason },
        `not claiming ${labelKey}: ${b.pods.join(', ')} still labelled leader and routable`,
      ),
    fencedByPeer: (f) =>
      log.warn(
        { event: 'fenced-by-peer', by: f.by },
        `${f.by} demoted this pod; no claim back for the fence back-off`,
      ),
    throttled: (t) =>
      log.warn(
        { event: 'throttled', target: t.pod, retryInMs: t.retryInMs },
        `label write budget spent; next write in ${t.retryInMs} ms`,
      ),
    splitBrain: (e) =>
      log.error(
        { event: 'split-brain', holder: e.holder },
        `SPLIT BRAIN: the local broker serves while ${e.holder} renews the group Lease; demoting, not ready`,
      ),
    terminating: (t) =>
      log.info(
        { event: 'terminating', deletionTimestamp: t.deletionTimestamp },
        'pod is terminating: SIGTERM will release the label',
      ),
    splitBrainCleared: () =>
      log.info({ event: 'split-brain-cleared' }, 'no other pod holds a live Lease any more'),
    lease: (s) =>
      log.info(
        { event: 'lease', held: s.held, term: s.term, otherHolder: s.otherHolder },
        s.held
          ? `holding the group Lease, term ${s.term}`
          : s.otherHolder
            ? `group Lease held by ${s.otherHolder}`
            : 'not holding the group Lease',
      ),
    watch: (w) => {
      if (w.error)
        log.warn({ event: 'watch-closed', err: w.error }, 'pod watch closed; re-watching');
      else log.debug({ event: `watch-${w.state}` }, `pod watch ${w.state}`);
    },
    conflict: (c) =>
      log.debug(
        { event: 'conflict', target: c.pod, attempt: c.attempt },
        'resourceVersion conflict; re-reading',
      ),
    apiError: (e) => {
      // A transient error (no answer, 401/403/409/429/5xx) heals by itself; anything else (400,
      // 422: a webhook or a bad label) needs a person. Both are retried.
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
    },
    readiness: (r) =>
      log.info(
        { event: 'readiness', ready: r.ready, reason: r.reason },
        `readiness ${r.ready ? 'ok' : 'failing'}: ${r.reason}`,
      ),
    warning: (w) => log.warn({ event: 'warning', what: w.what, err: w.error }, `${w.what} failed`),
    listenerError: (e) => listenerError(e),
  };
  const listenerError = (error: Error) =>
    log.error({ event: 'listener-error', err: error }, 'an event handler of the agent threw');
  const electorTable: EventTable<LeaderElectorEvents> = {
    probe: ({ result }) =>
      log.debug(
        { event: 'probe', probe: result.probe, status: result.status, latencyMs: result.latencyMs },
        'probe',
      ),
    transition: (t) =>
      log.info(
        {
          event: 'transition',
          from: t.from,
          to: t.to,
          reason: t.reason,
          previousStateMs: t.previousDurationMs,
        },
        `broker ${t.to}: ${t.reason}`,
      ),
    error: (error) => log.warn({ event: 'probe-error', err: error }, 'probe threw'),
    listenerError: (e) => listenerError(e),
  };
  const apiTable: EventTable<KubeClientEvents> = {
    tokenRotated: (info) =>
      log.info({ event: 'token-rotated', ...info }, 'service account token re-read'),
    listenerError: (e) => listenerError(e),
  };
  wireTable(labeler, labelerTable);
  wireTable(elector, electorTable);
  wireTable(api, apiTable);
}
