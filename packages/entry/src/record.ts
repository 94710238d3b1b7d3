import { compareBytes, equalBytes, hexToBytes } from '@docs/crypto';
import { U64_MAX } from './postcard.js';

/** Size of a BLAKE3 content hash. */
export const HASH_LENGTH = 32;

/** BLAKE3 of the empty string: the content hash of an empty record (a tombstone). */
export const EMPTY_HASH: Uint8Array = hexToBytes('af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262');

/**
 * What an entry says about its content: its BLAKE3 `hash`, its length `len` in bytes, and when it was
 * written, `timestamp` in microseconds since the Unix epoch. Both integers are exact u64 values.
 */
export interface Record {
  readonly len: bigint;
  readonly hash: Uint8Array;
  readonly timestamp: bigint;
}

/** Builds a record, checking the hash length and the u64 ranges. */
export function createRecord(hash: Uint8Array, len: bigint | number, timestamp: bigint | number): Record {
  if (hash.length !== HASH_LENGTH) throw new RangeError(`a content hash has ${HASH_LENGTH} bytes, got ${hash.length}`);
  return { hash, len: toU64(len, 'len'), timestamp: toU64(timestamp, 'timestamp') };
}

/** The empty record (a deletion marker) at `timestamp`. */
export function emptyRecord(timestamp: bigint | number): Record {
  return createRecord(EMPTY_HASH, 0n, timestamp);
}

/** True if the record is a deletion marker: its hash is {@link EMPTY_HASH} (the length is not consulted). */
export function isEmptyRecord(record: Record): boolean {
  return equalBytes(record.hash, EMPTY_HASH);
}

/**
 * The rule checked on the gossip path (`validate_empty`): the hash is {@link EMPTY_HASH} exactly when the length
 * is 0. Returns false for a record that breaks it.
 */
export function hasConsistentEmptiness(record: Record): boolean {
  return isEmptyRecord(record) === (record.len === 0n);
}

/** Value order used for conflicts: by timestamp, then by hash bytes. The length is ignored. */
export function compareRecords(a: Record, b: Record): number {
  if (a.timestamp !== b.timestamp) return a.timestamp < b.timestamp ? -1 : 1;
  return compareBytes(a.hash, b.hash);
}

/** The current time in microseconds since the Unix epoch, as the reference stamps new entries. */
export function nowMicros(): bigint {
  return BigInt(Math.floor((performance.timeOrigin + performance.now()) * 1000));
}

function toU64(value: bigint | number, what: string): bigint {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new RangeError(`${what} must be a safe integer or a bigint, got ${value}`);
  }
  const big = BigInt(value);
  if (big < 0n || big > U64_MAX) throw new RangeError(`${what} must be a u64, got ${value}`);
  return big;
}
