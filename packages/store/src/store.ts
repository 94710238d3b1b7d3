import type { Author, AuthorId, NamespaceId } from '@docs/crypto';
import type { Capability, CapabilityKind, SignedEntry } from '@docs/entry';
import type { RangeStore } from '@docs/rbsr';
import type { BlobStore } from './blob-store.js';
import type { DownloadPolicy } from './download-policy.js';
import type { Query } from './query.js';

/** What importing a capability did. */
export type ImportNamespaceOutcome = 'inserted' | 'upgraded' | 'no-change';

/** What {@link DocsStore.put} did: inserted (and how many older entries it replaced or prefix-deleted), or not. */
export type PutOutcome = { readonly inserted: true; readonly removed: number } | { readonly inserted: false };

/** A namespace held by a store and the kind of capability held for it. */
export interface NamespaceInfo {
  readonly id: NamespaceId;
  readonly kind: CapabilityKind;
}

/** The newest entry timestamp of one author in a namespace, and that entry's key. */
export interface AuthorLatest {
  readonly author: AuthorId;
  readonly timestamp: bigint;
  readonly key: Uint8Array;
}

/** How many useful peers a store remembers per namespace (an LRU, newest first). */
export const PEERS_PER_NAMESPACE = 5;

/**
 * The storage contract every @docs backend implements (`@docs/store-memory`, `@docs/store-level`), checked by
 * `runStoreConformance` from `@docs/store/conformance`.
 *
 * Every method returns plain `Uint8Array`s. Writes are atomic: a `put` either happens completely (the entry, its
 * prefix deletions and any index or aggregate updates) or not at all, and concurrent calls are serialised.
 */
export interface DocsStore {
  /** Adds a capability, or merges it into the one held (read → write upgrades; write is never downgraded). */
  importNamespace(capability: Capability): Promise<ImportNamespaceOutcome>;
  /** The capability held for a namespace. */
  getCapability(namespace: NamespaceId): Promise<Capability | undefined>;
  /** Every namespace with the kind of capability held, in id order. */
  listNamespaces(): Promise<NamespaceInfo[]>;
  /**
   * Removes a namespace: its capability, entries (and per-author heads), sync peers and download policy. False if
   * it was not there. Blobs stay: they are shared by hash.
   */
  removeNamespace(namespace: NamespaceId): Promise<boolean>;

  /** Stores an author secret (idempotent). */
  importAuthor(author: Author): Promise<void>;
  /** The author secret for an id. */
  getAuthor(id: AuthorId): Promise<Author | undefined>;
  /** Every author id held, in byte order. */
  listAuthors(): Promise<AuthorId[]>;
  /** Deletes an author secret. False if it was not there. */
  deleteAuthor(id: AuthorId): Promise<boolean>;

  /**
   * Inserts an entry by the insert rule (`blocksInsert` and `replaces`): refused if the entry's key or any
   * stored prefix of it (same namespace and author, tombstones and the empty key included) holds a value ≥ the new
   * one; otherwise the same author's entries under the key with values ≤ the new one are removed and the entry is
   * stored. `removed` counts them (the previous version of the same key included). Validation (signatures,
   * namespace, clock) and whether the namespace was imported are the caller's business.
   */
  put(signed: SignedEntry): Promise<PutOutcome>;
  /**
   * Inserts entries in order, each by the insert rule as if by {@link DocsStore.put} one after the other (a later
   * entry sees the earlier ones), atomically: after a crash either all of them are stored or none. The fast path
   * for bulk writes and for the entries of one sync message.
   *
   * @returns the outcome of each entry, in order
   */
  putMany(entries: readonly SignedEntry[]): Promise<PutOutcome[]>;
  /** The entry at (namespace, author, key); tombstones only with `includeEmpty`. */
  getExact(
    namespace: NamespaceId,
    author: AuthorId,
    key: Uint8Array,
    options?: { readonly includeEmpty?: boolean },
  ): Promise<SignedEntry | undefined>;
  /** Entries of a namespace matching a {@link Query}, in its order. */
  query(namespace: NamespaceId, query?: Query): AsyncIterable<SignedEntry>;
  /**
   * Per author (in author id order), the newest timestamp inserted in the namespace — the maximum, not the last
   * written — and the key of the entry that set it (on a tie, the entry inserted last).
   */
  latestPerAuthor(namespace: NamespaceId): Promise<AuthorLatest[]>;
  /** The content hashes of every entry of every namespace (may repeat); tombstones excluded. */
  contentHashes(): AsyncIterable<Uint8Array>;
  /**
   * The namespace's entries as a reconciliation store. Every range is clamped to the namespace, whatever bounds
   * a peer sends: no entry of another namespace is ever counted, fingerprinted or returned.
   */
  ranges(namespace: NamespaceId): RangeStore<SignedEntry>;

  /** Remembers a peer that synced usefully (LRU of {@link PEERS_PER_NAMESPACE}). Unknown namespace → `DOCS_STORE_NAMESPACE_NOT_FOUND`. */
  registerUsefulPeer(namespace: NamespaceId, peer: Uint8Array): Promise<void>;
  /** The remembered peers, most recent first; none (`[]`) for an unknown namespace. */
  getSyncPeers(namespace: NamespaceId): Promise<Uint8Array[]>;
  /** Sets the download policy. Unknown namespace → `DOCS_STORE_NAMESPACE_NOT_FOUND`. */
  setDownloadPolicy(namespace: NamespaceId, policy: DownloadPolicy): Promise<void>;
  /** The download policy; `EverythingExcept([])` unless set (also for an unknown namespace). */
  getDownloadPolicy(namespace: NamespaceId): Promise<DownloadPolicy>;

  /** Content by BLAKE3 hash, beside the entries. */
  readonly blobs: BlobStore;

  /** Releases the store. Later calls fail with `DOCS_STORE_CLOSED`; closing again does nothing. */
  close(): Promise<void>;
}
