// The takeover presets the test ground renders from, for benches that pick one by name.
export type { TakeoverProfile, TakeoverSettings } from '@activemq-ha/manifests';
export {
  DEFAULT_TAKEOVER_PROFILE,
  isTakeoverProfile,
  TAKEOVER_PROFILES,
} from '@activemq-ha/manifests';
export type { FailoverMoments, FailoverStages } from './bench/failover-breakdown.js';
export {
  describeStages,
  failoverStages,
  firstConfirmationBy,
  formatFailoverBreakdown,
  readTakeoverBreakdown,
  stagePercentiles,
} from './bench/failover-breakdown.js';
export type { AnswerProbe } from './bench/first-answer.js';
export { firstProtocolAnswer } from './bench/first-answer.js';
export type { ProcMemory } from './bench/proc-memory.js';
export { procMemory } from './bench/proc-memory.js';
export type { Percentiles } from './bench/stats.js';
export { percentiles, printTable } from './bench/stats.js';
export type {
  BrokerLogLine,
  TakeoverBreakdown,
  TakeoverBreakdownInput,
} from './bench/takeover-breakdown.js';
export { parseBrokerLog, takeoverBreakdown } from './bench/takeover-breakdown.js';
export {
  DEFAULT_TEST_ACTIVEMQ_VERSION,
  resolveActivemqHome,
} from './broker/activemq-version.js';
export type { JvmOptions } from './broker/broker-command.js';
export type {
  ActiveBroker,
  BrokerGroup,
  BrokerSignal,
  FailoverResult,
  WaitForActiveOptions,
  WaitingBroker,
  WaitOptions,
} from './broker/broker-group.js';
export type { ProcessExit } from './broker/broker-process.js';
export { classArchiveFile, existingClassArchive } from './broker/class-archive.js';
export type { BrokerGroupErrorCode } from './broker/errors.js';
export { BrokerGroupError } from './broker/errors.js';
export { allocatePorts } from './broker/free-ports.js';
export type { BrokerHandle, KillResult } from './broker/group-member.js';
export type { ActivemqInstallation } from './broker/locate-activemq.js';
export {
  DEBIAN_ACTIVEMQ_HOME,
  locateActivemq,
  locateJava,
  webConsoleUnavailable,
} from './broker/locate-activemq.js';
export { acceptsConnections } from './broker/port-probe.js';
export type { RenderedJetty12, RenderedJetty12Options } from './broker/rendered-jetty12.js';
export { startRenderedJetty12 } from './broker/rendered-jetty12.js';
export type {
  DefaultBrokerProtocols,
  StartBrokerGroupOptions,
} from './broker/start-broker-group.js';
export { startBrokerGroup } from './broker/start-broker-group.js';
export {
  requireTakeoverWarmupJar,
  takeoverWarmupFlag,
  takeoverWarmupJar,
  warmupOutcome,
} from './broker/takeover-warmup.js';
export type { PollOptions } from './broker/timing.js';
export { now, pollUntil } from './broker/timing.js';
export type {
  TrainClassArchiveOptions,
  TrainedClassArchive,
} from './broker/train-class-archive.js';
export { trainClassArchive } from './broker/train-class-archive.js';
export type { ServiceAccountTokenOptions } from './cluster/agent-identity.js';
export { applyAgentRbac, ServiceAccountTokenFile } from './cluster/agent-identity.js';
export type { AgentLogLine, AgentProcessOptions } from './cluster/agent-process.js';
export { AgentProcess } from './cluster/agent-process.js';
export { startEmulatorKubelet } from './cluster/emulator-kubelet.js';
export type {
  EndpointSliceRoutingOptions,
  RoutedConnection,
  RoutedEndpoint,
} from './cluster/endpoint-slice-routing.js';
export { EndpointSliceRouting, routableEndpoints } from './cluster/endpoint-slice-routing.js';
export type { PodPollOptions } from './cluster/group-pods.js';
export {
  describePods,
  isLeader,
  isReady,
  isTerminating,
  LEADER_LABEL,
  LEADER_VALUE,
  leaderNames,
  livePods,
  podName,
  poll,
  readyEndpointPods,
} from './cluster/group-pods.js';
export type { HaClusterApi, HaClusterOptions, HaPod } from './cluster/ha-cluster.js';
export { HaCluster, startHaCluster } from './cluster/ha-cluster.js';
export type { HaImages, HaImagesOptions } from './cluster/ha-images.js';
export { haImages, runToExit } from './cluster/ha-images.js';
export { imageNodeFlags } from './cluster/image-node-flags.js';
export type { LeaderOverlap } from './cluster/leader-overlaps.js';
export { leaderOverlaps } from './cluster/leader-overlaps.js';
export type {
  LocalImage,
  LocalImageContext,
  LocalImages,
} from './cluster/local-container.js';
export { containerEnv } from './cluster/local-container.js';
export type {
  HttpProbe,
  LivenessProbe,
  LocalContainer,
  NodeKubeletOptions,
  NodePodSpec,
  ReadinessProbe,
  RestartBackOff,
} from './cluster/node-kubelet.js';
export { NodeKubelet, restartDelayMs } from './cluster/node-kubelet.js';
export type { PodNetwork } from './cluster/pod-network.js';
export { allocatePodIPs, podNetwork } from './cluster/pod-network.js';
export type { PodWatchUntilOptions } from './cluster/pod-watch.js';
export { PodWatch } from './cluster/pod-watch.js';
export type { RealTargetOptions } from './cluster/real-target.js';
export { RealTarget } from './cluster/real-target.js';
export type { HandoverTimes } from './cluster/routing-handover.js';
export { RoutingHandover } from './cluster/routing-handover.js';
export type { TrafficStats } from './cluster/traffic.js';
export { largestGap, Traffic } from './cluster/traffic.js';
export type { ControlPlaneBinaries } from './control-plane/binaries.js';
export { locateControlPlaneBinaries } from './control-plane/binaries.js';
export type { ControlPlaneErrorCode } from './control-plane/errors.js';
export { ControlPlaneError } from './control-plane/errors.js';
export type {
  ControlPlane,
  ControlPlaneOptions,
  ControlPlanePorts,
} from './control-plane/start-control-plane.js';
export {
  ROLLOUT_CONTROLLERS,
  startControlPlane,
  TEST_CONTROLLERS,
} from './control-plane/start-control-plane.js';
export type { KubeWaitOptions } from './kube/emulator-history.js';
export type {
  KubeListOptions,
  KubeResourceRef,
  ReadyEndpointInfo,
} from './kube/emulator-objects.js';
export type { KubeEmulatorErrorCode } from './kube/errors.js';
export { KubeEmulatorError, KubeStatusError, KubeWaitTimeoutError } from './kube/errors.js';
export type { FailureSpec } from './kube/fault-injector.js';
export type { DownMode, KubeEmulatorOptions } from './kube/kube-emulator.js';
export { KubeEmulator, startKubeEmulator } from './kube/kube-emulator.js';
export type { LabelChange } from './kube/label-history.js';
export type { RequestFilter, RequestMatch, RequestRecord } from './kube/request-log.js';
export type { ProxiedConnection, ServiceProxyOptions } from './kube/service-proxy.js';
export { ServiceProxy, startServiceProxy } from './kube/service-proxy.js';
export type {
  ContainerPortSpec,
  CreatePodOptions,
  CreateServiceOptions,
  ServicePortSpec,
} from './kube/test-objects.js';
export type { RbacRule } from './kube/token-auth.js';
export type {
  KubeObject,
  KubeStatus,
  ObjectMeta,
  OwnerReference,
  ResourceName,
  StoreEvent,
  Verb,
  WatchEventType,
} from './kube/types.js';
export type { CutMode } from './kube/watch-stream.js';
export { type Inbox, inbox } from './messages/inbox.js';
export type {
  OpenWireScript,
  ScriptedOpenWireBroker,
  ScriptedOpenWireBrokerOptions,
} from './openwire/scripted-openwire-broker.js';
export { startScriptedOpenWireBroker } from './openwire/scripted-openwire-broker.js';
export type { AgreementOptions, ClusterAgreement } from './soak/cluster-agreement.js';
export { describeAgreement, readAgreement, waitForAgreement } from './soak/cluster-agreement.js';
export { ClusterTimeline } from './soak/cluster-timeline.js';
export type { SoakErrorCode } from './soak/errors.js';
export { SoakError } from './soak/errors.js';
export type { FaultPickerOptions } from './soak/fault-picker.js';
export { FaultPicker } from './soak/fault-picker.js';
export type { FaultKind, FaultPlan } from './soak/fault-plan.js';
export { describeFault, describeFaultKind, FAULT_KINDS, killsBroker } from './soak/fault-plan.js';
export type { FaultRoundContext, FaultRoundResult } from './soak/fault-round.js';
export { runFaultRound } from './soak/fault-round.js';
export type { InjectedFault } from './soak/inject-fault.js';
export { injectFault, repairFault } from './soak/inject-fault.js';
export type { SoakResult } from './soak/run-soak.js';
export { runSoak } from './soak/run-soak.js';
export { SeededRandom } from './soak/seeded-random.js';
export type { DeliveryTotals } from './soak/soak-invariants.js';
export { deliveryViolations, overlapViolations } from './soak/soak-invariants.js';
export type { SoakOptions } from './soak/soak-options.js';
export { resolveSoakOptions, soakEnv } from './soak/soak-options.js';
export type { SoakKindFigures } from './soak/soak-report.js';
export { formatSoakReport, soakFigures } from './soak/soak-report.js';
export type { TestCertificate, TestCertificateOptions } from './tls/test-certificate.js';
export { createTestCertificate } from './tls/test-certificate.js';
