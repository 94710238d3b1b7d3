import { incrementBytes } from '@docs/store';

/**
 * The first byte of every database key: which table the key belongs to. Keys are raw bytes (the `view`
 * encoding); every table sorts by the bytes after this prefix. See the package README for each table's layout.
 */
export const TABLE = {
  /** `meta ‖ name` → format version, aggregate shape, level salt. */
  meta: 0x00,
  /** `records ‖ namespace ‖ author ‖ key` → {@link encodeStoredRecord}. */
  records: 0x01,
  /** `byKey ‖ namespace ‖ escaped key ‖ 00 00 ‖ author` → empty (orders by key, then author). */
  byKey: 0x02,
  /** `latest ‖ namespace ‖ author` → `timestamp (u64 BE) ‖ key`. */
  latest: 0x03,
  /** `namespaces ‖ namespace` → `kind (u8) ‖ 32 bytes` (the reference's `Capability::raw()`). */
  namespaces: 0x04,
  /** `authors ‖ author id` → 32-byte secret. */
  authors: 0x05,
  /** `peers ‖ namespace` → `(u32 BE length ‖ peer)*`, most recent first. */
  peers: 0x06,
  /** `policies ‖ namespace` → postcard download policy. */
  policies: 0x07,
  /** `aggregates ‖ level (u8) ‖ boundary` → `count (u64 BE) ‖ xor (32)`; boundary = namespace (head) or a record id. */
  aggregates: 0x08,
  /** `blobs ‖ hash` → `length (u64 BE) ‖ upload id (16) ‖ chunk count (u32 BE)`. */
  blobs: 0x09,
  /** `blobChunks ‖ upload id ‖ index (u32 BE)` → chunk bytes. */
  blobChunks: 0x0a,
  /** `pendingUploads ‖ upload id` → empty: an upload whose chunks are not yet referenced by a blob. */
  pendingUploads: 0x0b,
  /** `pendingRemovals ‖ namespace` → empty: a namespace removal still clearing its rows. */
  pendingRemovals: 0x0c,
  /**
   * `pages ‖ level-1 boundary` → the ids (without namespace) and fingerprints of the level-1 node's records: one
   * row read instead of a walk over the records (format 2).
   */
  pages: 0x0d,
} as const;

/** One of the {@link TABLE} prefix bytes. */
export type Table = (typeof TABLE)[keyof typeof TABLE];

/** Names of the {@link TABLE.meta} keys. */
export const META_KEY = {
  /** u32 BE: the on-disk format version. */
  format: 'format',
  /** `bits per level (u8) ‖ levels (u8)` of the fingerprint aggregates. */
  aggregateShape: 'aggregate-shape',
  /** 32 random bytes mixed into the hash that assigns record levels. */
  levelSalt: 'level-salt',
} as const;

/** `table ‖ parts…`. */
export function tableKey(table: Table, ...parts: Uint8Array[]): Uint8Array {
  let length = 1;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  out[0] = table;
  let offset = 1;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** The key of a meta entry. */
export function metaKey(name: string): Uint8Array {
  return tableKey(TABLE.meta, new TextEncoder().encode(name));
}

/** The key of the record with this identifier (`namespace ‖ author ‖ key`). */
export function recordKey(id: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + id.length);
  out[0] = TABLE.records;
  out.set(id, 1);
  return out;
}

/**
 * Escapes a key so that byte order of `escape(a) ‖ terminator ‖ x` equals (a, x) order: 0x00 → 0x00 0xff; every
 * other byte is kept. The terminator `00 00` sorts below any continuation.
 */
export function escapeKey(key: Uint8Array): Uint8Array {
  let zeros = 0;
  for (const byte of key) if (byte === 0) zeros++;
  if (zeros === 0) return key;
  const out = new Uint8Array(key.length + zeros);
  let position = 0;
  for (const byte of key) {
    out[position++] = byte;
    if (byte === 0) out[position++] = 0xff;
  }
  return out;
}

/** Ends an escaped key. */
export const ESCAPED_KEY_TERMINATOR: Uint8Array = Uint8Array.of(0, 0);

/** The by-key index row of an entry. */
export function byKeyKey(namespace: Uint8Array, key: Uint8Array, author: Uint8Array): Uint8Array {
  return tableKey(TABLE.byKey, namespace, escapeKey(key), ESCAPED_KEY_TERMINATOR, author);
}

/** The author id at the end of a by-key index row. */
export function authorOfByKeyKey(indexKey: Uint8Array): Uint8Array {
  return indexKey.subarray(indexKey.length - 32);
}

/** The (unescaped) key inside a by-key index row. */
export function keyOfByKeyKey(indexKey: Uint8Array): Uint8Array {
  const escaped = indexKey.subarray(33, indexKey.length - 32 - ESCAPED_KEY_TERMINATOR.length);
  const out: number[] = [];
  for (let index = 0; index < escaped.length; index++) {
    out.push(escaped[index]!);
    if (escaped[index] === 0) index++;
  }
  return Uint8Array.from(out);
}

/** The latest-per-author row of (namespace, author). */
export function latestKey(namespace: Uint8Array, author: Uint8Array): Uint8Array {
  return tableKey(TABLE.latest, namespace, author);
}

/** The aggregate node of `level` starting at `boundary` (a namespace id for the head node, else a record id). */
export function aggregateKey(level: number, boundary: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + boundary.length);
  out[0] = TABLE.aggregates;
  out[1] = level;
  out.set(boundary, 2);
  return out;
}

/** Half-open key bounds `[gte, lt)` covering every key that starts with `prefix` (never unbounded: prefixes start with a table byte). */
export interface KeyBounds {
  readonly gte: Uint8Array;
  readonly lt: Uint8Array;
}

/** Bounds of all keys starting with `prefix`. */
export function prefixBounds(prefix: Uint8Array): KeyBounds {
  const lt = incrementBytes(prefix);
  if (lt === undefined) throw new RangeError('a key prefix must not be all 0xff bytes');
  return { gte: prefix, lt };
}

/** Bounds of a whole table. */
export function tableBounds(table: Table): KeyBounds {
  return prefixBounds(Uint8Array.of(table));
}
