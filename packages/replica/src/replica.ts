import { blake3, bytesToHex, equalBytes, type Author, type AuthorId, type Ed25519, type NamespaceId } from '@docs/crypto';
import {
  EMPTY_HASH,
  capabilityNamespace,
  mergeCapabilities,
  nowMicros,
  signNewEntry,
  validateEntries,
  validateEntry,
  type Capability,
  type SignedEntry,
  type ValidationOptions,
} from '@docs/entry';
import { countMessageValues, type Message, type RangeStore, type Reconciler } from '@docs/rbsr';
import { shouldDownload, type DocsStore, type DownloadPolicy, type PutOutcome, type Query } from '@docs/store';
import type { ContentStatus, ContentStatusCallback } from './content-status.js';
import { REPLICA_ERROR_CODES, ReplicaError } from './errors.js';
import { DEFAULT_EVENT_BUFFER_SIZE, type EventStream, type LaggedEvent } from './event-stream.js';
import { EventHub, type ReplicaEvent, type ReplicaEventListener } from './events.js';
import { createSyncOutcome, type SyncOutcome } from './sync-outcome.js';
import { createEntryReconciler, type SyncSettings } from './entry-reconciler.js';

/**
 * Entries of a sync message validated (and then stored) together at most; the next chunk is verified while one is
 * stored.
 */
const RECEIVE_CHUNK = 2_000;
/**
 * The first chunk of a message is smaller, and chunks double up to {@link RECEIVE_CHUNK}: nothing can be stored until
 * the first chunk is verified, so a large one would leave the store idle for as long as it takes to verify.
 */
const FIRST_RECEIVE_CHUNK = 250;

/** A set-reconciliation message of a replica: parts over entries, each entry with its content status. */
export type SyncMessage = Message<SignedEntry, ContentStatus>;

/** How a {@link Replica} behaves. */
export interface ReplicaOptions {
  /**
   * Reports the local status of an entry's content when the replica sends it in sync. Default: `'complete'` if
   * the store's blob store holds the content hash, else `'missing'`.
   */
  readonly contentStatus?: ContentStatusCallback;
  /** Reconciliation settings; default the tuned split settings of `@docs/rbsr` and a 4 MiB frame budget. */
  readonly sync?: SyncSettings;
  /** The Ed25519 implementation that verifies received entries; default the platform's fastest. */
  readonly ed25519?: Ed25519;
  /** The clock, in microseconds since the Unix epoch; default `nowMicros`. */
  readonly now?: () => bigint;
}

/** Options of a local insert. */
export interface InsertOptions {
  /**
   * The entry's timestamp in µs, used as given. Without it the replica stamps the entry itself (see
   * {@link Replica.insert}).
   */
  readonly timestamp?: bigint | number;
}

/** What a local insert did. */
export interface InsertResult {
  /** The signed entry that was stored. */
  readonly entry: SignedEntry;
  /** How many entries it replaced: the previous value of the key and the same author's older entries under it. */
  readonly removed: number;
}

/** Options of {@link Replica.subscribe}. */
export interface SubscribeOptions {
  /** How many undelivered events to keep before dropping the oldest; default {@link DEFAULT_EVENT_BUFFER_SIZE}. */
  readonly bufferSize?: number;
}

/**
 * One namespace's entries over a {@link DocsStore}: local writes (signed with the capability and an author),
 * entries from peers (validated), queries, events, and the two set-reconciliation entry points.
 *
 * **Timestamps.** Unless a write passes its own timestamp, the replica stamps it with
 * `max(now, latest + 1)`, where `latest` is the newest timestamp of that author in this replica (read from the
 * store once, then kept up to date by every insert, local or remote). So an author's writes through one replica
 * get strictly increasing timestamps: fast repeated writes to a key, writes under a prefix just written, or
 * writes after an entry of the same author from a peer whose clock runs ahead (up to the 10-minute future limit)
 * never fail with `DOCS_REPLICA_NEWER_ENTRY_EXISTS` because of a coarse or lagging clock. Local writes are
 * stored in the order they were called.
 */
export class Replica {
  /** The store holding the entries. */
  readonly store: DocsStore;
  /** The namespace id. */
  readonly namespace: NamespaceId;
  #capability: Capability;
  #closed = false;
  readonly #events = new EventHub();
  readonly #now: () => bigint;
  readonly #contentStatus: ContentStatusCallback;
  readonly #ranges: RangeStore<SignedEntry>;
  readonly #syncSettings: SyncSettings;
  /** Makes initial messages; built here so that invalid settings fail at construction. */
  readonly #initiator: Reconciler<SignedEntry, ContentStatus>;
  /** What remote entries are validated against, except the clock. */
  readonly #remoteValidation: ValidationOptions;
  /** Newest timestamp per author (hex) in the store when first needed. */
  #storedHeads: Promise<Map<string, bigint>> | undefined;
  /** Newest timestamp per author (hex) inserted or reserved through this replica. */
  readonly #writtenHeads = new Map<string, bigint>();
  /** Settles when the last local write queued so far has finished; keeps local puts in call order. */
  #localWrites: Promise<void> = Promise.resolve();

  /**
   * @param store - where the entries are; the namespace need not be imported into it for the replica to work,
   *   but `Docs` only opens namespaces the store holds
   * @param capability - write (the namespace secret) or read (the id only: inserts fail, sync works)
   */
  constructor(store: DocsStore, capability: Capability, options: ReplicaOptions = {}) {
    this.store = store;
    this.#capability = capability;
    this.namespace = capabilityNamespace(capability);
    this.#now = options.now ?? nowMicros;
    this.#contentStatus = options.contentStatus ?? blobStoreContentStatus(store);
    this.#ranges = store.ranges(this.namespace);
    this.#syncSettings = options.sync ?? {};
    this.#initiator = createEntryReconciler(this.#ranges, this.#syncSettings);
    this.#remoteValidation = {
      namespace: this.namespace,
      verifySignatures: true,
      ...(options.ed25519 === undefined ? {} : { ed25519: options.ed25519 }),
    };
  }

  /** The capability held: write or read. */
  get capability(): Capability {
    return this.#capability;
  }

  /** True once {@link close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Merges a capability for the same namespace: read → write upgrades and returns true; a write capability is
   * never downgraded. Another namespace → `DOCS_ENTRY_NAMESPACE_MISMATCH`.
   */
  mergeCapability(capability: Capability): boolean {
    const { capability: merged, upgraded } = mergeCapabilities(this.#capability, capability);
    this.#capability = merged;
    return upgraded;
  }

  /**
   * Writes `key` → content (`hash`, `len`) as `author`. Errors: empty content (`len` 0 or the empty hash) →
   * `DOCS_REPLICA_ENTRY_IS_EMPTY` (deleting is {@link deletePrefix}); closed → `DOCS_REPLICA_CLOSED`; read
   * capability → `DOCS_REPLICA_READ_ONLY`; a timestamp more than 10 minutes ahead →
   * `DOCS_REPLICA_INVALID_ENTRY`; the author holds an equal or newer value at the key or a prefix of it →
   * `DOCS_REPLICA_NEWER_ENTRY_EXISTS`.
   */
  async insert(
    key: Uint8Array,
    author: Author,
    hash: Uint8Array,
    len: bigint | number,
    options: InsertOptions = {},
  ): Promise<InsertResult> {
    if (BigInt(len) === 0n || equalBytes(hash, EMPTY_HASH)) throw emptyContentError();
    return this.#insertLocal(key, author, hash, len, options.timestamp);
  }

  /** Hashes `bytes` with BLAKE3 and inserts the hash and length (the content itself is not stored). */
  hashAndInsert(key: Uint8Array, author: Author, bytes: Uint8Array, options: InsertOptions = {}): Promise<InsertResult> {
    return this.insert(key, author, blake3(bytes), bytes.length, options);
  }

  /** Stores `bytes` in the store's blob store, then inserts their hash and length. */
  async setBytes(key: Uint8Array, author: Author, bytes: Uint8Array, options: InsertOptions = {}): Promise<InsertResult> {
    if (bytes.length === 0) throw emptyContentError();
    this.#assertWritable();
    const stored = await this.store.blobs.put(bytes);
    return this.insert(key, author, stored.hash, stored.length, options);
  }

  /**
   * Deletes the author's entries whose keys start with `prefix` by writing an empty entry (a tombstone) at
   * `prefix`, and returns how many entries it removed. Same errors as {@link insert}, except the empty rule.
   */
  async deletePrefix(prefix: Uint8Array, author: Author, options: InsertOptions = {}): Promise<number> {
    const { removed } = await this.#insertLocal(prefix, author, EMPTY_HASH, 0n, options.timestamp);
    return removed;
  }

  /**
   * Inserts an entry a peer pushed outside reconciliation (the gossip path), claiming `contentStatus` for its
   * content, and returns how many entries it removed. The entry is validated with every rule (namespace, strict
   * signatures, future limit, and the empty rule): a failure → `DOCS_REPLICA_INVALID_ENTRY` with `reason`. Not
   * newer than what is stored → `DOCS_REPLICA_NEWER_ENTRY_EXISTS`; closed → `DOCS_REPLICA_CLOSED`.
   */
  async insertRemote(entry: SignedEntry, from: Uint8Array, contentStatus: ContentStatus): Promise<number> {
    this.#assertOpen();
    const reason = await validateEntry(entry, { ...this.#remoteValidation, checkEmpty: true, now: this.#now() });
    if (reason !== undefined) {
      throw new ReplicaError(REPLICA_ERROR_CODES.INVALID_ENTRY, `invalid entry from a peer: ${reason}`, { reason });
    }
    const [outcome] = (await this.#storeRemote([[entry, contentStatus]], from)) as [PutOutcome];
    if (!outcome.inserted) {
      throw new ReplicaError(REPLICA_ERROR_CODES.NEWER_ENTRY_EXISTS, 'an equal or newer entry is already stored');
    }
    return outcome.removed;
  }

  /** The entry of `author` at `key`; tombstones only with `includeEmpty`. */
  getExact(
    author: AuthorId,
    key: Uint8Array,
    options: { readonly includeEmpty?: boolean } = {},
  ): Promise<SignedEntry | undefined> {
    this.#assertOpen();
    return this.store.getExact(this.namespace, author, key, options);
  }

  /** The entries matching a query (see `Query` of `@docs/store`), in its order. */
  async *query(query: Query = {}): AsyncGenerator<SignedEntry> {
    this.#assertOpen();
    yield* this.store.query(this.namespace, query);
  }

  /** The download policy of this namespace (which content to fetch after sync). */
  getDownloadPolicy(): Promise<DownloadPolicy> {
    this.#assertOpen();
    return this.store.getDownloadPolicy(this.namespace);
  }

  /** Sets the download policy of this namespace. */
  setDownloadPolicy(policy: DownloadPolicy): Promise<void> {
    this.#assertOpen();
    return this.store.setDownloadPolicy(this.namespace, policy);
  }

  /**
   * Calls `listener` synchronously for every entry inserted from now on (only entries actually inserted). Returns
   * the function that unsubscribes. See {@link EventHub} for listeners that throw.
   */
  on(listener: ReplicaEventListener): () => void {
    this.#assertOpen();
    return this.#events.on(listener);
  }

  /**
   * The inserted entries from now on as an async iterator. Its buffer is bounded: a consumer that falls more
   * than `bufferSize` events behind loses the oldest and receives a `{ type: 'lagged', missed }` marker instead
   * (see {@link EventStream}). `break` or `return()` unsubscribes; closing the replica ends the iterator.
   */
  subscribe(options: SubscribeOptions = {}): AsyncIterableIterator<ReplicaEvent | LaggedEvent> {
    this.#assertOpen();
    return this.#events.stream(options.bufferSize ?? DEFAULT_EVENT_BUFFER_SIZE);
  }

  /** The message that starts a sync session: the fingerprint of the whole namespace. */
  syncInitialMessage(): Promise<SyncMessage> {
    this.#assertOpen();
    return this.#initiator.initialMessage();
  }

  /**
   * Processes a message from peer `from` and returns the reply, or `undefined` when the session is complete.
   * The received entries that could be new (not those of a request under a key where this replica holds an equal or
   * newer entry) are validated (namespace, strict signatures verified in batches, 10-minute future limit; the empty
   * rule is not applied here, as in the reference): invalid entries are dropped and counted in
   * `outcome.entriesInvalid`, valid ones are stored with `putMany` by the newer-wins rule and reported as
   * `remote-insert` events when actually inserted. `outcome` accumulates the session's counts as the reference's
   * `SyncOutcome`: every received value counts in `entriesReceived`, every value of the reply in `entriesSent`.
   */
  async syncProcessMessage(
    message: SyncMessage,
    from: Uint8Array,
    outcome: SyncOutcome = createSyncOutcome(),
  ): Promise<SyncMessage | undefined> {
    this.#assertOpen();
    outcome.entriesReceived += countMessageValues(message);
    // A reconciler per step: the engine's instances are not meant to be shared by overlapping sessions.
    const reconciler = createEntryReconciler(this.#ranges, this.#syncSettings);
    const reply = await reconciler.processMessage(message, {
      receive: (received) => this.#receiveRemote(received, from, outcome),
      contentStatus: (entry) => this.#contentStatus(entry),
    });
    if (reply !== undefined) outcome.entriesSent += countMessageValues(reply);
    return reply;
  }

  /**
   * Closes the replica: later calls fail with `DOCS_REPLICA_CLOSED`, callbacks are dropped and event iterators
   * end after delivering what they buffered. The store stays open.
   */
  close(): void {
    this.#closed = true;
    this.#events.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new ReplicaError(REPLICA_ERROR_CODES.CLOSED, 'the replica is closed');
  }

  #assertWritable(): void {
    this.#assertOpen();
    if (this.#capability.kind === 'read') {
      throw new ReplicaError(REPLICA_ERROR_CODES.READ_ONLY, 'the replica holds a read capability and cannot write');
    }
  }

  async #insertLocal(
    key: Uint8Array,
    author: Author,
    hash: Uint8Array,
    len: bigint | number,
    timestamp: bigint | number | undefined,
  ): Promise<InsertResult> {
    this.#assertWritable();
    const stamp = timestamp ?? (await this.#nextTimestamp(author.id));
    // Take a turn synchronously after the timestamp is reserved, so puts happen in timestamp order even when
    // signatures finish out of order.
    const previous = this.#localWrites;
    let finished!: () => void;
    this.#localWrites = new Promise((resolve) => {
      finished = resolve;
    });
    try {
      const signed = await signNewEntry(this.#capability, author, { key, hash, len, timestamp: stamp });
      await previous;
      this.#assertOpen();
      const reason = await validateEntry(signed, { namespace: this.namespace, verifySignatures: false, now: this.#now() });
      if (reason !== undefined) {
        throw new ReplicaError(REPLICA_ERROR_CODES.INVALID_ENTRY, `invalid local entry: ${reason}`, { reason });
      }
      const outcome = await this.store.put(signed);
      if (!outcome.inserted) {
        throw new ReplicaError(
          REPLICA_ERROR_CODES.NEWER_ENTRY_EXISTS,
          'the author holds an equal or newer entry at this key or a prefix of it',
        );
      }
      this.#recordHead(signed);
      if (this.#events.active) this.#events.emit({ type: 'local-insert', namespace: this.namespace, entry: signed });
      return { entry: signed, removed: outcome.removed };
    } finally {
      finished();
    }
  }

  /** Reserves `max(now, latest + 1)` for the author's next write. */
  async #nextTimestamp(author: AuthorId): Promise<bigint> {
    this.#storedHeads ??= this.#loadStoredHeads();
    const stored = await this.#storedHeads;
    const key = bytesToHex(author);
    const now = this.#now();
    const latest = maxDefined(stored.get(key), this.#writtenHeads.get(key));
    const timestamp = latest === undefined || now > latest ? now : latest + 1n;
    this.#writtenHeads.set(key, timestamp);
    return timestamp;
  }

  #loadStoredHeads(): Promise<Map<string, bigint>> {
    return this.store.latestPerAuthor(this.namespace).then(
      (latest) => new Map(latest.map(({ author, timestamp }) => [bytesToHex(author), timestamp])),
      (error: unknown) => {
        this.#storedHeads = undefined;
        throw error;
      },
    );
  }

  #recordHead(signed: SignedEntry): void {
    const key = bytesToHex(signed.entry.id.author);
    const { timestamp } = signed.entry.record;
    const current = this.#writtenHeads.get(key);
    if (current === undefined || timestamp > current) this.#writtenHeads.set(key, timestamp);
  }

  /**
   * Validates the entries of one sync message and stores the valid ones, in chunks of {@link FIRST_RECEIVE_CHUNK}
   * entries doubling up to {@link RECEIVE_CHUNK}: the signatures of a chunk are verified (in one batch, on worker
   * threads in Node) while the chunk before it is being stored, and chunks are stored in order.
   */
  async #receiveRemote(
    received: ReadonlyArray<readonly [SignedEntry, ContentStatus]>,
    from: Uint8Array,
    outcome: SyncOutcome,
  ): Promise<void> {
    const chunks: Array<ReadonlyArray<readonly [SignedEntry, ContentStatus]>> = [];
    for (let start = 0, size = FIRST_RECEIVE_CHUNK; start < received.length; start += size, size = Math.min(2 * size, RECEIVE_CHUNK)) {
      chunks.push(received.slice(start, start + size));
    }
    // Each validation gets a handler at once: it may fail while the chunk before it is being stored.
    const validate = (chunk: ReadonlyArray<readonly [SignedEntry, ContentStatus]>) => {
      const validation = this.#validateRemote(chunk, outcome);
      validation.catch(() => undefined);
      return validation;
    };
    let validating = validate(chunks[0] ?? []);
    for (let index = 0; index < chunks.length; index++) {
      const valid = await validating;
      if (index + 1 < chunks.length) validating = validate(chunks[index + 1]!);
      await this.#storeRemote(valid, from);
    }
  }

  /** The valid entries of a chunk; the others are counted in `outcome.entriesInvalid`. */
  async #validateRemote(
    chunk: ReadonlyArray<readonly [SignedEntry, ContentStatus]>,
    outcome: SyncOutcome,
  ): Promise<ReadonlyArray<readonly [SignedEntry, ContentStatus]>> {
    const failures = await validateEntries(
      chunk.map(([entry]) => entry),
      { ...this.#remoteValidation, now: this.#now() },
    );
    const valid = chunk.filter((_, index) => failures[index] === undefined);
    outcome.entriesInvalid += chunk.length - valid.length;
    for (const [entry] of valid) outcome.headsReceived.insert(entry.entry.id.author, entry.entry.record.timestamp);
    return valid;
  }

  /**
   * Stores validated entries from a peer in one batch; the inserted ones update their authors' heads and are
   * reported as `remote-insert` events.
   */
  async #storeRemote(
    valid: ReadonlyArray<readonly [SignedEntry, ContentStatus]>,
    from: Uint8Array,
  ): Promise<PutOutcome[]> {
    const stored = await this.store.putMany(valid.map(([entry]) => entry));
    const inserted = valid.filter((_, index) => stored[index]!.inserted);
    for (const [entry] of inserted) this.#recordHead(entry);
    if (inserted.length === 0 || !this.#events.active) return stored;
    const policy = await this.store.getDownloadPolicy(this.namespace);
    for (const [entry, contentStatus] of inserted) {
      this.#events.emit({
        type: 'remote-insert',
        namespace: this.namespace,
        entry,
        from,
        contentStatus,
        shouldDownload: shouldDownload(policy, entry.entry.id.key),
      });
    }
    return stored;
  }
}

function emptyContentError(): ReplicaError {
  return new ReplicaError(REPLICA_ERROR_CODES.ENTRY_IS_EMPTY, 'cannot insert empty content; use deletePrefix to delete');
}

/** The default content status: whether the store's blob store holds the content. */
function blobStoreContentStatus(store: DocsStore): ContentStatusCallback {
  return async (entry) => ((await store.blobs.has(entry.entry.record.hash)) ? 'complete' : 'missing');
}

function maxDefined(a: bigint | undefined, b: bigint | undefined): bigint | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a > b ? a : b;
}
