/**
 * What the engine needs to know about an item (an entry of the set being reconciled).
 * The engine is generic: it never hashes, encodes or interprets items itself.
 */
export interface RangeItemTraits<T> {
  /** The item's key; keys order the set bytewise and identify items (one item per key). */
  key(item: T): Uint8Array;
  /**
   * Orders two items with the same key by value (for iroh-docs: the record's `(timestamp, hash)`).
   * A received item whose value is greater or equal replaces the need to send ours.
   *
   * @returns a negative number, zero or a positive number
   */
  compareValues(a: T, b: T): number;
  /** The item's 32-byte fingerprint; range fingerprints XOR these onto the empty fingerprint. */
  fingerprint(item: T): Uint8Array;
  /**
   * The item's encoded size on the wire in bytes (for iroh-docs: the postcard `SignedEntry`).
   * Needed by the default size model whenever the frame budget is finite.
   */
  encodedSize?(item: T): number;
}
