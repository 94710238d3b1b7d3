import { RecordIdentifier, createRecord, type SignedEntry } from '@docs/entry';
import { STORE_ERROR_CODES, StoreError } from '@docs/store';

/** Offsets in a stored record value: `timestamp (u64 BE) ‖ len (u64 BE) ‖ hash ‖ fingerprint ‖ namespace sig ‖ author sig`. */
const TIMESTAMP = 0;
const LEN = 8;
const HASH = 16;
const FINGERPRINT = 48;
const NAMESPACE_SIGNATURE = 80;
const AUTHOR_SIGNATURE = 144;

/** Size of a stored record value. */
export const STORED_RECORD_LENGTH = 208;

/**
 * The value of a records-table row. The entry fingerprint is kept beside the record so that aggregates can be
 * summed and checked without hashing.
 */
export function encodeStoredRecord(signed: SignedEntry, fingerprint: Uint8Array): Uint8Array {
  const { record } = signed.entry;
  const out = new Uint8Array(STORED_RECORD_LENGTH);
  const view = new DataView(out.buffer);
  view.setBigUint64(TIMESTAMP, record.timestamp);
  view.setBigUint64(LEN, record.len);
  out.set(record.hash, HASH);
  out.set(fingerprint, FINGERPRINT);
  out.set(signed.signature.namespaceSignature, NAMESPACE_SIGNATURE);
  out.set(signed.signature.authorSignature, AUTHOR_SIGNATURE);
  return out;
}

/** Rebuilds the signed entry of a records-table row (the id bytes are the row key without its table byte). */
export function decodeStoredRecord(idBytes: Uint8Array, value: Uint8Array): SignedEntry {
  checkLength(value);
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  return {
    entry: {
      id: RecordIdentifier.fromBytes(idBytes),
      record: createRecord(value.slice(HASH, HASH + 32), view.getBigUint64(LEN), view.getBigUint64(TIMESTAMP)),
    },
    signature: {
      namespaceSignature: value.slice(NAMESPACE_SIGNATURE, NAMESPACE_SIGNATURE + 64),
      authorSignature: value.slice(AUTHOR_SIGNATURE, AUTHOR_SIGNATURE + 64),
    },
  };
}

/** The entry fingerprint kept in a stored record (a view). */
export function storedFingerprint(value: Uint8Array): Uint8Array {
  checkLength(value);
  return value.subarray(FINGERPRINT, FINGERPRINT + 32);
}

/** The content hash of a stored record (a view). */
export function storedHash(value: Uint8Array): Uint8Array {
  checkLength(value);
  return value.subarray(HASH, HASH + 32);
}

function checkLength(value: Uint8Array): void {
  if (value.length !== STORED_RECORD_LENGTH) {
    throw new StoreError(
      STORE_ERROR_CODES.CORRUPTED,
      `a stored record has ${STORED_RECORD_LENGTH} bytes, found ${value.length}`,
    );
  }
}
