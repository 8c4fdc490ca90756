export type { Percentiles } from './bench/stats.js';
export { percentiles, printTable } from './bench/stats.js';
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
export type { BrokerGroupErrorCode } from './broker/errors.js';
export { BrokerGroupError } from './broker/errors.js';
export type { BrokerHandle, KillResult } from './broker/group-member.js';
export type { ActivemqInstallation } from './broker/locate-activemq.js';
export { DEBIAN_ACTIVEMQ_HOME, locateActivemq, locateJava } from './broker/locate-activemq.js';
export { acceptsConnections } from './broker/port-probe.js';
export type {
  DefaultBrokerProtocols,
  StartBrokerGroupOptions,
} from './broker/start-broker-group.js';
export { startBrokerGroup } from './broker/start-broker-group.js';
export { now } from './broker/timing.js';
export type { AgentLogLine, AgentProcessOptions } from './cluster/agent-process.js';
export { AgentProcess } from './cluster/agent-process.js';
export type { HaClusterOptions, HaPod } from './cluster/ha-cluster.js';
export { HaCluster, startHaCluster } from './cluster/ha-cluster.js';
export { Kubelet } from './cluster/kubelet.js';
export type { LeaderOverlap } from './cluster/leader-overlaps.js';
export { leaderOverlaps } from './cluster/leader-overlaps.js';
export type { TrafficStats } from './cluster/traffic.js';
export { largestGap, Traffic } from './cluster/traffic.js';
export type { KubeWaitOptions } from './kube/emulator-core.js';
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
