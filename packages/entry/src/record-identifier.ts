import { compareBytes, concatBytes } from '@docs/crypto';
import { ENTRY_ERROR_CODES, EntryError } from './errors.js';

/** Size of a namespace id and of an author id. */
export const ID_LENGTH = 32;
/** Bytes before the key in a record identifier: namespace id ‖ author id. */
export const RECORD_IDENTIFIER_PREFIX_LENGTH = 2 * ID_LENGTH;

/**
 * Identifies an entry: `namespace (32) ‖ author (32) ‖ key`. Ordered as raw bytes, which is the same as
 * ordering by (namespace, author, key) with keys compared bytewise, so a key sorts before its extensions.
 */
export class RecordIdentifier {
  /** `namespace ‖ author ‖ key`. Do not mutate. */
  readonly bytes: Uint8Array;

  private constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  /** Builds the identifier of `key` written by `author` in `namespace`. */
  static of(namespace: Uint8Array, author: Uint8Array, key: Uint8Array): RecordIdentifier {
    if (namespace.length !== ID_LENGTH) throw new RangeError(`namespace id must be ${ID_LENGTH} bytes`);
    if (author.length !== ID_LENGTH) throw new RangeError(`author id must be ${ID_LENGTH} bytes`);
    return new RecordIdentifier(concatBytes(namespace, author, key));
  }

  /** Wraps `namespace ‖ author ‖ key` bytes (copied); shorter than 64 bytes → `DOCS_ENTRY_INVALID_LENGTH`. */
  static fromBytes(bytes: Uint8Array): RecordIdentifier {
    if (bytes.length < RECORD_IDENTIFIER_PREFIX_LENGTH) {
      throw new EntryError(
        ENTRY_ERROR_CODES.INVALID_LENGTH,
        `a record identifier has at least ${RECORD_IDENTIFIER_PREFIX_LENGTH} bytes, got ${bytes.length}`,
      );
    }
    return new RecordIdentifier(bytes.slice());
  }

  /** The reference's `RecordIdentifier::default()`: 64 zero bytes (used as the range key of an empty replica). */
  static zero(): RecordIdentifier {
    return new RecordIdentifier(new Uint8Array(RECORD_IDENTIFIER_PREFIX_LENGTH));
  }

  /** The namespace id (a view of {@link bytes}). */
  get namespace(): Uint8Array {
    return this.bytes.subarray(0, ID_LENGTH);
  }

  /** The author id (a view of {@link bytes}). */
  get author(): Uint8Array {
    return this.bytes.subarray(ID_LENGTH, RECORD_IDENTIFIER_PREFIX_LENGTH);
  }

  /** The key (a view of {@link bytes}). */
  get key(): Uint8Array {
    return this.bytes.subarray(RECORD_IDENTIFIER_PREFIX_LENGTH);
  }

  /** True if `other` has the same namespace and author and a key that starts with this key. */
  isPrefixOf(other: RecordIdentifier): boolean {
    const mine = this.bytes;
    const theirs = other.bytes;
    if (theirs.length < mine.length) return false;
    for (let index = 0; index < mine.length; index++) if (mine[index] !== theirs[index]) return false;
    return true;
  }
}

/** Orders record identifiers as raw bytes. */
export function compareRecordIdentifiers(a: RecordIdentifier, b: RecordIdentifier): number {
  return compareBytes(a.bytes, b.bytes);
}
