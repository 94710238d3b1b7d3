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
 * The records of one level-1 aggregate node, as its page row holds them: the row's bytes (see {@link encodePageRow}),
 * not copied, and where each record starts in them — record `i` is `row[starts[i]..starts[i+1])`, a 4-byte length,
 * its id without the namespace, then its fingerprint. Decoding only finds the starts, and an id is put together
 * only when asked for.
 */
export interface PageRecords {
  readonly count: number;
  /** The namespace id every id of the page starts with. */
  readonly namespaceId: Uint8Array;
  readonly row: Uint8Array;
  readonly starts: Uint32Array;
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
 * The pages {@link composePage} made, by row: a row written by an edit is decoded again by the next edit of its page
 * in the same batch (inserts in key order fill one page after another) and when the batch commits. An entry lives as
 * long as its row.
 */
const composedPages = new WeakMap<Uint8Array, PageRecords>();

/**
 * Decodes a page row of `namespace`, keeping `value` (which must not change afterwards). A row {@link composePage}
 * made is not decoded again: its page is returned, trusted (an edit puts its records in order). Malformed values —
 * truncated, an id shorter than an author, ids not strictly increasing — are `DOCS_STORE_CORRUPTED`.
 */
export function decodePageRow(namespace: Uint8Array, value: Uint8Array): PageRecords {
  const known = composedPages.get(value);
  if (known !== undefined && equalBytes(known.namespaceId, namespace.subarray(0, NAMESPACE_LENGTH))) return known;
  let count = 0;
  for (let offset = 0; offset < value.length; count++) offset = nextRecord(value, offset);
  const starts = new Uint32Array(count + 1);
  for (let index = 0; index < count; index++) starts[index + 1] = nextRecord(value, starts[index]!);
  const page = { count, namespaceId: namespaceIdOf(namespace), row: value, starts };
  for (let index = 1; index < count; index++) {
    if (compareRecords(page, index - 1, page, index) >= 0) throw corrupted('the ids of a record page row are not in order');
  }
  return page;
}

/** The namespace id copy the last decoded page keeps: the pages of a namespace share one (it is never changed). */
let lastNamespaceId = new Uint8Array(NAMESPACE_LENGTH);

/** A copy of `namespace[0..32)`, the one the last page decoded keeps if equal. */
function namespaceIdOf(namespace: Uint8Array): Uint8Array {
  for (let byte = 0; byte < NAMESPACE_LENGTH; byte++) {
    if (lastNamespaceId[byte] !== namespace[byte]) return (lastNamespaceId = namespace.slice(0, NAMESPACE_LENGTH));
  }
  return lastNamespaceId;
}

/** Where the record after the one at `offset` of a page row starts; throws for a malformed record. */
function nextRecord(row: Uint8Array, offset: number): number {
  if (offset + 4 > row.length) throw corrupted('a record page row is truncated');
  const suffix = ((row[offset]! << 24) | (row[offset + 1]! << 16) | (row[offset + 2]! << 8) | row[offset + 3]!) >>> 0;
  if (suffix < AUTHOR_LENGTH) throw corrupted('a record page row holds an id shorter than namespace and author');
  const next = offset + 4 + suffix + FINGERPRINT_LENGTH;
  if (next > row.length) throw corrupted('a record page row is truncated');
  return next;
}

/** A piece of a page being put together (see {@link composePage}): records `from ≤ index < to` of a page, or one record. */
export type PagePiece = { readonly page: PageRecords; readonly from: number; readonly to: number } | PageRecord;

/**
 * The page of the records of `pieces`, in order (a new row; the pieces must follow each other in id order): how an
 * edit of a page is written — its bytes copied around the records inserted, removed or changed, with nothing decoded.
 */
export function composePage(namespaceId: Uint8Array, pieces: readonly PagePiece[]): PageRecords {
  let count = 0;
  let length = 0;
  for (const piece of pieces) {
    if ('page' in piece) {
      count += piece.to - piece.from;
      length += piece.page.starts[piece.to]! - piece.page.starts[piece.from]!;
    } else {
      count += 1;
      length += 4 + piece.id.length - NAMESPACE_LENGTH + FINGERPRINT_LENGTH;
    }
  }
  const row = new Uint8Array(length);
  const starts = new Uint32Array(count + 1);
  let index = 0;
  let offset = 0;
  for (const piece of pieces) {
    if ('page' in piece) {
      const { page, from, to } = piece;
      const shift = offset - page.starts[from]!;
      row.set(page.row.subarray(page.starts[from], page.starts[to]), offset);
      for (let record = from; record < to; record++) starts[++index] = page.starts[record + 1]! + shift;
    } else {
      const suffix = piece.id.length - NAMESPACE_LENGTH;
      new DataView(row.buffer).setUint32(offset, suffix);
      row.set(piece.id.subarray(NAMESPACE_LENGTH), offset + 4);
      row.set(piece.fingerprint, offset + 4 + suffix);
      starts[++index] = offset + 4 + suffix + FINGERPRINT_LENGTH;
    }
    offset = starts[index]!;
  }
  const page = { count, namespaceId, row, starts };
  composedPages.set(row, page);
  return page;
}

/** The `index`-th id of a page (a new array). */
export function idOf(page: PageRecords, index: number): Uint8Array {
  const from = page.starts[index]! + 4;
  const to = page.starts[index + 1]! - FINGERPRINT_LENGTH;
  const id = new Uint8Array(NAMESPACE_LENGTH + to - from);
  id.set(page.namespaceId);
  id.set(page.row.subarray(from, to), NAMESPACE_LENGTH);
  return id;
}

/** Where the `index`-th id of a page, without its namespace (`author ‖ key`), starts in its row. */
export function idSuffixStart(page: PageRecords, index: number): number {
  return page.starts[index]! + 4;
}

/** Where the `index`-th id of a page ends in its row (its fingerprint follows). */
export function idEnd(page: PageRecords, index: number): number {
  return page.starts[index + 1]! - FINGERPRINT_LENGTH;
}

/** The `index`-th fingerprint of a page (a view, not to be changed). */
export function fingerprintOf(page: PageRecords, index: number): Uint8Array {
  const end = page.starts[index + 1]!;
  return page.row.subarray(end - FINGERPRINT_LENGTH, end);
}

/** XORs the fingerprints of a page's records `from ≤ index < to` into `xor`. */
export function xorFingerprints(page: PageRecords, from: number, to: number, xor: Uint8Array): void {
  const { row, starts } = page;
  for (let index = from; index < to; index++) {
    const offset = starts[index + 1]! - FINGERPRINT_LENGTH;
    for (let byte = 0; byte < FINGERPRINT_LENGTH; byte++) xor[byte]! ^= row[offset + byte]!;
  }
}

/**
 * Compares a page's `index`-th id with `key` (negative, zero or positive, as `compareBytes`), from byte `shared` on:
 * the bytes before it must be equal (a namespace both start with).
 */
export function compareIds(page: PageRecords, index: number, key: Uint8Array, shared = 0): number {
  if (shared < NAMESPACE_LENGTH) {
    const order = compareNamespace(page.namespaceId, key, shared);
    if (order !== 0) return order;
    shared = NAMESPACE_LENGTH;
  }
  const { row, starts } = page;
  // The id's bytes from NAMESPACE_LENGTH on are the row's from `start`.
  const start = starts[index]! + 4 - NAMESPACE_LENGTH;
  const length = starts[index + 1]! - FINGERPRINT_LENGTH - start;
  const common = length < key.length ? length : key.length;
  for (let byte = shared; byte < common; byte++) {
    const difference = row[start + byte]! - key[byte]!;
    if (difference !== 0) return difference;
  }
  return length - key.length;
}

/**
 * Compares the `leftIndex`-th id of page `left` with the `rightIndex`-th id of page `right` (as `compareBytes`), past
 * the namespace they must share.
 */
export function compareRecords(left: PageRecords, leftIndex: number, right: PageRecords, rightIndex: number): number {
  const leftStart = left.starts[leftIndex]! + 4;
  const rightStart = right.starts[rightIndex]! + 4;
  const leftLength = left.starts[leftIndex + 1]! - FINGERPRINT_LENGTH - leftStart;
  const rightLength = right.starts[rightIndex + 1]! - FINGERPRINT_LENGTH - rightStart;
  const common = Math.min(leftLength, rightLength);
  const leftRow = left.row;
  const rightRow = right.row;
  for (let byte = 0; byte < common; byte++) {
    const difference = leftRow[leftStart + byte]! - rightRow[rightStart + byte]!;
    if (difference !== 0) return difference;
  }
  return leftLength - rightLength;
}

/**
 * Index of the first id of a page that is ≥ `key` (`shared`: see {@link compareIds}). A binary search that, like
 * `lowerBound` of key-search.ts, compares each id only from the bytes `key` shares with both ids bounding the
 * interval left: a page's ids share their namespace and often their author and a key prefix, which would otherwise
 * be compared again at every step.
 */
export function lowerBoundIn(page: PageRecords, key: Uint8Array, shared = 0): number {
  if (shared < NAMESPACE_LENGTH) {
    const order = compareNamespace(page.namespaceId, key, shared);
    if (order !== 0) return order > 0 ? 0 : page.count;
    shared = NAMESPACE_LENGTH;
  }
  const { row, starts } = page;
  let low = 0;
  let high = page.count;
  // Bytes `key` shares with the id just below `low` and with the id at `high` (where there is one).
  let lowShared = shared;
  let highShared = shared;
  while (low < high) {
    const middle = (low + high) >> 1;
    // The id's bytes from NAMESPACE_LENGTH on are the row's from `start`.
    const start = starts[middle]! + 4 - NAMESPACE_LENGTH;
    const length = starts[middle + 1]! - FINGERPRINT_LENGTH - start;
    const end = length < key.length ? length : key.length;
    let common = lowShared < highShared ? lowShared : highShared;
    while (common < end && row[start + common] === key[common]) common++;
    const precedes = common === end ? length < key.length : row[start + common]! < key[common]!;
    if (precedes) {
      low = middle + 1;
      lowShared = common;
    } else {
      high = middle;
      highShared = common;
    }
  }
  return low;
}

/**
 * Compares a page's namespace with the start of `key` from byte `shared` on (as `compareBytes` would the page's ids
 * with `key`, as far as the namespace decides): 0 when `key` starts with the namespace.
 */
function compareNamespace(namespaceId: Uint8Array, key: Uint8Array, shared: number): number {
  for (let byte = shared; byte < NAMESPACE_LENGTH; byte++) {
    if (byte === key.length) return 1;
    const difference = namespaceId[byte]! - key[byte]!;
    if (difference !== 0) return difference;
  }
  return 0;
}

/** Index of the record of a page whose id is `id`, or -1 (`shared`: see {@link compareIds}). */
export function indexOfId(page: PageRecords, id: Uint8Array, shared = 0): number {
  const index = lowerBoundIn(page, id, shared);
  return index < page.count && compareIds(page, index, id, shared) === 0 ? index : -1;
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
