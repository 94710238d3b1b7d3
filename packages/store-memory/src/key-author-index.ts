/** Number of bytes `key` takes once escaped. */
function escapedLength(key: Uint8Array): number {
  let length = key.length;
  for (let index = 0; index < key.length; index++) if (key[index] === 0) length++;
  return length;
}

/** Writes the escape of `key` into `out` at `offset`; returns the offset after it. */
function writeEscaped(key: Uint8Array, out: Uint8Array, offset: number): number {
  for (let index = 0; index < key.length; index++) {
    const byte = key[index]!;
    out[offset++] = byte;
    if (byte === 0) out[offset++] = 1;
  }
  return offset;
}

/**
 * Order-preserving encoding of a key for the by-key index: every 0x00 byte becomes `00 01`. Escaped keys compare
 * like the keys, and the escape of a prefix is a prefix of the escape of every key that starts with it.
 */
export function escapeKey(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(escapedLength(key));
  writeEscaped(key, out, 0);
  return out;
}

/** The index prefix of every entry under exactly `key`: its escape and the terminator `00 00`. */
export function keyIndexPrefix(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(escapedLength(key) + 2);
  writeEscaped(key, out, 0);
  return out;
}

/**
 * The by-key index key of an entry: `escape(key) ‖ 00 00 ‖ author`. The terminator sorts below every escaped
 * byte, so bytewise order is (key, author) order where a key sorts before its extensions, as in the reference's
 * `records-by-key` table.
 */
export function keyAuthorIndexKey(key: Uint8Array, author: Uint8Array): Uint8Array {
  const length = escapedLength(key);
  const out = new Uint8Array(length + 2 + author.length);
  writeEscaped(key, out, 0);
  out.set(author, length + 2);
  return out;
}
