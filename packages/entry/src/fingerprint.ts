import { blake3 } from '@docs/crypto';
import type { Entry } from './entry.js';
import { EMPTY_HASH } from './record.js';

/** Size of a fingerprint. */
export const FINGERPRINT_LENGTH = 32;

/** Fingerprint of the empty set: BLAKE3(""), not zeros. Range fingerprints start here and XOR each entry's in. */
export const EMPTY_FINGERPRINT: Uint8Array = EMPTY_HASH.slice();

/**
 * The fingerprint of one entry in set reconciliation:
 * `BLAKE3(namespace ‖ author ‖ key ‖ timestamp (u64 BE) ‖ hash)`. The length and the signatures are not part of it.
 */
export function entryFingerprint(entry: Entry): Uint8Array {
  const id = entry.id.bytes;
  const input = new Uint8Array(id.length + 40);
  input.set(id, 0);
  new DataView(input.buffer).setBigUint64(id.length, entry.record.timestamp);
  input.set(entry.record.hash, id.length + 8);
  return blake3(input);
}

/** XORs `fingerprint` into `accumulator` in place and returns the accumulator. */
export function xorFingerprintInto(accumulator: Uint8Array, fingerprint: Uint8Array): Uint8Array {
  for (let index = 0; index < FINGERPRINT_LENGTH; index++) accumulator[index]! ^= fingerprint[index]!;
  return accumulator;
}

/** The fingerprint of a set of entries: {@link EMPTY_FINGERPRINT} XOR every entry's {@link entryFingerprint}. */
export function rangeFingerprint(entries: Iterable<Entry>): Uint8Array {
  const accumulator = EMPTY_FINGERPRINT.slice();
  for (const entry of entries) xorFingerprintInto(accumulator, entryFingerprint(entry));
  return accumulator;
}
