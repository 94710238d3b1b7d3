/** Half-open bounds `[gte, lt)` of a key walk (no `lt`: to the end), with an optional direction and limit. */
export interface WalkOptions {
  readonly gte: Uint8Array;
  readonly lt?: Uint8Array;
  readonly reverse?: boolean;
  readonly limit?: number;
  /** How many entries the first database read fetches (later reads grow); defaults to `limit` or 16. */
  readonly readAhead?: number;
}

/** Reads of an ordered byte-keyed table: the committed database, or the database seen through a write set. */
export interface KeyValueReader {
  /** The value under `key`, or undefined. */
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  /** The values under `keys`, in order. */
  getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]>;
  /** Entries with `gte ≤ key < lt`, in key order (or reversed), at most `limit`. */
  entries(options: WalkOptions): AsyncGenerator<[Uint8Array, Uint8Array]>;
}

/** One write of an atomic batch. */
export type BatchOperation =
  | { readonly type: 'put'; readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly type: 'del'; readonly key: Uint8Array };

/** The smallest key greater than `key` (`key ‖ 00`), to turn an inclusive bound into an exclusive one. */
export function successorKey(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length + 1);
  out.set(key);
  return out;
}
