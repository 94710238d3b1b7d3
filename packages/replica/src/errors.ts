import { DocsError } from '@docs/crypto';
import type { ValidationFailure } from '@docs/entry';

/** Stable error codes thrown by `@docs/replica`. */
export const REPLICA_ERROR_CODES = {
  /** A local insert with an empty record (length 0 or the empty hash): use `deletePrefix` to delete. */
  ENTRY_IS_EMPTY: 'DOCS_REPLICA_ENTRY_IS_EMPTY',
  /** The replica holds a read capability and cannot sign entries. */
  READ_ONLY: 'DOCS_REPLICA_READ_ONLY',
  /** The replica was closed. */
  CLOSED: 'DOCS_REPLICA_CLOSED',
  /** The store refused the entry: the same author holds an equal or newer value at the key or at a prefix of it. */
  NEWER_ENTRY_EXISTS: 'DOCS_REPLICA_NEWER_ENTRY_EXISTS',
  /** The entry failed validation; the reason is in `reason`. */
  INVALID_ENTRY: 'DOCS_REPLICA_INVALID_ENTRY',
  /** The namespace is not in the store. */
  NOT_FOUND: 'DOCS_REPLICA_NOT_FOUND',
  /** The namespace cannot be dropped while it is open. */
  STILL_OPEN: 'DOCS_REPLICA_STILL_OPEN',
  /** The author is not in the store. */
  AUTHOR_NOT_FOUND: 'DOCS_REPLICA_AUTHOR_NOT_FOUND',
  /** The default author cannot be deleted; set another default first. */
  DEFAULT_AUTHOR: 'DOCS_REPLICA_DEFAULT_AUTHOR',
} as const;

/** One of {@link REPLICA_ERROR_CODES}. */
export type ReplicaErrorCode = (typeof REPLICA_ERROR_CODES)[keyof typeof REPLICA_ERROR_CODES];

/**
 * A failure of `@docs/replica`; `code` is one of {@link REPLICA_ERROR_CODES}. For `DOCS_REPLICA_INVALID_ENTRY`,
 * `reason` says which validation rule the entry broke.
 */
export class ReplicaError extends DocsError {
  declare readonly code: ReplicaErrorCode;
  /** The validation failure, for `DOCS_REPLICA_INVALID_ENTRY`. */
  readonly reason: ValidationFailure | undefined;

  constructor(code: ReplicaErrorCode, message: string, options?: { cause?: unknown; reason?: ValidationFailure }) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.reason = options?.reason;
  }
}
