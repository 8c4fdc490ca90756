import type { KubeStatus } from './types.js';

export type KubeEmulatorErrorCode =
  /** The API answered a helper call with a Status (NotFound, AlreadyExists, Invalid, ...). */
  | 'API_STATUS'
  /** `waitFor` reached its deadline before the condition held. */
  | 'WAIT_TIMEOUT'
  /** A helper got an argument it cannot use (unknown resource, bad option). */
  | 'INVALID_ARGUMENT'
  /** A listening socket could not be (re)opened. */
  | 'LISTEN_FAILED'
  /** The emulator or proxy is closed. */
  | 'CLOSED';

export class KubeEmulatorError extends Error {
  override readonly name: string = 'KubeEmulatorError';
  constructor(
    readonly code: KubeEmulatorErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * An API failure with the exact `Status` body the real API server sends. The HTTP layer serialises
 * `status`; the in-process helpers throw it unchanged so tests see the same reason and message.
 */
export class KubeStatusError extends KubeEmulatorError {
  override readonly name = 'KubeStatusError';
  /** Extra response headers (Retry-After). */
  readonly headers: Readonly<Record<string, string>>;
  constructor(
    readonly status: KubeStatus,
    headers: Readonly<Record<string, string>> = {},
  ) {
    super('API_STATUS', status.message ?? status.reason ?? 'API error');
    this.headers = headers;
  }
  get httpStatus(): number {
    return this.status.code ?? 500;
  }
  get reason(): string | undefined {
    return this.status.reason;
  }
}

export class KubeWaitTimeoutError extends KubeEmulatorError {
  override readonly name = 'KubeWaitTimeoutError';
  constructor(
    readonly description: string,
    readonly timeoutMs: number,
  ) {
    super('WAIT_TIMEOUT', `timed out after ${timeoutMs} ms waiting for ${description}`);
  }
}
