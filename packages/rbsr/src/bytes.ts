/**
 * Compares two keys bytewise, the ranger's key order: the first differing byte decides, and a
 * key sorts before its extensions (`"hi" < "hi/moon"`).
 *
 * @returns a negative number, zero or a positive number
 */
export function compareKeys(a: Uint8Array, b: Uint8Array): number {
  if (a === b) return 0;
  const length = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < length; i++) {
    const difference = (a[i] as number) - (b[i] as number);
    if (difference !== 0) return difference;
  }
  return a.length - b.length;
}

/**
 * Whether two byte arrays hold the same bytes.
 */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return false;
  }
  return true;
}

/**
 * Whether `key` starts with `prefix` (every key starts with the empty key).
 */
export function keyHasPrefix(key: Uint8Array, prefix: Uint8Array): boolean {
  if (prefix.length > key.length) return false;
  for (let i = 0; i < prefix.length; i++) {
    if (key[i] !== prefix[i]) return false;
  }
  return true;
}
