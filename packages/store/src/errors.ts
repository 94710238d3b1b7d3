import { DocsError } from '@docs/crypto';

/** Stable error codes of `@docs/store` and of every backend. */
export const STORE_ERROR_CODES = {
  /** The namespace is not in the store. */
  NAMESPACE_NOT_FOUND: 'DOCS_STORE_NAMESPACE_NOT_FOUND',
  /** The store was closed. */
  CLOSED: 'DOCS_STORE_CLOSED',
  /** Another process holds the store (LevelDB lock). */
  LOCKED: 'DOCS_STORE_LOCKED',
  /** The store on disk was written by a newer, incompatible format. */
  INCOMPATIBLE_FORMAT: 'DOCS_STORE_INCOMPATIBLE_FORMAT',
  /** The stored data failed an integrity check. */
  CORRUPTED: 'DOCS_STORE_CORRUPTED',
  /** Content bytes do not match the BLAKE3 hash they were stored under. */
  CONTENT_MISMATCH: 'DOCS_STORE_CONTENT_MISMATCH',
  /** Any other failure of the underlying database; the cause is attached. */
  IO: 'DOCS_STORE_IO',
} as const;

/** One of {@link STORE_ERROR_CODES}. */
export type StoreErrorCode = (typeof STORE_ERROR_CODES)[keyof typeof STORE_ERROR_CODES];

/** A failure of a store backend; `code` is one of {@link STORE_ERROR_CODES}. */
export class StoreError extends DocsError {
  declare readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
