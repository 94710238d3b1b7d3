import type { Range } from './range.js';

/**
 * How many bytes the parts of a message take on the wire. The engine keeps every response within
 * its frame budget by adding up these sizes, so the model must match (or over-estimate) the codec.
 */
export interface MessageSizeModel<T, S> {
  /** An upper bound of the bytes a message takes besides its parts (e.g. the part count). */
  readonly messageOverhead: number;
  /** The size of a fingerprint part over `range`. */
  fingerprintPart(range: Range): number;
  /** The size of an items part over `range` holding `valueCount` values, without the values. */
  itemsPart(range: Range, valueCount: number): number;
  /** The size of one value (item and status) inside an items part. */
  value(item: T, status: S): number;
}

/** Length in bytes of `value` as an unsigned LEB128 varint (postcard's integer encoding). */
export function varintLength(value: number): number {
  let length = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    length++;
  }
  return length;
}

/** Size of a key as postcard bytes: varint length, then the bytes. */
function postcardKeySize(key: Uint8Array): number {
  return varintLength(key.length) + key.length;
}

/**
 * The size model of the iroh-docs wire format: the postcard encoding of `ranger::Message`
 * (a varint part count, reserved at 5 bytes; per part a 1-byte variant, the range as two
 * length-prefixed keys, then a 32-byte fingerprint, or a varint value count, the values and a
 * 1-byte `have_local`). Envelope bytes outside `ranger::Message` (frame length, codec variant)
 * are not included: subtract them from the frame budget.
 *
 * @param itemSize - encoded size of one item (for iroh-docs: the postcard `SignedEntry`)
 * @param statusSize - encoded size of one status (for iroh-docs: `ContentStatus`, 1 byte)
 */
export function createPostcardSizeModel<T, S>(
  itemSize: (item: T) => number,
  statusSize = 1,
): MessageSizeModel<T, S> {
  return {
    messageOverhead: 5,
    fingerprintPart: (range) => 1 + postcardKeySize(range.x) + postcardKeySize(range.y) + 32,
    itemsPart: (range, valueCount) =>
      1 + postcardKeySize(range.x) + postcardKeySize(range.y) + varintLength(valueCount) + 1,
    value: (item) => itemSize(item) + statusSize,
  };
}
