export type AgentErrorCode =
  | 'CONFIG_INVALID'
  | 'KUBECONFIG_INVALID'
  | 'HTTP_LISTEN_FAILED'
  /** `check-store`: the broker's uid cannot create, lock or write files in the store. */
  | 'STORE_NOT_WRITABLE'
  /** `install-warmup`: the takeover warm-up jar could not be copied into the broker's emptyDir. */
  | 'WARMUP_INSTALL_FAILED';

export class AgentError extends Error {
  override name = 'AgentError';
  constructor(
    readonly code: AgentErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Bad configuration: the CLI prints the message and exits with 2 (usage error). */
export class ConfigError extends AgentError {
  constructor(
    message: string,
    /** Every problem found, each naming its flag or environment variable. */
    readonly problems: readonly string[] = [message],
  ) {
    super('CONFIG_INVALID', message);
    this.name = 'ConfigError';
  }
}
