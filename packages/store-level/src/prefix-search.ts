/**
 * Which prefixes of a key a sorted set holds, found with a few floor searches instead of a lookup per prefix.
 *
 * Say `q` is the greatest member ≤ `key[0..L)`. Every prefix longer than their common prefix `c` sorts after `q`
 * (it has the key's byte where `q` differs, or `q` is shorter) and at or before `key[0..L)`, so none is a member;
 * if `q` is itself a prefix (`c` is its length), it is one found. Either way the next search starts below: from
 * `key[0..c)`, or from `key[0..c-1)` past a prefix found. Each search shortens the unresolved part, and a key that
 * no member shares much with is settled in one or two.
 */

/**
 * The lengths `ℓ ≥ from` (descending) at which `key[0..ℓ)` is in the set whose greatest member ≤ a bound is
 * `floor(bound)` (undefined: none).
 */
export function prefixLengthsIn(key: Uint8Array, from: number, floor: (bound: Uint8Array) => Uint8Array | undefined): number[] {
  const lengths: number[] = [];
  let length = key.length;
  while (length >= from) {
    const below = floor(key.subarray(0, length));
    if (below === undefined) break;
    const common = commonPrefixLength(below, key, length);
    if (common === below.length) {
      if (common >= from) lengths.push(common);
      length = common - 1;
    } else {
      length = common;
    }
  }
  return lengths;
}

/** The length of the common prefix of `left` and `right[0..limit)`. */
function commonPrefixLength(left: Uint8Array, right: Uint8Array, limit: number): number {
  const end = Math.min(left.length, limit);
  let index = 0;
  while (index < end && left[index] === right[index]) index++;
  return index;
}
