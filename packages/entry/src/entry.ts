import { RecordIdentifier, compareRecordIdentifiers } from './record-identifier.js';
import { compareRecords, type Record } from './record.js';

/** An entry: which key of which author in which namespace ({@link RecordIdentifier}), and its {@link Record}. */
export interface Entry {
  readonly id: RecordIdentifier;
  readonly record: Record;
}

/** Orders entries by identifier, then by record. */
export function compareEntries(a: Entry, b: Entry): number {
  return compareRecordIdentifiers(a.id, b.id) || compareRecords(a.record, b.record);
}

/**
 * The bytes that the namespace key and the author key both sign:
 * `namespace ‖ author ‖ key ‖ len (u64 BE) ‖ hash ‖ timestamp (u64 BE)`, 112 + key length bytes.
 */
export function encodeEntryForSigning(entry: Entry): Uint8Array {
  const id = entry.id.bytes;
  const out = new Uint8Array(id.length + 48);
  const view = new DataView(out.buffer);
  out.set(id, 0);
  view.setBigUint64(id.length, entry.record.len);
  out.set(entry.record.hash, id.length + 8);
  view.setBigUint64(id.length + 40, entry.record.timestamp);
  return out;
}
