/**
 * Sidecar daemon that labels the pod whose ActiveMQ broker holds the shared-store lock.
 *
 * @module @activemq-ha/agent
 */
export type { RunningAgent } from './agent.js';
export { startAgent } from './agent.js';
export type { AgentConfig } from './config.js';
export { configHelp, loadConfig } from './config.js';
export type { AgentErrorCode } from './errors.js';
export { AgentError, ConfigError } from './errors.js';
export { AgentMetrics } from './metrics.js';
