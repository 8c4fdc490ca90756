import {
  type ResolvedRetryDelay,
  type RetryDelayOptions,
  resolveRetryDelay,
} from '@activemq-ha/policy';
import { invalidOption } from './errors.js';

// The curve itself is the shared one (`@activemq-ha/policy`, bundled in at build time: the client
// must not depend on core); this file only checks the client's options with the client's errors.
export { definedOnly, type RetryDelayOptions, retryDelay } from '@activemq-ha/policy';

/** `defaults` overlaid with `options`; throws `INVALID_OPTION` naming `prefix` + the key. */
export function validateRetryDelay(
  options: RetryDelayOptions,
  defaults: ResolvedRetryDelay,
  prefix = '',
): ResolvedRetryDelay {
  const checked = resolveRetryDelay(options, defaults);
  if (!checked.ok) throw invalidOption(`${prefix}${checked.problem.key}`, checked.problem.message);
  return checked.value;
}
