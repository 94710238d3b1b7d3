/**
 * A stable, machine-readable error code: `DOCS_<AREA>_<REASON>`.
 * Tests and callers match on the code, never on the message.
 */
export type DocsErrorCode = `DOCS_${string}`;

/**
 * The error codes thrown by `@docs/crypto`.
 */
export const CRYPTO_ERROR_CODES = {
  /** A hex string has an odd length or a character outside `0-9a-fA-F`. */
  invalidHex: 'DOCS_CRYPTO_INVALID_HEX',
  /** A base32 string has an impossible length, a character outside the RFC 4648 alphabet, padding, or non-zero trailing bits. */
  invalidBase32: 'DOCS_CRYPTO_INVALID_BASE32',
  /** A secret key seed is not exactly 32 bytes. */
  invalidKeyLength: 'DOCS_CRYPTO_INVALID_KEY_LENGTH',
  /** A secret key text is neither 64 hex characters nor 52 base32 characters of a 32-byte seed. */
  invalidKey: 'DOCS_CRYPTO_INVALID_KEY',
  /** An id text is neither 64 hex characters nor 52 base32 characters of 32 bytes. */
  invalidId: 'DOCS_CRYPTO_INVALID_ID',
} as const satisfies Record<string, DocsErrorCode>;

/**
 * A code from {@link CRYPTO_ERROR_CODES}.
 */
export type CryptoErrorCode = (typeof CRYPTO_ERROR_CODES)[keyof typeof CRYPTO_ERROR_CODES];

/**
 * The error every `@docs` package throws for operational, protocol and decoding failures.
 * Programmer mistakes throw `TypeError`/`RangeError` instead; expected negatives are return values.
 */
export class DocsError extends Error {
  /** The stable code, e.g. `DOCS_CRYPTO_INVALID_HEX`. */
  readonly code: DocsErrorCode;

  /**
   * @param code - stable code `DOCS_<AREA>_<REASON>`
   * @param message - human-readable explanation
   * @param options - `cause`: the underlying error, if any
   */
  constructor(code: DocsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DocsError';
    this.code = code;
  }
}

/**
 * Whether `value` is a {@link DocsError}: an instance of this class, or (across duplicated copies of the
 * package or realms) any object whose `name` is `'DocsError'` and whose `code` starts with `DOCS_`.
 */
export function isDocsError(value: unknown): value is DocsError {
  if (value instanceof DocsError) return true;
  if (typeof value !== 'object' || value === null) return false;
  const { name, code } = value as { name?: unknown; code?: unknown };
  return name === 'DocsError' && typeof code === 'string' && code.startsWith('DOCS_');
}
