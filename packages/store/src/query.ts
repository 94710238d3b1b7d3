import { equalBytes, type AuthorId } from '@docs/crypto';
import { isEmptyRecord, type SignedEntry } from '@docs/entry';

/**
 * Which entries of a namespace to read, as the reference's `Query`.
 *
 * - `kind: 'flat'` (default) returns every matching entry, sorted by `sortBy`: `'author-key'` (default) or
 *   `'key-author'`. `kind: 'single-latest-per-key'` returns, per key, the entry with the greatest timestamp (the
 *   first seen in iteration order on a tie) among the authors that pass the author filter, in key order; a key
 *   whose latest entry is a tombstone is skipped unless `includeEmpty`.
 * - `author` keeps one author's entries; `key` one exact key; `keyPrefix` keys starting with it (not both).
 * - `direction` reverses the order; `offset` and `limit` apply last. Tombstones only with `includeEmpty`.
 */
export interface Query {
  readonly kind?: 'flat' | 'single-latest-per-key';
  readonly sortBy?: 'author-key' | 'key-author';
  readonly author?: AuthorId;
  readonly key?: Uint8Array;
  readonly keyPrefix?: Uint8Array;
  readonly direction?: 'asc' | 'desc';
  readonly offset?: number;
  readonly limit?: number;
  readonly includeEmpty?: boolean;
}

/** How a backend should produce candidates for a query: which index, in which direction, narrowed by what. */
export interface QueryPlan {
  /** `'key-author'`: the by-key index (key, then author); `'author-key'`: the records order (author, then key). */
  readonly order: 'author-key' | 'key-author';
  readonly direction: 'asc' | 'desc';
  readonly author: AuthorId | undefined;
  readonly key: Uint8Array | undefined;
  readonly keyPrefix: Uint8Array | undefined;
}

/** Checks a query and picks the index to read, as the reference does. */
export function planQuery(query: Query = {}): QueryPlan {
  if (query.key !== undefined && query.keyPrefix !== undefined) {
    throw new TypeError('a query filters by `key` or by `keyPrefix`, not both');
  }
  if (query.kind === 'single-latest-per-key' && query.sortBy !== undefined) {
    throw new TypeError('`sortBy` applies to flat queries only');
  }
  for (const [name, value] of [['offset', query.offset], ['limit', query.limit]] as const) {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
      throw new RangeError(`${name} must be a non-negative integer`);
    }
  }
  const byKey =
    query.kind === 'single-latest-per-key' || (query.sortBy === 'key-author' && query.author === undefined);
  return {
    order: byKey ? 'key-author' : 'author-key',
    direction: query.direction ?? 'asc',
    author: query.author,
    key: query.key,
    keyPrefix: query.keyPrefix,
  };
}

/** True if an entry passes the author and key filters of a plan. */
export function matchesPlan(signed: SignedEntry, plan: QueryPlan): boolean {
  const { id } = signed.entry;
  if (plan.author !== undefined && !equalBytes(id.author, plan.author)) return false;
  if (plan.key !== undefined && !equalBytes(id.key, plan.key)) return false;
  if (plan.keyPrefix !== undefined) {
    const key = id.key;
    if (key.length < plan.keyPrefix.length) return false;
    for (let index = 0; index < plan.keyPrefix.length; index++) if (key[index] !== plan.keyPrefix[index]) return false;
  }
  return true;
}

/**
 * Finishes a query over candidates that a backend yields in the plan's order and direction (a superset is fine:
 * the filters are applied here again): grouping for single-latest-per-key, tombstone hiding, offset and limit.
 * Every backend uses this, so results are identical across backends.
 */
export async function* finishQuery(
  candidates: AsyncIterable<SignedEntry> | Iterable<SignedEntry>,
  query: Query = {},
  plan: QueryPlan = planQuery(query),
): AsyncGenerator<SignedEntry> {
  const includeEmpty = query.includeEmpty === true;
  let skip = query.offset ?? 0;
  let left = query.limit ?? Number.POSITIVE_INFINITY;
  if (left === 0) return;
  const results = query.kind === 'single-latest-per-key' ? latestPerKey(candidates, plan) : filtered(candidates, plan);
  for await (const signed of results) {
    if (!includeEmpty && isEmptyRecord(signed.entry.record)) continue;
    if (skip > 0) {
      skip--;
      continue;
    }
    yield signed;
    if (--left === 0) return;
  }
}

async function* filtered(
  candidates: AsyncIterable<SignedEntry> | Iterable<SignedEntry>,
  plan: QueryPlan,
): AsyncGenerator<SignedEntry> {
  for await (const signed of candidates) if (matchesPlan(signed, plan)) yield signed;
}

/** Groups consecutive entries of one key (key-author order) and keeps the one with the strictly greatest timestamp. */
async function* latestPerKey(
  candidates: AsyncIterable<SignedEntry> | Iterable<SignedEntry>,
  plan: QueryPlan,
): AsyncGenerator<SignedEntry> {
  let best: SignedEntry | undefined;
  for await (const signed of filtered(candidates, plan)) {
    if (best !== undefined && equalBytes(best.entry.id.key, signed.entry.id.key)) {
      if (signed.entry.record.timestamp > best.entry.record.timestamp) best = signed;
      continue;
    }
    if (best !== undefined) yield best;
    best = signed;
  }
  if (best !== undefined) yield best;
}
