import { equalBytes } from '@docs/crypto';
import { STORE_ERROR_CODES, StoreError } from '@docs/store';
import { TABLE } from './key-layout.js';

/** Bytes of a namespace id, the prefix every record id of a page shares (and its row leaves out). */
const NAMESPACE_LENGTH = 32;
/** Bytes of an entry fingerprint. */
const FINGERPRINT_LENGTH = 32;
/** Bytes of an author id: a record id holds at least namespace and author. */
const AUTHOR_LENGTH = 32;

/**
 * The records of one level-1 aggregate node, packed: their ids in order in one buffer (id `i` is
 * `ids[offsets[i]..offsets[i+1]]`; an array of views would cost more than the ids) and their entry fingerprints
 * (32 bytes each, same order).
 */
export interface PageRecords {
  readonly count: number;
  readonly ids: Uint8Array;
  readonly offsets: Uint32Array;
  readonly fingerprints: Uint8Array;
}

/** One record of a page: its id (`namespace ‖ author ‖ key`) and entry fingerprint. */
export interface PageRecord {
  readonly id: Uint8Array;
  readonly fingerprint: Uint8Array;
}

/** The key of the page row of the level-1 node starting at `boundary` (a namespace id for the head, else a record id). */
export function pageKey(boundary: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + boundary.length);
  out[0] = TABLE.pages;
  out.set(boundary, 1);
  return out;
}

/**
 * A page row's value: for each record in id order, `u32 BE length ‖ id without its namespace ‖ fingerprint (32)`.
 * Every id of a page shares its namespace.
 */
export function encodePageRow(records: readonly PageRecord[]): Uint8Array {
  let length = 0;
  for (const { id } of records) length += 4 + id.length - NAMESPACE_LENGTH + FINGERPRINT_LENGTH;
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const { id, fingerprint } of records) {
    const suffix = id.length - NAMESPACE_LENGTH;
    view.setUint32(offset, suffix);
    out.set(id.subarray(NAMESPACE_LENGTH), offset + 4);
    out.set(fingerprint, offset + 4 + suffix);
    offset += 4 + suffix + FINGERPRINT_LENGTH;
  }
  return out;
}

/**
 * Decodes a page row of `namespace` (copies). Malformed values — truncated, an id shorter than an author, ids not
 * strictly increasing — are `DOCS_STORE_CORRUPTED`.
 */
export function decodePageRow(namespace: Uint8Array, value: Uint8Array): PageRecords {
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  // First pass: count the records and check the lengths.
  let count = 0;
  let idBytes = 0;
  for (let offset = 0; offset < value.length; count++) {
    if (offset + 4 > value.length) throw corrupted('a record page row is truncated');
    const suffix = view.getUint32(offset);
    if (suffix < AUTHOR_LENGTH) throw corrupted('a record page row holds an id shorter than namespace and author');
    offset += 4 + suffix + FINGERPRINT_LENGTH;
    if (offset > value.length) throw corrupted('a record page row is truncated');
    idBytes += NAMESPACE_LENGTH + suffix;
  }
  const ids = new Uint8Array(idBytes);
  const offsets = new Uint32Array(count + 1);
  const fingerprints = new Uint8Array(count * FINGERPRINT_LENGTH);
  // Byte loops: a typed-array copy per field costs more than these short copies.
  let offset = 0;
  let at = 0;
  let fingerprintAt = 0;
  for (let index = 0; index < count; index++) {
    const suffix = view.getUint32(offset);
    offset += 4;
    for (let byte = 0; byte < NAMESPACE_LENGTH; byte++) ids[at++] = namespace[byte]!;
    for (const end = offset + suffix; offset < end; ) ids[at++] = value[offset++]!;
    offsets[index + 1] = at;
    for (let byte = 0; byte < FINGERPRINT_LENGTH; byte++) fingerprints[fingerprintAt++] = value[offset++]!;
  }
  const page = { count, ids, offsets, fingerprints };
  for (let index = 1; index < count; index++) {
    if (compareRecords(page, index - 1, index) >= 0) throw corrupted('the ids of a record page row are not in order');
  }
  return page;
}

/** The `index`-th id of a page (a view). */
export function idOf(page: PageRecords, index: number): Uint8Array {
  return page.ids.subarray(page.offsets[index]!, page.offsets[index + 1]!);
}

/** The `index`-th fingerprint of a page (a view). */
export function fingerprintOf(page: PageRecords, index: number): Uint8Array {
  return page.fingerprints.subarray(index * FINGERPRINT_LENGTH, (index + 1) * FINGERPRINT_LENGTH);
}

/** XORs the fingerprints of a page's records `from ≤ index < to` into `xor`. */
export function xorFingerprints(page: PageRecords, from: number, to: number, xor: Uint8Array): void {
  const { fingerprints } = page;
  for (let offset = from * FINGERPRINT_LENGTH; offset < to * FINGERPRINT_LENGTH; offset += FINGERPRINT_LENGTH) {
    for (let byte = 0; byte < FINGERPRINT_LENGTH; byte++) xor[byte]! ^= fingerprints[offset + byte]!;
  }
}

/** The records of a page as a list (views), for edits. */
export function recordsOf(page: PageRecords): PageRecord[] {
  return Array.from({ length: page.count }, (_, index) => ({ id: idOf(page, index), fingerprint: fingerprintOf(page, index) }));
}

/**
 * Compares a page's `index`-th id with `key` (negative, zero or positive, as `compareBytes`), from byte `shared` on:
 * the bytes before it must be equal (a namespace both start with).
 */
export function compareIds(page: PageRecords, index: number, key: Uint8Array, shared = 0): number {
  const { ids, offsets } = page;
  const start = offsets[index]!;
  const length = offsets[index + 1]! - start;
  const common = Math.min(length, key.length);
  for (let byte = shared; byte < common; byte++) {
    const difference = ids[start + byte]! - key[byte]!;
    if (difference !== 0) return difference;
  }
  return length - key.length;
}

/** Compares a page's `left`-th and `right`-th ids (as `compareBytes`), past the namespace they share. */
function compareRecords(page: PageRecords, left: number, right: number): number {
  const { ids, offsets } = page;
  const leftStart = offsets[left]! + NAMESPACE_LENGTH;
  const rightStart = offsets[right]! + NAMESPACE_LENGTH;
  const leftLength = offsets[left + 1]! - leftStart;
  const rightLength = offsets[right + 1]! - rightStart;
  const common = Math.min(leftLength, rightLength);
  for (let byte = 0; byte < common; byte++) {
    const difference = ids[leftStart + byte]! - ids[rightStart + byte]!;
    if (difference !== 0) return difference;
  }
  return leftLength - rightLength;
}

/** Index of the first id of a page that is ≥ `key` (`shared`: see {@link compareIds}). */
export function lowerBoundIn(page: PageRecords, key: Uint8Array, shared = 0): number {
  let low = 0;
  let high = page.count;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (compareIds(page, middle, key, shared) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Builds page rows from records fed in id order (any namespaces), for writing them all at once or checking them:
 * a page starts at each namespace's head and at each record of height ≥ 1.
 */
export class PageRowBuilder {
  private boundary: Uint8Array | undefined;
  private records: PageRecord[] = [];

  /**
   * Feeds the next record (ids strictly increasing; `boundary`: the record starts a level-1 node). Returns the page
   * row this record closes, if any.
   */
  add(id: Uint8Array, fingerprint: Uint8Array, boundary: boolean): { key: Uint8Array; value: Uint8Array } | undefined {
    const namespace = id.subarray(0, NAMESPACE_LENGTH);
    let closed: { key: Uint8Array; value: Uint8Array } | undefined;
    if (this.boundary === undefined || !equalBytes(this.boundary.subarray(0, NAMESPACE_LENGTH), namespace) || boundary) {
      closed = this.finish();
      this.boundary = boundary ? id.slice() : namespace.slice();
    }
    this.records.push({ id: id.slice(), fingerprint: fingerprint.slice() });
    return closed;
  }

  /** Closes the open page: its row, or undefined if none is open. */
  finish(): { key: Uint8Array; value: Uint8Array } | undefined {
    const { boundary, records } = this;
    this.boundary = undefined;
    this.records = [];
    return boundary === undefined || records.length === 0 ? undefined : { key: pageKey(boundary), value: encodePageRow(records) };
  }
}

function corrupted(message: string): StoreError {
  return new StoreError(STORE_ERROR_CODES.CORRUPTED, message);
}
