/**
 * Leader election by lock probe for ActiveMQ Classic shared-store HA on Kubernetes.
 *
 * @module @activemq-ha/core
 */
export type { BackoffOptions } from './backoff.js';
export { BACKOFF_DEFAULTS, Backoff } from './backoff.js';
export type { Clock, TimerHandle } from './clock.js';
export { systemClock } from './clock.js';
export { allOf, anyOf } from './compose-probes.js';
export type { DesiredLabelInput } from './desired-label.js';
export { desiredLabel } from './desired-label.js';
export type { LeaderState, Streaks, Thresholds } from './elector-policy.js';
export type { CoreErrorCode, KubeOperation } from './errors.js';
export {
  CoreError,
  FenceIncompleteError,
  InvalidOptionError,
  KubeApiError,
  LabelConflictError,
  ListenerError,
  ProbeFailedError,
  TokenFileError,
  WriteThrottledError,
} from './errors.js';
export type { LeaseStatus } from './group-lease.js';
export type { ListenerErrorEvents } from './guarded-emitter.js';
export type {
  EventSeriesWrite,
  KubeRequestEvent,
  LeaseRecord,
  LeaseSpecWrite,
  MetadataPatch,
  PodApi,
  PodEventSpec,
  PodMeta,
  PodWatchEventType,
  PodWatchHandlers,
  PodWatchQuery,
  RequestOptions,
  WatchHandle,
} from './kube-api.js';
export type { KubeClientEvents, KubeClientOptions } from './kube-client.js';
export { KubeClient } from './kube-client.js';
export type {
  ElectorSnapshot,
  LeaderElectorEvents,
  LeaderElectorOptions,
  ProbeEvent,
  Transition,
} from './leader-elector.js';
export { LeaderElector } from './leader-elector.js';
export type { OpenWireProbeOptions } from './openwire-probe.js';
export { openwireProbe } from './openwire-probe.js';
export { PodLabeler } from './pod-labeler.js';
export type {
  ApiErrorEvent,
  FenceEvent,
  LabelChange,
  LabelerStatus,
  PodLabelerEvents,
  ReconcileReport,
  ReconcileTrigger,
} from './pod-labeler-events.js';
export type { LeadershipSource, PodLabelerOptions } from './pod-labeler-options.js';
export type { Probe, ProbeResult, ProbeStatus, SocketProbeOptions } from './probe.js';
export { isInconclusive } from './probe.js';
export type { Readiness } from './readiness.js';
export { computeReadiness } from './readiness.js';
export type { StompProbeOptions } from './stomp-probe.js';
export { stompProbe } from './stomp-probe.js';
export { tcpProbe } from './tcp-probe.js';
