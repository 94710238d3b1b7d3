import { bytesToMapKey, compareBytes, concatBytes, type AuthorId, type NamespaceId } from '@docs/crypto';
import { EMPTY_FINGERPRINT, RecordIdentifier, entryFingerprint, type SignedEntry } from '@docs/entry';
import { FingerprintTree, TreeRangeStore, prefixUpperBound } from '@docs/rbsr';
import { blocksInsert, replaces, type AuthorLatest, type PutOutcome, type QueryPlan } from '@docs/store';
import { escapeKey, keyAuthorIndexKey, keyIndexPrefix } from './key-author-index.js';

/** The by-key index needs no fingerprints; its aggregates are unused. */
const NO_FINGERPRINT = new Uint8Array(32);
const EMPTY = new Uint8Array(0);

function byKeyIndexKey(signed: SignedEntry): Uint8Array {
  return keyAuthorIndexKey(signed.entry.id.key, signed.entry.id.author);
}

/** What a namespace knows about one author: the author's entries by key, and the newest timestamp. */
interface AuthorState {
  readonly id: AuthorId;
  /** Entries by key ({@link bytesToMapKey}), for O(1) exact and parent lookups. */
  readonly byKey: Map<string, SignedEntry>;
  latestTimestamp: bigint;
  /** The key of the entry that set {@link latestTimestamp} (the last one inserted on a tie). */
  latestKey: Uint8Array;
}

/**
 * The entries of one namespace: the records in record-identifier order in an augmented tree (count and XOR
 * fingerprint per subtree, each entry's fingerprint computed once when stored), a (key, author) index for
 * key-ordered queries, and per author a hash map by key (exact and parent lookups) and the newest timestamp.
 */
export class NamespaceEntries {
  readonly #namespace: NamespaceId;
  /** Entries by `namespace ‖ author ‖ key`. */
  readonly records: FingerprintTree<SignedEntry> = new FingerprintTree<SignedEntry>({
    key: (signed) => signed.entry.id.bytes,
    fingerprint: (signed) => entryFingerprint(signed.entry),
  });
  /** Entries by (key, author). */
  readonly #byKey = new FingerprintTree<SignedEntry>({ key: byKeyIndexKey, fingerprint: () => NO_FINGERPRINT });
  /** Per author ({@link bytesToMapKey} of the id). */
  readonly #authors = new Map<string, AuthorState>();
  /** The authors with entries here, in byte order. */
  #authorOrder: AuthorId[] = [];
  /** The reconciliation view: O(log n) count, fingerprint and keyAt over {@link records}. */
  readonly ranges: TreeRangeStore<SignedEntry>;

  constructor(namespace: NamespaceId) {
    this.#namespace = namespace.slice();
    this.ranges = new TreeRangeStore(this.records, EMPTY_FINGERPRINT, RecordIdentifier.zero().bytes);
  }

  /** Applies the insert rule of `@docs/store` (see `blocksInsert`): refuse, or remove what it replaces and store. */
  put(signed: SignedEntry): PutOutcome {
    const { id, record } = signed.entry;
    const author = this.#authors.get(bytesToMapKey(id.author));
    const key = bytesToMapKey(id.key);
    if (author !== undefined) {
      // The stored parents: this author's keys that are prefixes of the new key, itself and the empty key included.
      for (let length = 0; length <= key.length; length++) {
        const parent = author.byKey.get(length === key.length ? key : key.slice(0, length));
        if (parent !== undefined && blocksInsert(parent, signed)) return { inserted: false };
      }
    }
    const removed: SignedEntry[] = [];
    for (const descendant of this.records.prefixed(id.bytes)) if (replaces(signed, descendant)) removed.push(descendant);
    const state = author ?? this.#addAuthor(id.author, signed);
    for (const old of removed) {
      this.records.delete(old.entry.id.bytes);
      this.#byKey.delete(byKeyIndexKey(old));
      state.byKey.delete(bytesToMapKey(old.entry.id.key));
    }
    this.records.set(signed);
    this.#byKey.set(signed);
    state.byKey.set(key, signed);
    if (record.timestamp >= state.latestTimestamp) {
      state.latestTimestamp = record.timestamp;
      state.latestKey = id.key;
    }
    return { inserted: true, removed: removed.length };
  }

  /** The entry at (author, key), tombstones included. */
  get(author: AuthorId, key: Uint8Array): SignedEntry | undefined {
    return this.#authors.get(bytesToMapKey(author))?.byKey.get(bytesToMapKey(key));
  }

  /** Per author, in author order: the newest timestamp and its key (fresh copies). */
  latestPerAuthor(): AuthorLatest[] {
    return this.#authorOrder.map((id) => {
      const state = this.#authors.get(bytesToMapKey(id))!;
      return { author: id.slice(), timestamp: state.latestTimestamp, key: state.latestKey.slice() };
    });
  }

  /**
   * Candidates for a query in the plan's order and direction: the by-key index for key-author order, else the
   * records narrowed to the author (or to each author in turn when filtering by key).
   */
  *candidates(plan: QueryPlan): Generator<SignedEntry, void, undefined> {
    const descending = plan.direction === 'desc';
    const scan = (tree: FingerprintTree<SignedEntry>, prefix: Uint8Array): Generator<SignedEntry, void, undefined> => {
      const lower = prefix.length === 0 ? undefined : prefix;
      const upper = prefixUpperBound(prefix);
      return descending ? tree.iterateReverse(lower, upper) : tree.iterate(lower, upper);
    };
    if (plan.order === 'key-author') {
      if (plan.key !== undefined) yield* scan(this.#byKey, keyIndexPrefix(plan.key));
      else yield* scan(this.#byKey, plan.keyPrefix === undefined ? EMPTY : escapeKey(plan.keyPrefix));
      return;
    }
    if (plan.author === undefined && plan.key === undefined && plan.keyPrefix === undefined) {
      yield* scan(this.records, EMPTY);
      return;
    }
    const authors = plan.author === undefined ? [...this.#authorOrder] : [plan.author];
    if (descending) authors.reverse();
    for (const author of authors) {
      if (plan.key !== undefined) {
        const found = this.get(author, plan.key);
        if (found !== undefined) yield found;
      } else {
        yield* scan(this.records, concatBytes(this.#namespace, author, plan.keyPrefix ?? EMPTY));
      }
    }
  }

  #addAuthor(author: AuthorId, first: SignedEntry): AuthorState {
    const id = author.slice();
    const state: AuthorState = { id, byKey: new Map(), latestTimestamp: first.entry.record.timestamp, latestKey: first.entry.id.key };
    this.#authors.set(bytesToMapKey(id), state);
    const at = this.#authorOrder.findIndex((other) => compareBytes(other, id) > 0);
    this.#authorOrder.splice(at === -1 ? this.#authorOrder.length : at, 0, id);
    return state;
  }
}
