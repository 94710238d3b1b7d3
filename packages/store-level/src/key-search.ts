/**
 * Binary search over ascending byte keys that share long prefixes (table byte, namespace, author): each step
 * compares a candidate with the key only from the bytes the key is known to share with both ends of the interval
 * left — every key between them shares those too — so a search compares the common prefix about once instead of
 * once per step.
 */

/**
 * Index of the first of the ascending `keys` that is ≥ `key` (`keys.length` if none). `shared`: bytes that every key
 * and `key` are known to share.
 */
export function lowerBound(keys: readonly Uint8Array[], key: Uint8Array, shared = 0): number {
  let low = 0;
  let high = keys.length;
  // Bytes `key` shares with the key just below `low` and with the key at `high` (where there is one).
  let lowShared = shared;
  let highShared = shared;
  while (low < high) {
    const middle = (low + high) >> 1;
    const candidate = keys[middle]!;
    const common = sharedLength(candidate, key, Math.min(lowShared, highShared));
    if (precedes(candidate, key, common)) {
      low = middle + 1;
      lowShared = common;
    } else {
      high = middle;
      highShared = common;
    }
  }
  return low;
}

/** The length of the common prefix of `left` and `right`, which share their first `from` bytes. */
function sharedLength(left: Uint8Array, right: Uint8Array, from: number): number {
  const end = Math.min(left.length, right.length);
  let index = from;
  while (index < end && left[index] === right[index]) index++;
  return index;
}

/** Whether `candidate` sorts before `key`, given that they share exactly their first `common` bytes. */
function precedes(candidate: Uint8Array, key: Uint8Array, common: number): boolean {
  if (common === candidate.length) return common < key.length;
  return common < key.length && candidate[common]! < key[common]!;
}
