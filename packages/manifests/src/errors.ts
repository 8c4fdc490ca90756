/** Stable codes callers can branch on; messages name the offending field and how to fix it. */
export type ManifestsErrorCode = 'INVALID_OPTION' | 'FILE_CONFLICT';

/** One invalid option: its dotted path and what is wrong with it, written for people. */
export interface OptionProblem {
  readonly field: string;
  readonly message: string;
}

export class ManifestsError extends Error {
  override readonly name = 'ManifestsError';
  /** Every invalid option found (the first one is `field`); empty for other codes. */
  readonly problems: readonly OptionProblem[];
  constructor(
    readonly code: ManifestsErrorCode,
    message: string,
    /** Dotted path of the option at fault, e.g. `broker.lockKeepAlivePeriodMs`. */
    readonly field?: string,
    options?: ErrorOptions & { readonly problems?: readonly OptionProblem[] },
  ) {
    super(message, options);
    this.problems =
      options?.problems ?? (field ? [{ field, message: message.replace(`${field}: `, '') }] : []);
  }
}

export function invalidOption(field: string, problem: string): ManifestsError {
  return new ManifestsError('INVALID_OPTION', `${field}: ${problem}`, field);
}
