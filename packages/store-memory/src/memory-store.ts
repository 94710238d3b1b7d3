import { bytesToHex, bytesToMapKey, compareBytes, type Author, type AuthorId, type NamespaceId } from '@docs/crypto';
import {
  EMPTY_FINGERPRINT,
  RecordIdentifier,
  capabilityNamespace,
  isEmptyRecord,
  mergeCapabilities,
  readCapability,
  type Capability,
  type SignedEntry,
} from '@docs/entry';
import { FingerprintTree, TreeRangeStore, type RangeStore } from '@docs/rbsr';
import {
  DEFAULT_DOWNLOAD_POLICY,
  PEERS_PER_NAMESPACE,
  STORE_ERROR_CODES,
  StoreError,
  finishQuery,
  planQuery,
  type AuthorLatest,
  type DocsStore,
  type DownloadPolicy,
  type ImportNamespaceOutcome,
  type NamespaceInfo,
  type PutOutcome,
  type Query,
} from '@docs/store';
import { MemoryBlobStore } from './memory-blob-store.js';
import { MemoryRangeStore } from './memory-range-store.js';
import { NamespaceEntries } from './namespace-entries.js';

const ID_LENGTH = 32;

/** Checks a 32-byte id and returns its map key. */
function requireId(value: Uint8Array, what: string): string {
  if (!(value instanceof Uint8Array) || value.length !== ID_LENGTH) throw new TypeError(`${what} must be a 32-byte Uint8Array`);
  return bytesToMapKey(value);
}

function copyPolicy(policy: DownloadPolicy): DownloadPolicy {
  return { kind: policy.kind, filters: policy.filters.map((filter) => ({ kind: filter.kind, pattern: filter.pattern.slice() })) };
}

/** The view of a namespace without entries. */
const EMPTY_RANGES: RangeStore<SignedEntry> = new TreeRangeStore(
  new FingerprintTree<SignedEntry>({ key: (signed) => signed.entry.id.bytes, fingerprint: () => EMPTY_FINGERPRINT }),
  EMPTY_FINGERPRINT,
  RecordIdentifier.zero().bytes,
);

/**
 * A `DocsStore` in memory. Per namespace, entries live in an augmented weight-balanced tree (`FingerprintTree` of
 * `@docs/rbsr`) keyed by record identifier, so range count, fingerprint and keyAt cost O(log n); a second tree
 * orders them by (key, author). Each operation runs synchronously inside its promise, so every write is atomic
 * and concurrent calls apply in call order.
 *
 * Entries are stored as given and returned as stored: do not mutate a `SignedEntry` after handing it over.
 * Blob content, peers, policies and ids are copied.
 */
export class MemoryStore implements DocsStore {
  /** Content by BLAKE3 hash. */
  readonly blobs: MemoryBlobStore;
  #closed = false;
  readonly #capabilities = new Map<string, Capability>();
  readonly #authors = new Map<string, Author>();
  readonly #entries = new Map<string, NamespaceEntries>();
  readonly #peers = new Map<string, Uint8Array[]>();
  readonly #policies = new Map<string, DownloadPolicy>();

  constructor() {
    this.blobs = new MemoryBlobStore(() => this.#ensureOpen());
  }

  async importNamespace(capability: Capability): Promise<ImportNamespaceOutcome> {
    this.#ensureOpen();
    const name = requireId(capabilityNamespace(capability), 'the namespace id');
    const stored = capability.kind === 'read' ? readCapability(capability.id.slice()) : capability;
    const current = this.#capabilities.get(name);
    if (current === undefined) {
      this.#capabilities.set(name, stored);
      return 'inserted';
    }
    const merged = mergeCapabilities(current, stored);
    if (!merged.upgraded) return 'no-change';
    this.#capabilities.set(name, merged.capability);
    return 'upgraded';
  }

  async getCapability(namespace: NamespaceId): Promise<Capability | undefined> {
    this.#ensureOpen();
    const capability = this.#capabilities.get(requireId(namespace, 'namespace'));
    return capability?.kind === 'read' ? readCapability(capability.id.slice()) : capability;
  }

  async listNamespaces(): Promise<NamespaceInfo[]> {
    this.#ensureOpen();
    return [...this.#capabilities.values()]
      .map((capability) => ({ id: capabilityNamespace(capability).slice(), kind: capability.kind }))
      .sort((a, b) => compareBytes(a.id, b.id));
  }

  async removeNamespace(namespace: NamespaceId): Promise<boolean> {
    this.#ensureOpen();
    const name = requireId(namespace, 'namespace');
    const existed = this.#capabilities.delete(name);
    const hadEntries = this.#entries.delete(name);
    this.#peers.delete(name);
    this.#policies.delete(name);
    return existed || hadEntries;
  }

  async importAuthor(author: Author): Promise<void> {
    this.#ensureOpen();
    this.#authors.set(bytesToMapKey(author.id), author);
  }

  async getAuthor(id: AuthorId): Promise<Author | undefined> {
    this.#ensureOpen();
    return this.#authors.get(requireId(id, 'author id'));
  }

  async listAuthors(): Promise<AuthorId[]> {
    this.#ensureOpen();
    return [...this.#authors.values()].map((author) => author.id).sort(compareBytes);
  }

  async deleteAuthor(id: AuthorId): Promise<boolean> {
    this.#ensureOpen();
    return this.#authors.delete(requireId(id, 'author id'));
  }

  async put(signed: SignedEntry): Promise<PutOutcome> {
    this.#ensureOpen();
    return this.#put(signed);
  }

  #put(signed: SignedEntry): PutOutcome {
    const namespace = signed.entry.id.namespace;
    const name = bytesToMapKey(namespace);
    let entries = this.#entries.get(name);
    if (entries === undefined) {
      entries = new NamespaceEntries(namespace);
      this.#entries.set(name, entries);
    }
    return entries.put(signed);
  }

  /** Inserts entries in order as by {@link MemoryStore.put}, all in one synchronous step (see {@link DocsStore.putMany}). */
  async putMany(entries: readonly SignedEntry[]): Promise<PutOutcome[]> {
    this.#ensureOpen();
    return entries.map((signed) => this.#put(signed));
  }

  async getExact(
    namespace: NamespaceId,
    author: AuthorId,
    key: Uint8Array,
    options: { readonly includeEmpty?: boolean } = {},
  ): Promise<SignedEntry | undefined> {
    this.#ensureOpen();
    requireId(author, 'author id');
    const found = this.#entries.get(requireId(namespace, 'namespace'))?.get(author, key);
    if (found === undefined || (options.includeEmpty !== true && isEmptyRecord(found.entry.record))) return undefined;
    return found;
  }

  query(namespace: NamespaceId, query: Query = {}): AsyncIterable<SignedEntry> {
    return this.#query(namespace, query);
  }

  async *#query(namespace: NamespaceId, query: Query): AsyncGenerator<SignedEntry, void, undefined> {
    this.#ensureOpen();
    const plan = planQuery(query);
    const entries = this.#entries.get(requireId(namespace, 'namespace'));
    if (entries === undefined) return;
    yield* finishQuery(entries.candidates(plan), query, plan);
  }

  async latestPerAuthor(namespace: NamespaceId): Promise<AuthorLatest[]> {
    this.#ensureOpen();
    return this.#entries.get(requireId(namespace, 'namespace'))?.latestPerAuthor() ?? [];
  }

  contentHashes(): AsyncIterable<Uint8Array> {
    return this.#contentHashes();
  }

  async *#contentHashes(): AsyncGenerator<Uint8Array, void, undefined> {
    this.#ensureOpen();
    for (const entries of [...this.#entries.values()]) {
      for (const signed of entries.records) if (!isEmptyRecord(signed.entry.record)) yield signed.entry.record.hash;
    }
  }

  ranges(namespace: NamespaceId): RangeStore<SignedEntry> {
    const name = requireId(namespace, 'namespace');
    return new MemoryRangeStore(() => {
      this.#ensureOpen();
      return this.#entries.get(name)?.ranges ?? EMPTY_RANGES;
    });
  }

  async registerUsefulPeer(namespace: NamespaceId, peer: Uint8Array): Promise<void> {
    this.#ensureOpen();
    const name = this.#requireNamespace(namespace);
    if (!(peer instanceof Uint8Array)) throw new TypeError('a peer id must be a Uint8Array');
    const peers = (this.#peers.get(name) ?? []).filter((known) => compareBytes(known, peer) !== 0);
    peers.unshift(peer.slice());
    this.#peers.set(name, peers.slice(0, PEERS_PER_NAMESPACE));
  }

  async getSyncPeers(namespace: NamespaceId): Promise<Uint8Array[]> {
    this.#ensureOpen();
    return (this.#peers.get(requireId(namespace, 'namespace')) ?? []).map((peer) => peer.slice());
  }

  async setDownloadPolicy(namespace: NamespaceId, policy: DownloadPolicy): Promise<void> {
    this.#ensureOpen();
    this.#policies.set(this.#requireNamespace(namespace), copyPolicy(policy));
  }

  async getDownloadPolicy(namespace: NamespaceId): Promise<DownloadPolicy> {
    this.#ensureOpen();
    return copyPolicy(this.#policies.get(requireId(namespace, 'namespace')) ?? DEFAULT_DOWNLOAD_POLICY);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#capabilities.clear();
    this.#authors.clear();
    this.#entries.clear();
    this.#peers.clear();
    this.#policies.clear();
    this.blobs.clear();
  }

  #ensureOpen(): void {
    if (this.#closed) throw new StoreError(STORE_ERROR_CODES.CLOSED, 'the store is closed');
  }

  #requireNamespace(namespace: NamespaceId): string {
    const name = requireId(namespace, 'namespace');
    if (!this.#capabilities.has(name)) {
      throw new StoreError(STORE_ERROR_CODES.NAMESPACE_NOT_FOUND, `namespace ${bytesToHex(namespace)} is not in the store`);
    }
    return name;
  }
}
