import type { ConnectionState } from './connection-state.js';
import { invalidOption } from './errors.js';
import {
  definedOnly,
  type RetryDelayOptions,
  retryDelay,
  validateRetryDelay,
} from './retry-delay.js';

export interface ReconnectOptions extends RetryDelayOptions {
  /**
   * For this long after a connection is lost the client retries fast (delays from
   * `initialDelayMs` growing to `fastMaxDelayMs`): a master/slave takeover usually completes
   * within it, and every ms slept past it is outage. Afterwards nobody is likely to be home and
   * delays grow to `maxDelayMs`, decorrelated by jitter so that many clients do not come back
   * in lockstep.
   * @default 10000
   */
  readonly fastWindowMs?: number;
  /** Cap of the delays inside `fastWindowMs`. @default 100 */
  readonly fastMaxDelayMs?: number;
  /**
   * Failed rounds (every server tried once) before the client gives up and closes with
   * `CONNECTION_LOST`; -1 for never.
   * @default -1
   */
  readonly maxRounds?: number;
}

export type ResolvedReconnect = Required<ReconnectOptions>;

export const RECONNECT_DEFAULTS: ResolvedReconnect = {
  initialDelayMs: 25,
  fastMaxDelayMs: 100,
  fastWindowMs: 10_000,
  maxDelayMs: 3_000,
  multiplier: 2,
  jitter: 0.5,
  maxRounds: -1,
};

export function validateReconnect(options: ReconnectOptions, prefix: string): ResolvedReconnect {
  const o = { ...RECONNECT_DEFAULTS, ...definedOnly(options) };
  validateRetryDelay(o, RECONNECT_DEFAULTS, prefix);
  for (const k of ['fastWindowMs', 'fastMaxDelayMs'] as const) {
    if (!Number.isFinite(o[k]) || o[k] < 0) {
      throw invalidOption(`${prefix}${k}`, `must be a finite number >= 0, got ${String(o[k])}`);
    }
  }
  if (!Number.isInteger(o.maxRounds) || o.maxRounds < -1) {
    throw invalidOption(
      `${prefix}maxRounds`,
      `must be an integer >= -1, got ${String(o.maxRounds)}`,
    );
  }
  return o;
}

/** What the reconnect loop knows when a round of attempts has failed. */
export interface ReconnectInput {
  /** The state the client is leaving: the one it was in during the failed round. */
  readonly state: ConnectionState;
  /** Failed rounds since the connection was lost (or since connect()), this one included. */
  readonly round: number;
  /** ms since the connection was lost (since connect() when there never was one). */
  readonly sinceLossMs: number;
  /** Discovery named an endpoint other than the one the round tried. */
  readonly endpointChanged: boolean;
  /** The delay slept before this round (0 for the first). */
  readonly previousDelayMs: number;
}

export type ReconnectDecision =
  | { readonly type: 'retry'; readonly delayMs: number; readonly phase: 'now' | 'fast' | 'slow' }
  | { readonly type: 'give-up' };

/**
 * The reconnect policy, pure: how long to sleep before the next round. `random` in [0, 1).
 * - discovery names a new endpoint → at once;
 * - within `fastWindowMs` of the loss → `initialDelayMs`·multiplier^round capped at
 *   `fastMaxDelayMs`, jittered (the shared `retryDelay` curve);
 * - afterwards → "decorrelated jitter": uniform in [fastMaxDelayMs, 3·previous], capped at
 *   `maxDelayMs`, so clients that lost the same broker drift apart instead of retrying together.
 */
export function nextReconnect(
  input: ReconnectInput,
  o: ResolvedReconnect,
  random: () => number = Math.random,
): ReconnectDecision {
  if (input.state.type === 'closing' || input.state.type === 'closed') return { type: 'give-up' };
  if (o.maxRounds >= 0 && input.round > o.maxRounds) return { type: 'give-up' };
  if (input.endpointChanged) return { type: 'retry', delayMs: 0, phase: 'now' };
  const fastCap = Math.min(o.fastMaxDelayMs, o.maxDelayMs);
  if (input.sinceLossMs < o.fastWindowMs) {
    const delayMs = retryDelay(input.round - 1, { ...o, maxDelayMs: fastCap }, random);
    return { type: 'retry', delayMs, phase: 'fast' };
  }
  const low = fastCap;
  const high = Math.max(low, Math.min(o.maxDelayMs, Math.max(input.previousDelayMs, low) * 3));
  return { type: 'retry', delayMs: Math.round(low + random() * (high - low)), phase: 'slow' };
}
