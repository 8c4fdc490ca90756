/** Stable codes callers can branch on; messages name the offending field and how to fix it. */
export type ManifestsErrorCode = 'INVALID_OPTION' | 'FILE_CONFLICT';

export class ManifestsError extends Error {
  override readonly name = 'ManifestsError';
  constructor(
    readonly code: ManifestsErrorCode,
    message: string,
    /** Dotted path of the option at fault, e.g. `broker.lockKeepAlivePeriodMs`. */
    readonly field?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export function invalidOption(field: string, problem: string): ManifestsError {
  return new ManifestsError('INVALID_OPTION', `${field}: ${problem}`, field);
}
