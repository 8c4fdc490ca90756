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
