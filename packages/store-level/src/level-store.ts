import { classicLevelAt } from '#classic-level';
import { Author, compareBytes, concatBytes, equalBytes, type AuthorId, type NamespaceId } from '@docs/crypto';
import {
  CAPABILITY_KIND,
  EMPTY_HASH,
  capabilityFromRaw,
  capabilityNamespace,
  capabilityToRaw,
  entryFingerprint,
  isEmptyRecord,
  mergeCapabilities,
  type Capability,
  type SignedEntry,
} from '@docs/entry';
import {
  DEFAULT_DOWNLOAD_POLICY,
  PEERS_PER_NAMESPACE,
  STORE_ERROR_CODES,
  StoreError,
  blocksInsert,
  decodeDownloadPolicy,
  encodeDownloadPolicy,
  finishQuery,
  incrementBytes,
  planQuery,
  replaces,
  type AuthorLatest,
  type DocsStore,
  type DownloadPolicy,
  type ImportNamespaceOutcome,
  type NamespaceInfo,
  type PutOutcome,
  type Query,
  type QueryPlan,
} from '@docs/store';
import { AggregateCache } from './aggregate-cache.js';
import { DEFAULT_CACHED_RECORDS, RecordPages } from './record-pages.js';
import { IdHashes } from './id-hashes.js';
import { DEFAULT_AGGREGATE_SHAPE, type AggregateShape, type AggregateWrites, type FingerprintAggregates } from './fingerprint-aggregates.js';
import { checkIntegrity, type IntegrityReport } from './integrity-check.js';
import {
  ESCAPED_KEY_TERMINATOR,
  TABLE,
  aggregateKey,
  authorOfByKeyKey,
  byKeyKey,
  escapeKey,
  keyOfByKeyKey,
  latestKey,
  prefixBounds,
  recordKey,
  tableBounds,
  tableKey,
  type KeyBounds,
} from './key-layout.js';
import { successorKey, type BatchOperation } from './key-value.js';
import { forEachInParallel } from './in-parallel.js';
import { LevelBlobStore } from './level-blob-store.js';
import { LevelDatabase, isAbstractLevel, type AnyAbstractLevel } from './level-database.js';
import { toStoreError } from './level-errors.js';
import { LevelRangeStore } from './level-range-store.js';
import { ReadWriteLock } from './read-write-lock.js';
import { SerialQueue } from './serial-queue.js';
import { pageKey } from './page-rows.js';
import { PendingInserts } from './pending-inserts.js';
import { prepareFormat } from './store-format.js';
import { decodeStoredRecord, encodeStoredRecord, storedFingerprint, storedHash } from './stored-record.js';
import { WriteSet } from './write-set.js';

/** Where a store lives: a directory for a classic-level (LevelDB) database, or an abstract-level database to use. */
export type LevelStoreLocation = string | { readonly db: AnyAbstractLevel };

/** Options of {@link LevelStore.open}. */
export interface LevelStoreOptions {
  /** The aggregate shape of a new store (default {@link DEFAULT_AGGREGATE_SHAPE}); an existing store keeps its own. */
  readonly aggregateShape?: AggregateShape;
  /**
   * Flush every batch to disk before a write resolves (LevelDB `sync`). Off by default: a write then survives
   * the process crashing, not necessarily the machine losing power (a batch is still all-or-nothing either way).
   */
  readonly sync?: boolean;
  /**
   * Record ids and fingerprints kept in memory at most: default {@link DEFAULT_CACHED_RECORDS}, about 50 MB. Half
   * of it may hold namespaces whole: one whose piecemeal reads have cost a quarter of reading it whole (a sync
   * sweeping it) is then read in one walk, and answers count, fingerprint and keyAt without reading anything; a
   * larger one keeps the pages its operations touch. Below 32 no namespace is held whole.
   */
  readonly cachedRecords?: number;
}

/** Records fetched per database call when a by-key index walk resolves its rows. */
const INDEX_FETCH = 64;
/** Descendant walks a batch keeps running at once (see {@link LevelStore.committedDescendants}). */
const DESCENDANT_WALKS_IN_FLIGHT = 32;
/** Keys up to this length have their parents looked up one prefix at a time; longer keys by seeking (see {@link parentRows}). */
const PARENT_LOOKUP_LIMIT = 64;
/** Bytes of an id before its key: namespace and author. */
const ID_KEY_OFFSET = 64;
const EMPTY_VALUE = new Uint8Array(0);

/**
 * The persistent {@link DocsStore} on abstract-level: classic-level (LevelDB) at a path by default, or any
 * abstract-level database (memory-level, browser-level, a sublevel).
 *
 * Every write (an insert with its prefix deletions, index and aggregate updates) is one atomic `db.batch()`, and
 * writes are serialised. Range count, fingerprint and `keyAt` read persisted aggregates and cost a few short walks
 * whatever the range size; opening reads three rows.
 */
export class LevelStore implements DocsStore {
  /** Content by BLAKE3 hash, in the same database. */
  readonly blobs: LevelBlobStore;
  private readonly database: LevelDatabase;
  /** The database with the aggregate nodes of namespaces in use in memory; every aggregate read goes through it. */
  private readonly cache: AggregateCache;
  private readonly pages: RecordPages;
  /** Batches committed so far (range stores keep results only while it is unchanged). */
  private commits = 0;
  private readonly aggregates: FingerprintAggregates;
  private readonly ownsDatabase: boolean;
  private readonly writes = new SerialQueue();
  private readonly commitLock = new ReadWriteLock();
  private closed = false;

  private constructor(database: LevelDatabase, aggregates: FingerprintAggregates, ownsDatabase: boolean, cachedRecords: number) {
    this.database = database;
    this.cache = new AggregateCache(database, aggregates.shape.levels);
    this.pages = new RecordPages(database, this.cache, cachedRecords);
    this.aggregates = aggregates;
    this.ownsDatabase = ownsDatabase;
    this.blobs = new LevelBlobStore(database, {
      ensureOpen: () => this.ensureOpen(),
      serialise: (task) => this.writes.run(task),
    });
  }

  /**
   * Opens (or creates) a store. A path opens a classic-level database there, closed again by {@link close};
   * `{ db }` uses the given abstract-level database, which is opened if needed and left open on close.
   *
   * Errors: another process holds the database → `DOCS_STORE_LOCKED`; written by a newer format (or a non-empty
   * database that is not a store) → `DOCS_STORE_INCOMPATIBLE_FORMAT`; damaged → `DOCS_STORE_CORRUPTED`; other
   * failures → `DOCS_STORE_IO`, each with the database error as `cause`.
   */
  static async open(location: LevelStoreLocation, options: LevelStoreOptions = {}): Promise<LevelStore> {
    const shape = options.aggregateShape ?? DEFAULT_AGGREGATE_SHAPE;
    const cachedRecords = options.cachedRecords ?? DEFAULT_CACHED_RECORDS;
    if (!Number.isSafeInteger(cachedRecords) || cachedRecords < 1) {
      throw new RangeError(`cachedRecords must be a positive integer, got ${cachedRecords}`);
    }
    let db: AnyAbstractLevel;
    let owns: boolean;
    if (typeof location === 'string') {
      // `#classic-level` has a browser condition: browser bundles never contain classic-level.
      db = await classicLevelAt(location);
      owns = true;
    } else if (typeof location === 'object' && location !== null && isAbstractLevel(location.db)) {
      db = location.db;
      owns = false;
    } else {
      throw new TypeError('a store location is a directory path or { db: an abstract-level database }');
    }
    try {
      await db.open();
    } catch (error) {
      throw toStoreError(error, 'opening the store');
    }
    try {
      const database = new LevelDatabase(db, { sync: options.sync === true, direct: owns });
      const store = new LevelStore(database, await prepareFormat(database, shape), owns, cachedRecords);
      await store.recover();
      return store;
    } catch (error) {
      if (owns) await db.close().catch(() => undefined);
      throw error;
    }
  }

  /** The aggregate shape this store was created with. */
  get aggregateShape(): AggregateShape {
    return this.aggregates.shape;
  }

  async importNamespace(capability: Capability): Promise<ImportNamespaceOutcome> {
    this.ensureOpen();
    const namespace = capabilityNamespace(capability);
    return this.write(async () => {
      const current = await this.readCapability(namespace);
      let outcome: ImportNamespaceOutcome = 'inserted';
      let next = capability;
      if (current !== undefined) {
        const merged = mergeCapabilities(current, capability);
        if (!merged.upgraded) return 'no-change';
        outcome = 'upgraded';
        next = merged.capability;
      }
      const raw = capabilityToRaw(next);
      const value = new Uint8Array(33);
      value[0] = raw.kind;
      value.set(raw.bytes, 1);
      await this.commit([{ type: 'put', key: tableKey(TABLE.namespaces, namespace), value }]);
      return outcome;
    });
  }

  async getCapability(namespace: NamespaceId): Promise<Capability | undefined> {
    this.ensureOpen();
    return this.readCapability(namespace);
  }

  async listNamespaces(): Promise<NamespaceInfo[]> {
    this.ensureOpen();
    const out: NamespaceInfo[] = [];
    for await (const [key, value] of this.database.entries(tableBounds(TABLE.namespaces))) {
      const kind = value[0] === CAPABILITY_KIND.write ? 'write' : value[0] === CAPABILITY_KIND.read ? 'read' : undefined;
      if (kind === undefined) throw new StoreError(STORE_ERROR_CODES.CORRUPTED, 'a namespace row has an unknown kind');
      out.push({ id: key.slice(1), kind });
    }
    return out;
  }

  /**
   * Removes a namespace. The capability goes first, in one batch with a removal marker; the namespace's rows are
   * then cleared table by table, and a removal interrupted by a crash is finished on the next open.
   */
  async removeNamespace(namespace: NamespaceId): Promise<boolean> {
    this.ensureOpen();
    checkId(namespace, 'namespace id');
    return this.write(async () => {
      const capabilityRow = tableKey(TABLE.namespaces, namespace);
      const held = (await this.database.get(capabilityRow)) !== undefined;
      if (!held && !(await this.hasAny(prefixBounds(recordKey(namespace))))) return false;
      await this.commitLock.exclusive(async () => {
        await this.database.batch([
          { type: 'del', key: capabilityRow },
          { type: 'put', key: tableKey(TABLE.pendingRemovals, namespace), value: EMPTY_VALUE },
        ]);
        try {
          await this.clearNamespace(namespace);
        } finally {
          this.commits++;
          this.cache.forget(namespace);
          this.pages.forget(namespace);
        }
      });
      return true;
    });
  }

  async importAuthor(author: Author): Promise<void> {
    this.ensureOpen();
    await this.write(() => this.commit([{ type: 'put', key: tableKey(TABLE.authors, author.id), value: author.toBytes() }]));
  }

  async getAuthor(id: AuthorId): Promise<Author | undefined> {
    this.ensureOpen();
    const value = await this.database.get(tableKey(TABLE.authors, id));
    return value === undefined ? undefined : decodeOrCorrupt('author', () => Author.fromBytes(value.slice()));
  }

  async listAuthors(): Promise<AuthorId[]> {
    this.ensureOpen();
    const out: AuthorId[] = [];
    for await (const key of this.database.keys(tableBounds(TABLE.authors))) out.push(key.slice(1));
    return out;
  }

  async deleteAuthor(id: AuthorId): Promise<boolean> {
    this.ensureOpen();
    return this.write(async () => {
      const key = tableKey(TABLE.authors, id);
      if ((await this.database.get(key)) === undefined) return false;
      await this.commit([{ type: 'del', key }]);
      return true;
    });
  }

  /** Inserts an entry by the insert rule, in one atomic batch (see {@link DocsStore.put}). */
  async put(signed: SignedEntry): Promise<PutOutcome> {
    this.ensureOpen();
    return this.write(async () => (await this.putBatch([signed]))[0]!);
  }

  /**
   * Inserts several entries in order, as if by {@link put} one after the other, but in one atomic batch: all of
   * them (with their prefix deletions and aggregate updates) are stored, or none. The fast path for bulk writes.
   */
  async putMany(entries: Iterable<SignedEntry>): Promise<PutOutcome[]> {
    this.ensureOpen();
    const list = [...entries];
    return this.write(() => this.putBatch(list));
  }

  async getExact(
    namespace: NamespaceId,
    author: AuthorId,
    key: Uint8Array,
    options: { readonly includeEmpty?: boolean } = {},
  ): Promise<SignedEntry | undefined> {
    this.ensureOpen();
    checkId(namespace, 'namespace id');
    checkId(author, 'author id');
    const id = recordId(namespace, author, key);
    const value = await this.database.get(recordKey(id));
    if (value === undefined) return undefined;
    const signed = decodeStoredRecord(id, value);
    return options.includeEmpty !== true && isEmptyRecord(signed.entry.record) ? undefined : signed;
  }

  async *query(namespace: NamespaceId, query: Query = {}): AsyncGenerator<SignedEntry> {
    const plan = planQuery(query);
    this.ensureOpen();
    checkId(namespace, 'namespace id');
    const candidates = plan.order === 'author-key' ? this.recordCandidates(namespace, plan) : this.byKeyCandidates(namespace, plan);
    yield* finishQuery(candidates, query, plan);
  }

  async latestPerAuthor(namespace: NamespaceId): Promise<AuthorLatest[]> {
    this.ensureOpen();
    checkId(namespace, 'namespace id');
    const out: AuthorLatest[] = [];
    for await (const [key, value] of this.database.entries(prefixBounds(tableKey(TABLE.latest, namespace)))) {
      if (value.length < 8) throw new StoreError(STORE_ERROR_CODES.CORRUPTED, 'a latest-per-author row is too short');
      out.push({
        author: key.slice(33),
        timestamp: new DataView(value.buffer, value.byteOffset, 8).getBigUint64(0),
        key: value.slice(8),
      });
    }
    return out;
  }

  async *contentHashes(): AsyncGenerator<Uint8Array> {
    this.ensureOpen();
    for await (const [, value] of this.database.entries(tableBounds(TABLE.records))) {
      const hash = storedHash(value);
      if (!equalBytes(hash, EMPTY_HASH)) yield hash.slice();
    }
  }

  ranges(namespace: NamespaceId): LevelRangeStore {
    checkId(namespace, 'namespace id');
    return new LevelRangeStore(
      {
        database: this.database,
        cache: this.cache,
        pages: this.pages,
        commits: () => this.commits,
        aggregates: this.aggregates,
        commitLock: this.commitLock,
        ensureOpen: () => this.ensureOpen(),
      },
      namespace.slice(),
    );
  }

  async registerUsefulPeer(namespace: NamespaceId, peer: Uint8Array): Promise<void> {
    this.ensureOpen();
    if (!(peer instanceof Uint8Array)) throw new TypeError('a peer id is a Uint8Array');
    await this.write(async () => {
      await this.requireNamespace(namespace);
      const peers = [peer.slice(), ...(await this.readPeers(namespace)).filter((known) => !equalBytes(known, peer))];
      await this.commit([
        { type: 'put', key: tableKey(TABLE.peers, namespace), value: encodePeers(peers.slice(0, PEERS_PER_NAMESPACE)) },
      ]);
    });
  }

  async getSyncPeers(namespace: NamespaceId): Promise<Uint8Array[]> {
    this.ensureOpen();
    return this.readPeers(namespace);
  }

  async setDownloadPolicy(namespace: NamespaceId, policy: DownloadPolicy): Promise<void> {
    this.ensureOpen();
    const value = encodeDownloadPolicy(policy);
    await this.write(async () => {
      await this.requireNamespace(namespace);
      await this.commit([{ type: 'put', key: tableKey(TABLE.policies, namespace), value }]);
    });
  }

  async getDownloadPolicy(namespace: NamespaceId): Promise<DownloadPolicy> {
    this.ensureOpen();
    const value = await this.database.get(tableKey(TABLE.policies, namespace));
    if (value === undefined) return { kind: DEFAULT_DOWNLOAD_POLICY.kind, filters: [] };
    return decodeOrCorrupt('download policy', () => decodeDownloadPolicy(value));
  }

  /**
   * Recomputes every index and aggregate from the records and compares them with what is stored (a full scan;
   * writes wait meanwhile). Used by the crash tests; also a repair diagnostic.
   */
  async checkIntegrity(): Promise<IntegrityReport> {
    this.ensureOpen();
    return this.write(() => checkIntegrity(this.database, this.aggregates));
  }

  /** Waits for pending writes and releases the store; a database opened from a path is closed. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writes.drain();
    if (this.ownsDatabase) {
      try {
        await this.database.db.close();
      } catch (error) {
        throw toStoreError(error, 'closing the store');
      }
    }
  }

  /** Throws `DOCS_STORE_CLOSED` after {@link close}. */
  private ensureOpen(): void {
    if (this.closed) throw new StoreError(STORE_ERROR_CODES.CLOSED, 'the store is closed');
  }

  /** Runs a write step after the ones before it (steps queued before {@link close} still run). */
  private write<T>(task: () => Promise<T>): Promise<T> {
    return this.writes.run(task);
  }

  /** Commits one atomic batch while no multi-step aggregate read is in progress. */
  private async commit(operations: readonly BatchOperation[]): Promise<void> {
    await this.commitLock.exclusive(async () => {
      await this.database.batch(operations);
      this.commits++;
      this.cache.applyCommitted(operations);
      this.pages.applyCommitted(operations);
    });
  }

  /** Inserts entries in order in one batch. Runs in the write queue. */
  private async putBatch(list: readonly SignedEntry[]): Promise<PutOutcome[]> {
    const descendants = await this.committedDescendants(list);
    const writes = new WriteSet(this.database);
    const put = new IdHashes();
    const inserts = new PendingInserts();
    const outcomes: PutOutcome[] = [];
    for (const [index, signed] of list.entries()) outcomes.push(await this.applyPut(writes, put, inserts, signed, descendants[index]!));
    await this.countInserts(writes, inserts);
    await this.commit(writes.operations());
    return outcomes;
  }

  /** Counts the batch's pending inserts in the aggregates, one namespace at a time (see `insertMany`). */
  private async countInserts(writes: WriteSet, inserts: PendingInserts): Promise<void> {
    for (const { namespace, records } of inserts.take()) {
      records.sort((a, b) => compareBytes(a.id, b.id));
      await this.aggregates.insertMany(await this.aggregateWrites(writes, namespace), namespace, records);
    }
  }

  /** Where the aggregate edits of a batch read and write, for one namespace. */
  private async aggregateWrites(writes: WriteSet, namespace: NamespaceId): Promise<AggregateWrites> {
    return {
      writes,
      nodes: writes.overlay(await this.cache.nodes(namespace)),
      heldPage: (boundary: Uint8Array) => this.pages.heldPage(namespace, boundary),
    };
  }

  /**
   * The committed rows under each entry's id (its record and those of its descendants), read concurrently: one
   * short walk each, and a batch would otherwise wait for them one after the other. Nothing commits while a batch
   * is built, and the batch's own writes are merged in as each entry is applied.
   */
  private async committedDescendants(list: readonly SignedEntry[]): Promise<Array<Array<[Uint8Array, Uint8Array]>>> {
    const rows: Array<Array<[Uint8Array, Uint8Array]>> = new Array(list.length);
    await forEachInParallel(list, DESCENDANT_WALKS_IN_FLIGHT, async (signed, index) => {
      const found: Array<[Uint8Array, Uint8Array]> = [];
      rows[index] = found;
      // In a namespace held whole the ids are in memory: usually no row is under the id, and no walk is needed.
      const { id } = signed.entry;
      if (this.pages.holdsPrefixed(id.namespace, id.bytes) === false) return;
      for await (const row of this.database.entries(prefixBounds(recordKey(id.bytes)))) found.push(row);
    });
    return rows;
  }

  /**
   * The insert rule (see `@docs/store` insert-rule) applied to a write set; `committed` holds the committed rows
   * under the entry's id.
   */
  private async applyPut(
    writes: WriteSet,
    put: IdHashes,
    inserts: PendingInserts,
    signed: SignedEntry,
    committed: Array<[Uint8Array, Uint8Array]>,
  ): Promise<PutOutcome> {
    const { id, record } = signed.entry;
    const idBytes = id.bytes;
    const namespace = id.namespace;
    const author = id.author;
    const key = id.key;
    const ownRow = recordKey(idBytes);
    // In a namespace held whole, the prefixes that may be parents come from memory (the batch's puts are counted
    // without their namespace: one of another namespace only costs a read that finds nothing).
    const held = this.pages.heldPrefixLengths(namespace, idBytes, ID_KEY_OFFSET);
    const parents =
      held === undefined
        ? await parentRows(writes, ownRow, key.length)
        : await heldParentRows(writes, ownRow, [...held, ...put.candidateLengths(idBytes, ID_KEY_OFFSET)]);
    for (const [rowKey, value] of parents) {
      if (blocksInsert(decodeStoredRecord(rowKey.subarray(1), value), signed)) return { inserted: false };
    }
    const fingerprint = entryFingerprint(signed.entry);
    // The level-1 pages around the entry and its descendants, before any node is read.
    await this.cache.ensureLevelOne(namespace, idBytes, incrementBytes(idBytes));
    const own = prefixBounds(ownRow);
    const descendants = writes.over(own.gte, own.lt, committed);
    // A removal or replacement reads the aggregates as they are: the inserts before it are counted first. (Counting
    // them later reads the level-1 nodes loaded around each of them above; the cache never drops those.)
    if (descendants.length > 0) await this.countInserts(writes, inserts);
    let removed = 0;
    let replacedFingerprint: Uint8Array | undefined;
    for (const [rowKey, value] of descendants) {
      const existingId = rowKey.subarray(1);
      const existing = decodeStoredRecord(existingId, value);
      if (!replaces(signed, existing)) continue;
      removed++;
      if (existingId.length === idBytes.length) {
        replacedFingerprint = storedFingerprint(value).slice();
        continue;
      }
      writes.del(rowKey);
      writes.del(byKeyKey(namespace, existing.entry.id.key, author));
      await this.aggregates.remove(await this.aggregateWrites(writes, namespace), namespace, existingId, storedFingerprint(value));
    }
    writes.put(ownRow, encodeStoredRecord(signed, fingerprint));
    put.addId(idBytes);
    writes.put(byKeyKey(namespace, key, author), EMPTY_VALUE);
    if (replacedFingerprint === undefined) inserts.add(namespace, { id: idBytes, fingerprint });
    else await this.aggregates.replace(await this.aggregateWrites(writes, namespace), namespace, idBytes, replacedFingerprint, fingerprint);
    const latestRow = latestKey(namespace, author);
    const latest = await writes.get(latestRow);
    if (latest === undefined || record.timestamp >= storedLatestTimestamp(latest)) {
      const value = new Uint8Array(8 + key.length);
      new DataView(value.buffer).setBigUint64(0, record.timestamp);
      value.set(key, 8);
      writes.put(latestRow, value);
    }
    return { inserted: true, removed };
  }

  /** Candidates in records order (author, key), narrowed by the author and key filters. */
  private async *recordCandidates(namespace: NamespaceId, plan: QueryPlan): AsyncGenerator<SignedEntry> {
    if (plan.author !== undefined && plan.key !== undefined) {
      const id = recordId(namespace, plan.author, plan.key);
      const value = await this.database.get(recordKey(id));
      if (value !== undefined) yield decodeStoredRecord(id, value);
      return;
    }
    let bounds: KeyBounds;
    if (plan.author === undefined) bounds = prefixBounds(recordKey(namespace));
    else if (plan.keyPrefix === undefined) bounds = prefixBounds(recordKey(recordId(namespace, plan.author, EMPTY_VALUE)));
    else bounds = prefixBounds(recordKey(recordId(namespace, plan.author, plan.keyPrefix)));
    for await (const [key, value] of this.database.entries({ ...bounds, reverse: plan.direction === 'desc' })) {
      yield decodeStoredRecord(key.subarray(1), value);
    }
  }

  /** Candidates in by-key order (key, author), narrowed by the key filters; records fetched in groups. */
  private async *byKeyCandidates(namespace: NamespaceId, plan: QueryPlan): AsyncGenerator<SignedEntry> {
    const base = tableKey(TABLE.byKey, namespace);
    let bounds: KeyBounds;
    if (plan.key !== undefined) bounds = prefixBounds(concatBytes(base, escapeKey(plan.key), ESCAPED_KEY_TERMINATOR));
    else if (plan.keyPrefix !== undefined) bounds = prefixBounds(concatBytes(base, escapeKey(plan.keyPrefix)));
    else bounds = prefixBounds(base);
    let ids: Uint8Array[] = [];
    const resolve = async function* (this: LevelStore, batch: Uint8Array[]): AsyncGenerator<SignedEntry> {
      const values = await this.database.getMany(batch.map(recordKey));
      for (const [index, value] of values.entries()) {
        if (value !== undefined) yield decodeStoredRecord(batch[index]!, value);
      }
    };
    for await (const indexKey of this.database.keys({ ...bounds, reverse: plan.direction === 'desc' })) {
      const author = authorOfByKeyKey(indexKey);
      if (plan.author !== undefined && !equalBytes(author, plan.author)) continue;
      ids.push(recordId(namespace, author, keyOfByKeyKey(indexKey)));
      if (ids.length === INDEX_FETCH) {
        yield* resolve.call(this, ids);
        ids = [];
      }
    }
    if (ids.length > 0) yield* resolve.call(this, ids);
  }

  private async hasAny(bounds: KeyBounds): Promise<boolean> {
    for await (const key of this.database.keys({ ...bounds, limit: 1 })) return key.length > 0;
    return false;
  }

  private async readCapability(namespace: NamespaceId): Promise<Capability | undefined> {
    const value = await this.database.get(tableKey(TABLE.namespaces, namespace));
    if (value === undefined) return undefined;
    return decodeOrCorrupt('namespace capability', () => {
      if (value.length !== 33) throw new RangeError('a capability row has 33 bytes');
      return capabilityFromRaw(value[0]!, value.slice(1));
    });
  }

  private async readPeers(namespace: NamespaceId): Promise<Uint8Array[]> {
    const value = await this.database.get(tableKey(TABLE.peers, namespace));
    return value === undefined ? [] : decodePeers(value);
  }

  private async requireNamespace(namespace: NamespaceId): Promise<void> {
    if ((await this.database.get(tableKey(TABLE.namespaces, namespace))) === undefined) {
      throw new StoreError(STORE_ERROR_CODES.NAMESPACE_NOT_FOUND, 'the namespace is not in this store');
    }
  }

  /** Clears every row of a namespace that has a removal marker, then the marker. */
  private async clearNamespace(namespace: NamespaceId): Promise<void> {
    const prefixes = [
      recordKey(namespace),
      tableKey(TABLE.byKey, namespace),
      tableKey(TABLE.latest, namespace),
      tableKey(TABLE.peers, namespace),
      tableKey(TABLE.policies, namespace),
      pageKey(namespace),
      ...Array.from({ length: this.aggregates.shape.levels }, (_, index) => aggregateKey(index + 1, namespace)),
    ];
    for (const prefix of prefixes) {
      const { gte, lt } = prefixBounds(prefix);
      await this.database.clear(gte, lt);
    }
    await this.database.batch([{ type: 'del', key: tableKey(TABLE.pendingRemovals, namespace) }]);
  }

  /** Finishes what a crash interrupted: namespace removals and blob uploads. */
  private async recover(): Promise<void> {
    const pending: Uint8Array[] = [];
    for await (const key of this.database.keys(tableBounds(TABLE.pendingRemovals))) pending.push(key.slice(1));
    for (const namespace of pending) await this.clearNamespace(namespace);
    await this.blobs.removeInterruptedUploads();
  }
}

function checkId(id: Uint8Array, what: string): void {
  if (!(id instanceof Uint8Array) || id.length !== 32) throw new TypeError(`a ${what} is a 32-byte Uint8Array`);
}

function storedLatestTimestamp(value: Uint8Array): bigint {
  if (value.length < 8) throw new StoreError(STORE_ERROR_CODES.CORRUPTED, 'a latest-per-author row is too short');
  return new DataView(value.buffer, value.byteOffset, 8).getBigUint64(0);
}

function encodePeers(peers: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(peers.reduce((sum, peer) => sum + 4 + peer.length, 0));
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const peer of peers) {
    view.setUint32(offset, peer.length);
    out.set(peer, offset + 4);
    offset += 4 + peer.length;
  }
  return out;
}

function decodePeers(value: Uint8Array): Uint8Array[] {
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  const peers: Uint8Array[] = [];
  let offset = 0;
  while (offset < value.length) {
    if (offset + 4 > value.length) throw new StoreError(STORE_ERROR_CODES.CORRUPTED, 'a peers row is malformed');
    const length = view.getUint32(offset);
    if (offset + 4 + length > value.length) throw new StoreError(STORE_ERROR_CODES.CORRUPTED, 'a peers row is malformed');
    peers.push(value.slice(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  return peers;
}

function decodeOrCorrupt<T>(what: string, decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    throw new StoreError(STORE_ERROR_CODES.CORRUPTED, `a stored ${what} cannot be decoded`, { cause: error });
  }
}

function recordId(namespace: Uint8Array, author: Uint8Array, key: Uint8Array): Uint8Array {
  return concatBytes(namespace, author, key);
}

/**
 * {@link parentRows} in a namespace held whole, given the lengths of the record id's prefixes that may be records
 * (found in memory: the committed ids held, and the ids the batch put so far): only those rows are read, through the
 * batch's pending writes (a row it deleted is no parent).
 */
async function heldParentRows(writes: WriteSet, ownRow: Uint8Array, idLengths: readonly number[]): Promise<Array<[Uint8Array, Uint8Array]>> {
  const rows = [...new Set(idLengths)].sort((a, b) => a - b).map((length) => ownRow.subarray(0, 1 + length));
  const values = await writes.getMany(rows);
  const parents: Array<[Uint8Array, Uint8Array]> = [];
  for (const [index, value] of values.entries()) if (value !== undefined) parents.push([rows[index]!, value]);
  return parents;
}

/**
 * The parents of a record (the rows of the same namespace and author whose keys are prefixes of its key, the empty
 * key and the key itself included, tombstones included), as (row key, value), shortest first.
 *
 * Short keys: one point read per prefix. Long keys: that would read O(k) keys of O(k) bytes, so the rows are found
 * by seeking instead — from a prefix, the next row up to the record itself either is a prefix (a parent) or differs
 * from the key at some byte, and no prefix shorter than that byte is a row; each seek moves at least one byte on.
 */
async function parentRows(writes: WriteSet, ownRow: Uint8Array, keyLength: number): Promise<Array<[Uint8Array, Uint8Array]>> {
  const keyStart = 1 + ID_KEY_OFFSET;
  const parents: Array<[Uint8Array, Uint8Array]> = [];
  if (keyLength <= PARENT_LOOKUP_LIMIT) {
    const rows = Array.from({ length: keyLength + 1 }, (_, length) => ownRow.subarray(0, keyStart + length));
    const values = await writes.getMany(rows);
    for (const [index, value] of values.entries()) if (value !== undefined) parents.push([rows[index]!, value]);
    return parents;
  }
  const end = successorKey(ownRow);
  let length = keyStart; // the shortest prefix row not yet ruled out
  while (length <= ownRow.length) {
    let next: [Uint8Array, Uint8Array] | undefined;
    for await (const row of writes.entries({ gte: ownRow.subarray(0, length), lt: end, limit: 1 })) next = row;
    if (next === undefined) break;
    const [rowKey, value] = next;
    // Rows in [prefix, ownRow] share the namespace and author; the next row is at or after `length` bytes in common.
    let common = length;
    while (common < rowKey.length && rowKey[common] === ownRow[common]) common++;
    if (common === rowKey.length) parents.push([rowKey, value]);
    length = common + 1;
  }
  return parents;
}
