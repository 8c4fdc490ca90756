export type ControlPlaneErrorCode =
  /** A binary is not built: run scripts/setup-kube.sh. */
  | 'BINARY_MISSING'
  /** openssl failed while minting the cluster's certificates. */
  | 'PKI_FAILED'
  /** A component exited or never became healthy before its deadline. */
  | 'COMPONENT_FAILED';

/** A control plane that could not be started; `component` names the process at fault. */
export class ControlPlaneError extends Error {
  override readonly name = 'ControlPlaneError';
  readonly code: ControlPlaneErrorCode;
  readonly component: string | undefined;

  constructor(
    code: ControlPlaneErrorCode,
    message: string,
    options: { component?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.component = options.component;
  }
}
