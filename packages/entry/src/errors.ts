import { DocsError } from '@docs/crypto';

/** Stable error codes thrown by `@docs/entry`. */
export const ENTRY_ERROR_CODES = {
  /** The input ended before the value was complete. */
  TRUNCATED: 'DOCS_ENTRY_TRUNCATED',
  /** A varint is longer than 10 bytes, above 2^64 − 1, or not minimally encoded. */
  INVALID_VARINT: 'DOCS_ENTRY_INVALID_VARINT',
  /** A value was decoded but bytes were left over. */
  TRAILING_BYTES: 'DOCS_ENTRY_TRAILING_BYTES',
  /** A length field or fixed-size field has a size the format does not allow. */
  INVALID_LENGTH: 'DOCS_ENTRY_INVALID_LENGTH',
  /** An enum tag, boolean or kind byte has a value the format does not define. */
  INVALID_TAG: 'DOCS_ENTRY_INVALID_TAG',
  /** Two capabilities for different namespaces were merged. */
  NAMESPACE_MISMATCH: 'DOCS_ENTRY_NAMESPACE_MISMATCH',
  /** A read capability was asked to sign. */
  READ_ONLY: 'DOCS_ENTRY_READ_ONLY',
  /** A key did not match the entry it was asked to sign. */
  WRONG_KEY: 'DOCS_ENTRY_WRONG_KEY',
} as const;

/** One of {@link ENTRY_ERROR_CODES}. */
export type EntryErrorCode = (typeof ENTRY_ERROR_CODES)[keyof typeof ENTRY_ERROR_CODES];

/** A decoding or capability failure in `@docs/entry`; `code` is one of {@link ENTRY_ERROR_CODES}. */
export class EntryError extends DocsError {
  declare readonly code: EntryErrorCode;
  constructor(code: EntryErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
