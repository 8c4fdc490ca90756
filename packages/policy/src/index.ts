/**
 * Pure policy shared by `@activemq-ha/core` and `@activemq-ha/client`: one implementation of each
 * decision, bundled into both at build time (this package is private and never published; the
 * client must not depend on core).
 *
 * @module @activemq-ha/policy
 */
export {
  type Checked,
  definedOnly,
  jittered,
  type OptionProblem,
  type ResolvedRetryDelay,
  type RetryDelayOptions,
  resolveRetryDelay,
  retryDelay,
} from './retry-delay.js';
export {
  decideWatchRestart,
  WATCH_RESTART_DEFAULTS,
  type WatchEnd,
  type WatchRestart,
  type WatchRestartInput,
  type WatchRestartPolicy,
} from './watch-restart.js';
