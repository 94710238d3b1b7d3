/**
 * The error codes thrown by `@docs/rbsr`.
 */
export const RBSR_ERROR_CODES = {
  /** An incoming message has more parts or values than the configured incoming limits allow. */
  messageTooLarge: 'DOCS_RBSR_MESSAGE_TOO_LARGE',
  /** An incoming message is malformed (e.g. a fingerprint that is not 32 bytes). */
  invalidMessage: 'DOCS_RBSR_INVALID_MESSAGE',
  /** The frame budget cannot hold even one useful part of a response, so the exchange could never progress. */
  frameBudgetTooSmall: 'DOCS_RBSR_FRAME_BUDGET_TOO_SMALL',
} as const;

/**
 * A code from {@link RBSR_ERROR_CODES}.
 */
export type RbsrErrorCode = (typeof RBSR_ERROR_CODES)[keyof typeof RBSR_ERROR_CODES];

/**
 * The protocol error of `@docs/rbsr`. It has the shape of `DocsError` from `@docs/crypto`
 * (`name === 'DocsError'`, a stable `code`), so `isDocsError` recognises it, but this package
 * imports nothing else of ours.
 */
export class RbsrError extends Error {
  /** Always `'DocsError'`, so callers can treat every `@docs` failure alike. */
  override readonly name = 'DocsError';
  /** The stable code, e.g. `DOCS_RBSR_MESSAGE_TOO_LARGE`. */
  readonly code: RbsrErrorCode;

  /**
   * @param code - stable code from {@link RBSR_ERROR_CODES}
   * @param message - human-readable explanation
   * @param options - `cause`: the underlying error, if any
   */
  constructor(code: RbsrErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
