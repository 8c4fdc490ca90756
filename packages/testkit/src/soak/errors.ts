/** Stable codes of a soak that could not go on. */
export type SoakErrorCode =
  /** Labels or routing did not agree with the serving broker within the bound. */
  | 'CONVERGENCE_TIMEOUT'
  /** Producer or consumer saw no traffic within the bound after the cluster converged. */
  | 'TRAFFIC_STALLED'
  /** The cluster was not in the state a fault needs (e.g. the leader's broker not active). */
  | 'PRECONDITION'
  /** A soak option is out of range. */
  | 'INVALID_OPTION';

export class SoakError extends Error {
  override readonly name = 'SoakError';
  constructor(
    readonly code: SoakErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
