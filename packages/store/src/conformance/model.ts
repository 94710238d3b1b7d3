import { bytesToHex, compareBytes, equalBytes, type AuthorId, type NamespaceId } from '@docs/crypto';
import {
  EMPTY_FINGERPRINT,
  compareRecords,
  entryFingerprint,
  isEmptyRecord,
  xorFingerprintInto,
  type SignedEntry,
} from '@docs/entry';
import type { Range } from '@docs/rbsr';
import type { Query } from '../query.js';
import type { AuthorLatest, PutOutcome } from '../store.js';

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let index = 0; index < prefix.length; index++) if (bytes[index] !== prefix[index]) return false;
  return true;
}

function byKeyThenAuthor(a: SignedEntry, b: SignedEntry): number {
  return compareBytes(a.entry.id.key, b.entry.id.key) || compareBytes(a.entry.id.author, b.entry.id.author);
}

function byIdentifier(a: SignedEntry, b: SignedEntry): number {
  return compareBytes(a.entry.id.bytes, b.entry.id.bytes);
}

/**
 * A deliberately naive model of a store's entries: one plain array, linear scans and full sorts, written from
 * the rules (the reference notes §2.4, §3.1 and §5.2) without sharing code with the backends or with
 * `finishQuery`. The conformance suite compares backends against it.
 */
export class StoreModel {
  #entries: SignedEntry[] = [];
  readonly #latest = new Map<string, AuthorLatest>();
  /** Sorted entries per namespace (hex), rebuilt after a change; and each entry's fingerprint, computed once. */
  readonly #sorted = new Map<string, SignedEntry[]>();
  readonly #fingerprints = new WeakMap<SignedEntry, Uint8Array>();

  /** The insert rule: refused if a stored parent (same namespace and author, key a prefix of the new key, tombstones
   * and the empty key included) has a value ≥ the new one; otherwise the descendants with values ≤ the new one go. */
  put(signed: SignedEntry): PutOutcome {
    const { id, record } = signed.entry;
    const sameAuthor = (other: SignedEntry): boolean =>
      equalBytes(other.entry.id.namespace, id.namespace) && equalBytes(other.entry.id.author, id.author);
    for (const other of this.#entries) {
      if (sameAuthor(other) && startsWith(id.key, other.entry.id.key) && compareRecords(record, other.entry.record) <= 0) {
        return { inserted: false };
      }
    }
    const kept = this.#entries.filter(
      (other) =>
        !(sameAuthor(other) && startsWith(other.entry.id.key, id.key) && compareRecords(record, other.entry.record) >= 0),
    );
    const removed = this.#entries.length - kept.length;
    kept.push(signed);
    this.#entries = kept;
    this.#sorted.clear();
    const latestKey = `${bytesToHex(id.namespace)}/${bytesToHex(id.author)}`;
    const latest = this.#latest.get(latestKey);
    if (latest === undefined || record.timestamp >= latest.timestamp) {
      this.#latest.set(latestKey, { author: id.author.slice(), timestamp: record.timestamp, key: id.key.slice() });
    }
    return { inserted: true, removed };
  }

  /** Every stored entry of a namespace (tombstones included), in record-identifier order. */
  entries(namespace: NamespaceId): SignedEntry[] {
    const name = bytesToHex(namespace);
    let sorted = this.#sorted.get(name);
    if (sorted === undefined) {
      sorted = this.#entries.filter((signed) => equalBytes(signed.entry.id.namespace, namespace)).sort(byIdentifier);
      this.#sorted.set(name, sorted);
    }
    return [...sorted];
  }

  /** The entry at (namespace, author, key). */
  getExact(namespace: NamespaceId, author: AuthorId, key: Uint8Array, includeEmpty = false): SignedEntry | undefined {
    const found = this.#entries.find(
      (signed) =>
        equalBytes(signed.entry.id.namespace, namespace) &&
        equalBytes(signed.entry.id.author, author) &&
        equalBytes(signed.entry.id.key, key),
    );
    if (found === undefined || (!includeEmpty && isEmptyRecord(found.entry.record))) return undefined;
    return found;
  }

  /** The result of a query, as the reference defines it (§5.2). */
  query(namespace: NamespaceId, query: Query = {}): SignedEntry[] {
    const includeEmpty = query.includeEmpty === true;
    let matching = this.entries(namespace).filter((signed) => {
      const { id } = signed.entry;
      if (query.author !== undefined && !equalBytes(id.author, query.author)) return false;
      if (query.key !== undefined && !equalBytes(id.key, query.key)) return false;
      if (query.keyPrefix !== undefined && !startsWith(id.key, query.keyPrefix)) return false;
      return true;
    });
    const descending = query.direction === 'desc';
    let results: SignedEntry[];
    if (query.kind === 'single-latest-per-key') {
      matching.sort(byKeyThenAuthor);
      if (descending) matching.reverse();
      results = [];
      for (const signed of matching) {
        const last = results[results.length - 1];
        if (last !== undefined && equalBytes(last.entry.id.key, signed.entry.id.key)) {
          if (signed.entry.record.timestamp > last.entry.record.timestamp) results[results.length - 1] = signed;
        } else {
          results.push(signed);
        }
      }
    } else {
      matching = query.sortBy === 'key-author' ? matching.sort(byKeyThenAuthor) : matching.sort(byIdentifier);
      if (descending) matching.reverse();
      results = matching;
    }
    if (!includeEmpty) results = results.filter((signed) => !isEmptyRecord(signed.entry.record));
    const offset = query.offset ?? 0;
    return results.slice(offset, query.limit === undefined ? undefined : offset + query.limit);
  }

  /** The namespace's entries in a reconciliation range: `[x, y)`, all for `x == y`, and `[start, y)` then `[x, end)`
   * for a wrapping range (the reference's iteration order, §3.1). */
  rangeItems(namespace: NamespaceId, range: Range): SignedEntry[] {
    const entries = this.entries(namespace);
    const order = compareBytes(range.x, range.y);
    if (order === 0) return entries;
    const atLeastX = (signed: SignedEntry): boolean => compareBytes(signed.entry.id.bytes, range.x) >= 0;
    const belowY = (signed: SignedEntry): boolean => compareBytes(signed.entry.id.bytes, range.y) < 0;
    if (order < 0) return entries.filter((signed) => atLeastX(signed) && belowY(signed));
    return [...entries.filter(belowY), ...entries.filter(atLeastX)];
  }

  /** How many entries a range holds. */
  count(namespace: NamespaceId, range: Range): number {
    return this.rangeItems(namespace, range).length;
  }

  /** BLAKE3("") XOR the fingerprint of every entry in the range. */
  fingerprint(namespace: NamespaceId, range: Range): Uint8Array {
    const accumulator = EMPTY_FINGERPRINT.slice();
    for (const signed of this.rangeItems(namespace, range)) {
      let fingerprint = this.#fingerprints.get(signed);
      if (fingerprint === undefined) {
        fingerprint = entryFingerprint(signed.entry);
        this.#fingerprints.set(signed, fingerprint);
      }
      xorFingerprintInto(accumulator, fingerprint);
    }
    return accumulator;
  }

  /** The smallest record identifier of the namespace, or undefined if it holds no entry. */
  firstKey(namespace: NamespaceId): Uint8Array | undefined {
    return this.entries(namespace)[0]?.entry.id.bytes;
  }

  /** Per author (in author order), the greatest timestamp inserted and the key of the last entry written with it. */
  latestPerAuthor(namespace: NamespaceId): AuthorLatest[] {
    const prefix = `${bytesToHex(namespace)}/`;
    return [...this.#latest]
      .filter(([key]) => key.startsWith(prefix))
      .map(([, latest]) => latest)
      .sort((a, b) => compareBytes(a.author, b.author));
  }

  /** Content hashes of every non-empty entry of every namespace. */
  contentHashes(): Uint8Array[] {
    return this.#entries.filter((signed) => !isEmptyRecord(signed.entry.record)).map((signed) => signed.entry.record.hash);
  }

  /** Forgets a namespace's entries. */
  removeNamespace(namespace: NamespaceId): void {
    this.#entries = this.#entries.filter((signed) => !equalBytes(signed.entry.id.namespace, namespace));
    this.#sorted.clear();
    const prefix = `${bytesToHex(namespace)}/`;
    for (const key of [...this.#latest.keys()]) if (key.startsWith(prefix)) this.#latest.delete(key);
  }
}
