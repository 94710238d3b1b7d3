import { bytesToHex, compareBytes, equalBytes, type NamespaceId } from '@docs/crypto';
import { VALIDATION_FAILURE, capabilityNamespace, readCapability, type SignedEntry } from '@docs/entry';
import {
  AuthorHeads,
  REPLICA_ERROR_CODES,
  ReplicaError,
  type ContentStatus,
  type Docs,
  type Replica,
  type ReplicaEvent,
} from '@docs/replica';
import { STORE_ERROR_CODES } from '@docs/store';
import { SYNC_ERROR_CODES, SyncError } from '../errors.js';
import { LIVE_PROTOCOL, NeighborLink, type LinkHandlers } from '../live/link.js';
import type { LiveOp } from '../live/ops.js';
import { decodeDocTicket, encodeDocTicket, type PeerAddress } from '../ticket.js';
import type { ByteStream } from '../transport/byte-stream.js';
import { unrefTimer } from '../transport/deadline.js';
import type { Listener, Transport } from '../transport/transport.js';
import { KnownPeers } from './known-peers.js';
import type { PeerAddressBook } from './peer-address-book.js';
import {
  syncAsAcceptor,
  syncAsDialer,
  type SessionOptions,
  type SyncProgress,
  type SyncStats,
} from './session.js';
import { SyncStates, type SyncClaim, type SyncOrigin, type SyncReason } from './sync-state.js';

/** The protocol name of set-reconciliation sessions: the reference's ALPN. */
export const SYNC_PROTOCOL = '/iroh-sync/1';

/** What a {@link SyncEngine} reports (the reference's `LiveEvent`, plus progress). */
export type LiveEvent =
  | { readonly type: 'insert-local'; readonly namespace: NamespaceId; readonly entry: SignedEntry }
  | {
      readonly type: 'insert-remote';
      readonly namespace: NamespaceId;
      readonly from: Uint8Array;
      readonly entry: SignedEntry;
      /** The local status of the entry's content when the event was emitted. */
      readonly contentStatus: ContentStatus;
    }
  | { readonly type: 'content-ready'; readonly namespace: NamespaceId; readonly hash: Uint8Array }
  | { readonly type: 'pending-content-ready'; readonly namespace: NamespaceId }
  | { readonly type: 'neighbor-up' | 'neighbor-down'; readonly namespace: NamespaceId; readonly peer: Uint8Array }
  | {
      /** A live-link dial to a wanted peer failed; the engine tries again after `retryInMs`. */
      readonly type: 'neighbor-unreachable';
      readonly namespace: NamespaceId;
      readonly peer: Uint8Array;
      /** Why: a `SyncError` (e.g. `DOCS_SYNC_CONNECTION_FAILED`, `DOCS_SYNC_NOT_SYNCING`) or the transport's error. */
      readonly error: unknown;
      readonly retryInMs: number;
    }
  | { readonly type: 'sync-progress'; readonly namespace: NamespaceId; readonly peer: Uint8Array; readonly progress: SyncProgress }
  | SyncFinishedEvent;

/** A sync session ended (the reference's `SyncFinished`). */
export interface SyncFinishedEvent {
  readonly type: 'sync-finished';
  /** The document. */
  readonly namespace: NamespaceId;
  /** The other node's id. */
  readonly peer: Uint8Array;
  /** Whether this node dialed (and why) or accepted. */
  readonly origin: SyncOrigin;
  /** When the session started (dialing included), in `performance.timeOrigin`-based milliseconds. */
  readonly started: number;
  /** When it ended, on the same clock. */
  readonly finished: number;
  /** The session's counters and durations, or why it failed (a remote refusal is a `RemoteAbortError`). */
  readonly result: { readonly ok: true; readonly stats: SyncStats } | { readonly ok: false; readonly error: unknown };
}

/** How a {@link SyncEngine} behaves. */
export interface SyncEngineOptions {
  /** The node's documents. */
  readonly docs: Docs;
  /**
   * Transports by address scheme, all built on the same node identity: `tcp` (addresses `tcp://host:port`), `ws`
   * (`ws://host:port/path`, also used for `wss://`), `memory` (`memory://name`).
   */
  readonly transports: Readonly<Record<string, Transport>>;
  /** Options of every sync session (frame and message limits, total timeout). */
  readonly session?: SessionOptions;
  /**
   * Idle timeout of sync sessions and live links, in milliseconds (default 30 s): a session with no traffic for
   * this long fails; a live link sends keep-alives and is dropped (then redialed) when its neighbour stays silent.
   */
  readonly idleTimeout?: number;
  /** First delay before redialing a lost neighbour, doubled up to 30 s while dials fail (default 250 ms). */
  readonly reconnectDelay?: number;
  /**
   * Where the addresses of the peers this node learned are kept across restarts (e.g. `fileAddressBook(path)` from
   * `@docs/sync-transport/address-file`), so that `startSync` can redial the store's remembered peers. Loaded
   * when the engine first needs an address, saved after changes (one save at a time, at most about one a second)
   * and on `close`. Without it, addresses are kept in memory only.
   */
  readonly addressBook?: PeerAddressBook;
  /**
   * Told when the address book fails to load (once: the engine goes on with the addresses it learns; its next save
   * replaces a book whose content was invalid, `DOCS_SYNC_ADDRESS_BOOK_INVALID`, and nothing is saved over a book
   * that could not be read for another reason) or to save (the next change or `close` saves again). Must not
   * throw. Without it, these failures are dropped.
   */
  readonly onAddressBookError?: (error: unknown) => void;
}

interface LinkSlot {
  readonly link: NeighborLink;
  /** Settles when the link has ended. */
  readonly ended: Promise<void>;
}

interface WantedContent {
  readonly hash: Uint8Array;
  /** The largest content length an entry announced for the hash: more bytes than this are refused. */
  length: bigint;
  /** Peers (hex) that said they have it. */
  readonly providers: Set<string>;
  /** Peers (hex) that did not have it or served wrong bytes: asked again only after they announce it. */
  readonly declined: Set<string>;
  /** How many times each peer (hex) announced it: an answer older than an announcement does not decline. */
  readonly announced: Map<string, number>;
  fetching: boolean;
  /** Set when a new source appeared during a fetch round: run another round. */
  again: boolean;
}

interface DocState {
  readonly namespace: NamespaceId;
  readonly replica: Replica;
  unsubscribe: () => void;
  /** Peers (hex) this node keeps a live link with: it dials them while none is up. */
  readonly peers: Map<string, PeerAddress>;
  /** The live link with each neighbour (hex), dialed or accepted: at most one per peer. */
  readonly links: Map<string, LinkSlot>;
  /** Content wanted, by hash (hex). */
  readonly wanted: Map<string, WantedContent>;
  /** Peers (hex) with a running dial loop. */
  readonly dialers: Set<string>;
  /** The replica's events are handled one after the other, so the engine's events keep their order. */
  replicaEvents: Promise<void>;
}

/** Options of {@link SyncEngine.listen}. */
export interface EngineListenOptions {
  /**
   * Told about each incoming connection the listener refused or lost before serving it: a `SyncError` such as
   * `DOCS_SYNC_HANDSHAKE_FAILED`, `DOCS_SYNC_UNKNOWN_PROTOCOL`, `DOCS_SYNC_TIMEOUT`, `DOCS_SYNC_CONNECTION_LOST` or
   * `DOCS_SYNC_NOT_SYNCING`. Must not throw.
   */
  readonly onError?: (error: unknown) => void;
}

/** Bytes of author heads in a `SyncReport`: the reference's gossip message limit is 4 KiB. */
const NEWS_HEADS_LIMIT = 4096;
const MAX_RECONNECT_DELAY = 30_000;
const DEFAULT_IDLE_TIMEOUT = 30_000;

/**
 * Keeps a node's documents in sync with peers: accepts and dials reconciliation sessions (`/iroh-sync/1`, the
 * reference's protocol and accept rules), keeps one live link with each neighbour of a document (`/docs-live/1`:
 * new entries pushed as they are written and validated like any remote entry, content fetched and verified by
 * hash), re-reconciles after every reconnect, and remembers useful peers in the store.
 */
export class SyncEngine {
  readonly #docs: Docs;
  readonly #transports: Readonly<Record<string, Transport>>;
  readonly #session: SessionOptions;
  readonly #idleTimeout: number;
  readonly #reconnectDelay: number;
  readonly #states: SyncStates;
  readonly #syncing = new Map<string, DocState>();
  /** Addresses of peers, learned from `startSync`, `syncWith`, tickets, live-link hellos and the address book. */
  readonly #knownPeers: KnownPeers;
  readonly #listeners: Listener[] = [];
  readonly #subscribers = new Set<(event: LiveEvent) => void>();
  /** Streams of running sync sessions, aborted by `close`. */
  readonly #sessions = new Set<ByteStream>();
  /** What `close` returns, to every caller; set once `close` was called. */
  #closing: Promise<void> | undefined;
  /** The node id peers see. */
  readonly localPeer: Uint8Array;

  constructor(options: SyncEngineOptions) {
    const transports = Object.values(options.transports);
    if (transports.length === 0) throw new TypeError('a sync engine needs at least one transport');
    this.localPeer = transports[0]!.localPeer;
    if (!transports.every((transport) => equalBytes(transport.localPeer, this.localPeer))) {
      throw new TypeError('all transports of an engine must use the same node identity');
    }
    this.#docs = options.docs;
    this.#transports = options.transports;
    this.#session = options.session ?? {};
    this.#idleTimeout = options.idleTimeout ?? DEFAULT_IDLE_TIMEOUT;
    this.#reconnectDelay = options.reconnectDelay ?? 250;
    if (!(this.#idleTimeout > 0) || !(this.#reconnectDelay > 0)) {
      throw new RangeError('idleTimeout and reconnectDelay must be positive numbers of milliseconds');
    }
    this.#states = new SyncStates(this.localPeer);
    const { addressBook, onAddressBookError } = options;
    if (addressBook !== undefined && (typeof addressBook.load !== 'function' || typeof addressBook.save !== 'function')) {
      throw new TypeError('addressBook must have load and save methods');
    }
    if (onAddressBookError !== undefined && typeof onAddressBookError !== 'function') {
      throw new TypeError('onAddressBookError must be a function');
    }
    this.#knownPeers = new KnownPeers(addressBook, onAddressBookError);
  }

  /** The addresses this node listens on, as peers should dial them. */
  get addresses(): string[] {
    return this.#listeners.map((listener) => listener.address);
  }

  /**
   * Subscribes to events; returns the function that unsubscribes. Listeners are called synchronously; one that
   * throws disturbs neither the engine nor other listeners (its exception is rethrown in a microtask).
   */
  on(listener: (event: LiveEvent) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    const own = (event: LiveEvent): void => listener(event);
    this.#subscribers.add(own);
    return () => {
      this.#subscribers.delete(own);
    };
  }

  /**
   * Listens on an address (`tcp://127.0.0.1:0`, `ws://127.0.0.1:0/docs`, `memory://name`) for sync sessions and
   * live links; returns the actual address (a port 0 resolved). `options.onError` is told about every incoming
   * connection refused or lost before it was served (a failed handshake, an unknown protocol, a timeout, a live
   * link for a document this node does not sync; sessions that started report through `sync-finished`); the
   * listener keeps serving either way.
   * @throws SyncError `DOCS_SYNC_INVALID_ADDRESS` (no transport for the scheme), `DOCS_SYNC_LISTEN_FAILED`,
   *   `DOCS_SYNC_CLOSED`.
   */
  async listen(address: string, options: EngineListenOptions = {}): Promise<string> {
    this.#assertOpen();
    const { scheme, transport, target } = this.#route(address);
    const handlers = new Map([
      [SYNC_PROTOCOL, (stream: ByteStream) => this.#acceptSync(stream)],
      [LIVE_PROTOCOL, (stream: ByteStream) => this.#acceptLink(stream)],
    ]);
    const onError = options.onError ?? ((): void => undefined);
    const listener = await transport.listen(target, handlers, { idleTimeout: this.#idleTimeout, onError });
    const actual = scheme === 'ws' || scheme === 'wss' ? listener.address : `${scheme}://${listener.address}`;
    if (this.#closed) {
      await listener.close();
      this.#assertOpen();
    }
    this.#listeners.push({ address: actual, close: () => listener.close() });
    return actual;
  }

  /**
   * Starts syncing a document (or adds peers to one that syncs): opens it, accepts its sessions and links, keeps a
   * live link with each of `peers` and with the remembered useful peers whose addresses are known, and
   * reconciles with each when its link comes up and again after every reconnect.
   * @throws ReplicaError `DOCS_REPLICA_NOT_FOUND` if the store does not hold the document; SyncError `DOCS_SYNC_CLOSED`.
   */
  async startSync(namespace: NamespaceId, peers: readonly PeerAddress[] = []): Promise<void> {
    this.#assertOpen();
    const state = await this.#openDoc(namespace);
    for (const peer of peers) this.#learn(peer);
    const given = new Map(peers.map((peer) => [bytesToHex(peer.id), peer]));
    const remembered = await this.#docs.store.getSyncPeers(namespace).catch(() => [] as Uint8Array[]);
    for (const id of [...peers.map((peer) => peer.id), ...remembered]) {
      const key = bytesToHex(id);
      const address = (await this.#knownPeers.get(key)) ?? given.get(key);
      if (this.#closed) return;
      if (address === undefined || address.addresses.length === 0 || equalBytes(id, this.localPeer)) continue;
      state.peers.set(key, address);
      this.#keepLinked(state, key);
    }
  }

  /**
   * Stops syncing a document: closes its live links (after what was queued on them is sent), stops dialing its
   * peers, refuses its sessions from now on, and gives back the replica handle the engine held.
   */
  async leave(namespace: NamespaceId): Promise<void> {
    const key = bytesToHex(namespace);
    const state = this.#syncing.get(key);
    if (state === undefined) return;
    this.#syncing.delete(key);
    this.#states.forget(namespace);
    state.unsubscribe();
    await Promise.all([...state.links.values()].map((slot) => slot.link.close()));
    this.#docs.close(namespace);
  }

  /**
   * Reconciles a document once with a peer and returns the session's event (also emitted). The document need
   * not be syncing here (but content is fetched only for documents this engine syncs); the peer accepts only
   * documents it syncs. If a session with the peer is running for the document, this one starts after it.
   * @throws ReplicaError `DOCS_REPLICA_NOT_FOUND` if the store does not hold the document; SyncError `DOCS_SYNC_CLOSED`.
   *   Session failures are not thrown: they are the event's `result`.
   */
  async syncWith(namespace: NamespaceId, peer: PeerAddress): Promise<SyncFinishedEvent> {
    this.#assertOpen();
    this.#learn(peer);
    const state = this.#syncing.get(bytesToHex(namespace));
    const replica = state?.replica ?? (await this.#docs.open(namespace));
    try {
      // The address first: the claim below must not be held while the address book loads.
      const address = (await this.#knownPeers.get(bytesToHex(peer.id))) ?? peer;
      let claim: SyncClaim | undefined;
      while ((claim = this.#states.tryConnect(namespace, peer.id, 'manual')) === undefined) {
        await this.#states.whenIdle(namespace, peer.id);
      }
      return await this.#dialSync(claim, replica, address);
    } finally {
      if (state === undefined) this.#docs.close(namespace);
    }
  }

  /**
   * A `doc…` ticket for a document: its read or write capability and this node's id and addresses. Starts
   * syncing the document so that the ticket's holders can reach it. Call {@link listen} first: the ticket carries
   * the addresses this node listens on, and holders cannot dial a node without one (it can still dial them).
   * @throws ReplicaError `DOCS_REPLICA_READ_ONLY` when asked for write while holding only a read capability;
   *   `DOCS_REPLICA_NOT_FOUND` if the store does not hold the document.
   */
  async share(namespace: NamespaceId, mode: 'read' | 'write'): Promise<string> {
    if (mode !== 'read' && mode !== 'write') throw new TypeError(`mode must be 'read' or 'write', got ${String(mode)}`);
    const held = await this.#docs.exportCapability(namespace);
    if (mode === 'write' && held.kind !== 'write') {
      throw new ReplicaError(REPLICA_ERROR_CODES.READ_ONLY, 'this node holds only a read capability for the document');
    }
    await this.startSync(namespace);
    const capability = mode === 'write' ? held : readCapability(namespace);
    return encodeDocTicket({ capability, nodes: [{ id: this.localPeer, addresses: this.addresses }] });
  }

  /**
   * Imports a ticket in one call: its capability (a read capability never downgrades a write one held) and its
   * peers, then starts syncing with them. Returns the document's replica, held by the engine until `leave`.
   * @throws SyncError `DOCS_SYNC_INVALID_TICKET`, `DOCS_SYNC_CLOSED`.
   */
  async importTicket(ticket: string): Promise<Replica> {
    this.#assertOpen();
    const { capability, nodes } = decodeDocTicket(ticket);
    const namespace = capabilityNamespace(capability);
    await this.#docs.importNamespace(capability);
    await this.startSync(namespace, nodes);
    return (await this.#openDoc(namespace)).replica;
  }

  /**
   * Stops listening, leaves every document, closes every link and aborts running sessions
   * (`DOCS_SYNC_CLOSED`), then saves the address book if it changed (and was loaded). Every call returns the same
   * promise. The docs and the store stay open: they belong to the caller.
   */
  close(): Promise<void> {
    // Closed from here on (`#closed`); the work starts a microtask later, so it always sees that.
    this.#closing ??= Promise.resolve().then(async () => {
      await Promise.all(this.#listeners.splice(0).map((listener) => listener.close()));
      await Promise.all([...this.#syncing.values()].map((state) => this.leave(state.namespace)));
      const closed = new SyncError(SYNC_ERROR_CODES.CLOSED, 'the sync engine was closed');
      for (const stream of this.#sessions) stream.abort(closed);
      this.#sessions.clear();
      await this.#knownPeers.close();
    });
    return this.#closing;
  }

  /** Whether `close` was called. */
  get #closed(): boolean {
    return this.#closing !== undefined;
  }

  // ---- documents ------------------------------------------------------------------------------------------

  async #openDoc(namespace: NamespaceId): Promise<DocState> {
    const key = bytesToHex(namespace);
    const existing = this.#syncing.get(key);
    if (existing !== undefined) return existing;
    const replica = await this.#docs.open(namespace);
    const raced = this.#syncing.get(key);
    if (raced !== undefined || this.#closed) {
      this.#docs.close(namespace);
      if (raced !== undefined) return raced;
      this.#assertOpen();
    }
    const state: DocState = {
      namespace: replica.namespace,
      replica,
      unsubscribe: () => undefined,
      peers: new Map(),
      links: new Map(),
      wanted: new Map(),
      dialers: new Set(),
      replicaEvents: Promise.resolve(),
    };
    state.unsubscribe = replica.on((event) => {
      state.replicaEvents = state.replicaEvents.then(() => this.#onReplicaEvent(state, event)).catch(() => undefined);
    });
    this.#syncing.set(key, state);
    return state;
  }

  #isSyncing(state: DocState): boolean {
    return !this.#closed && this.#syncing.get(bytesToHex(state.namespace)) === state;
  }

  async #onReplicaEvent(state: DocState, event: ReplicaEvent): Promise<void> {
    if (!this.#isSyncing(state)) return; // left or closed while the event was queued
    if (event.type === 'local-insert') {
      this.#emit({ type: 'insert-local', namespace: state.namespace, entry: event.entry });
      this.#broadcast(state, { type: 'put', entry: event.entry });
      return;
    }
    const { record } = event.entry.entry;
    const has = record.len === 0n || (await this.#docs.store.blobs.has(record.hash));
    this.#emit({
      type: 'insert-remote',
      namespace: state.namespace,
      from: event.from,
      entry: event.entry,
      contentStatus: has ? 'complete' : 'missing',
    });
    if (!has && event.shouldDownload) this.#want(state, record.hash, record.len, event.contentStatus === 'complete' ? event.from : undefined);
  }

  // ---- sync sessions --------------------------------------------------------------------------------------

  async #acceptSync(stream: ByteStream): Promise<void> {
    const started = now();
    const peer = stream.remotePeer;
    let namespace: Uint8Array | undefined;
    let claim: SyncClaim | undefined;
    this.#sessions.add(stream);
    try {
      const result = await syncAsAcceptor(
        stream,
        (ns, from) => {
          namespace = ns;
          const state = this.#syncing.get(bytesToHex(ns));
          if (state === undefined || this.#closed) return { reject: 'not-found' };
          const decision = this.#states.accept(ns, from);
          if ('reject' in decision) return decision;
          claim = decision.claim;
          return { replica: state.replica };
        },
        { ...this.#session, onProgress: (progress) => this.#progress(namespace, peer, progress) },
      );
      this.#finished(claim, result.namespace, peer, { kind: 'accept' }, started, { ok: true, stats: result.stats });
      await this.#afterSync(result.namespace, peer, result.outcome.headsReceived, result.stats);
    } catch (error) {
      // A refusal is not a session; neither is a stream that never named a document.
      if (namespace === undefined || claim === undefined) return;
      this.#finished(claim, namespace, peer, { kind: 'accept' }, started, { ok: false, error });
    } finally {
      this.#sessions.delete(stream);
    }
  }

  /** Dials a sync for a claimed pair, reports it, and gives the claim back. */
  async #dialSync(claim: SyncClaim, replica: Replica, peer: PeerAddress): Promise<SyncFinishedEvent> {
    const started = now();
    const { namespace, origin } = claim;
    let stream: ByteStream | undefined;
    try {
      stream = await this.#dial(peer, SYNC_PROTOCOL);
      this.#sessions.add(stream);
      if (this.#closed) stream.abort(new SyncError(SYNC_ERROR_CODES.CLOSED, 'the sync engine was closed'));
      const result = await syncAsDialer(stream, replica, {
        ...this.#session,
        onProgress: (progress) => this.#progress(namespace, peer.id, progress),
      });
      const event = this.#finished(claim, namespace, peer.id, origin, started, { ok: true, stats: result.stats });
      await this.#afterSync(namespace, peer.id, result.outcome.headsReceived, result.stats);
      return event;
    } catch (error) {
      return this.#finished(claim, namespace, peer.id, origin, started, { ok: false, error });
    } finally {
      if (stream !== undefined) this.#sessions.delete(stream);
    }
  }

  /** Dials a sync with a neighbour unless one runs for the pair (then a resync may be remembered). */
  async #syncWithNeighbor(state: DocState, peerKey: string, reason: SyncReason): Promise<void> {
    const peer = await this.#knownPeers.get(peerKey);
    if (peer === undefined || !this.#isSyncing(state)) return;
    const claim = this.#states.tryConnect(state.namespace, peer.id, reason);
    if (claim !== undefined) await this.#dialSync(claim, state.replica, peer);
  }

  async #afterSync(namespace: Uint8Array, peer: Uint8Array, heads: AuthorHeads, stats: SyncStats): Promise<void> {
    this.#knownPeers.use(peer);
    await this.#docs.store.registerUsefulPeer(namespace, peer).catch(() => undefined);
    const state = this.#syncing.get(bytesToHex(namespace));
    if (state === undefined || stats.entriesReceived === 0) return;
    this.#broadcast(state, { type: 'sync-report', namespace, heads: heads.encode(NEWS_HEADS_LIMIT) }, peer);
  }

  /** Gives the claim back (so the pair is idle when the event is seen), emits the event, and resyncs if asked. */
  #finished(
    claim: SyncClaim | undefined,
    namespace: Uint8Array,
    peer: Uint8Array,
    origin: SyncOrigin,
    started: number,
    result: SyncFinishedEvent['result'],
  ): SyncFinishedEvent {
    const resync = claim !== undefined && this.#states.finish(claim);
    const event: SyncFinishedEvent = { type: 'sync-finished', namespace, peer, origin, started, finished: now(), result };
    this.#emit(event);
    const state = this.#syncing.get(bytesToHex(namespace));
    if (resync && state !== undefined) void this.#syncWithNeighbor(state, bytesToHex(peer), 'resync');
    return event;
  }

  #progress(namespace: Uint8Array | undefined, peer: Uint8Array, progress: SyncProgress): void {
    if (namespace !== undefined) this.#emit({ type: 'sync-progress', namespace, peer, progress });
  }

  // ---- live links -----------------------------------------------------------------------------------------

  /**
   * Keeps a live link with a peer while the document syncs and the peer is wanted: dials when no link is up,
   * reconciles when the dialed link comes up, waits while a link (dialed or accepted) is up, redials with backoff.
   */
  #keepLinked(state: DocState, peerKey: string): void {
    if (state.dialers.has(peerKey)) return;
    state.dialers.add(peerKey);
    const wanted = () => this.#isSyncing(state) && state.peers.has(peerKey);
    void (async () => {
      let delay = this.#reconnectDelay;
      let reason: SyncReason = 'direct-join';
      while (wanted()) {
        const existing = state.links.get(peerKey);
        if (existing !== undefined) {
          await existing.ended;
          reason = 'reconnect';
          delay = this.#reconnectDelay;
          await sleep(delay);
          continue;
        }
        let ran = false;
        let failure: { error: unknown } | undefined;
        try {
          const address = (await this.#knownPeers.get(peerKey)) ?? state.peers.get(peerKey)!;
          const stream = await this.#dial(address, LIVE_PROTOCOL);
          const link = await NeighborLink.dial(
            stream,
            { namespace: state.namespace, addresses: this.addresses },
            this.#linkHandlers(state, stream.remotePeer),
            { idleTimeout: this.#idleTimeout },
          );
          this.#learn({ id: link.peer, addresses: link.remoteAddresses });
          const syncReason = reason;
          ran = await this.#runLink(state, link, () => void this.#syncWithNeighbor(state, peerKey, syncReason));
          if (!ran) continue; // another link with the peer is up (or the document was left): wait for it
        } catch (error) {
          // Unreachable, or the peer refused the link: try again after the backoff.
          failure = { error };
        }
        if (ran) {
          reason = 'reconnect';
          delay = this.#reconnectDelay;
        }
        if (!wanted()) break;
        const peer = state.peers.get(peerKey);
        if (failure !== undefined && peer !== undefined) {
          const { error } = failure;
          this.#emit({ type: 'neighbor-unreachable', namespace: state.namespace, peer: peer.id.slice(), error, retryInMs: delay });
        }
        await sleep(delay);
        if (!ran) delay = Math.min(delay * 2, MAX_RECONNECT_DELAY);
      }
      state.dialers.delete(peerKey);
    })();
  }

  async #acceptLink(stream: ByteStream): Promise<void> {
    let state: DocState | undefined;
    const link = await NeighborLink.accept(
      stream,
      (hello) => {
        state = this.#syncing.get(bytesToHex(hello.namespace));
        if (state === undefined || this.#closed) {
          throw new SyncError(SYNC_ERROR_CODES.NOT_SYNCING, 'this node does not sync that document');
        }
        this.#learn({ id: stream.remotePeer, addresses: hello.addresses });
        return { handlers: this.#linkHandlers(state, stream.remotePeer), addresses: this.addresses };
      },
      { idleTimeout: this.#idleTimeout },
    );
    await this.#runLink(state!, link, () => undefined);
  }

  /**
   * Runs a link until it ends. At most one link per (document, peer): of two, the one dialed by the node with the
   * greater id stays (both nodes decide the same way); a newer link from the same dialer replaces the older one.
   * Returns false at once if the link was refused.
   */
  async #runLink(state: DocState, link: NeighborLink, onUp: () => void): Promise<boolean> {
    const key = bytesToHex(link.peer);
    if (!this.#isSyncing(state)) {
      link.abort(new SyncError(SYNC_ERROR_CODES.NOT_SYNCING, 'this node left the document'));
      return false;
    }
    const existing = state.links.get(key);
    if (existing !== undefined) {
      if (!this.#prefers(link, existing.link)) {
        link.abort(new SyncError(SYNC_ERROR_CODES.CONNECTION_CLOSED, 'a live link with this peer is up already'));
        return false;
      }
      existing.link.abort(new SyncError(SYNC_ERROR_CODES.CONNECTION_CLOSED, 'replaced by a newer live link'));
    }
    let release!: () => void;
    const slot: LinkSlot = { link, ended: new Promise<void>((resolve) => (release = resolve)) };
    state.links.set(key, slot);
    this.#knownPeers.use(link.peer);
    if (existing === undefined) this.#emit({ type: 'neighbor-up', namespace: state.namespace, peer: link.peer });
    onUp();
    for (const wanted of state.wanted.values()) if (!wanted.declined.has(key)) void this.#fetch(state, wanted);
    try {
      await link.run();
    } catch {
      // The link failed or was replaced; the dial loop (if any) decides what comes next.
    } finally {
      const current = state.links.get(key);
      if (current === slot) state.links.delete(key);
      release();
      if (current === slot) this.#emit({ type: 'neighbor-down', namespace: state.namespace, peer: link.peer });
    }
    return true;
  }

  /** Whether `candidate` should replace `current`, a link with the same peer. */
  #prefers(candidate: NeighborLink, current: NeighborLink): boolean {
    const dialer = (link: NeighborLink) => (link.dialed ? this.localPeer : link.peer);
    const order = compareBytes(dialer(candidate), dialer(current));
    return order >= 0;
  }

  #linkHandlers(state: DocState, peer: Uint8Array): LinkHandlers {
    return { blobs: this.#docs.store.blobs, onOp: (op: LiveOp) => this.#onOp(state, peer, op) };
  }

  async #onOp(state: DocState, peer: Uint8Array, op: LiveOp): Promise<void> {
    if (!this.#isSyncing(state)) return;
    if (op.type === 'put') {
      try {
        // The neighbour pushed it: it holds the content if anyone does (the reference's direct-gossip rule).
        await state.replica.insertRemote(op.entry, peer, 'complete');
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === REPLICA_ERROR_CODES.NEWER_ENTRY_EXISTS) return;
        // A timestamp too far ahead may be an honest author's clock; anything else was forged or broken, and an
        // honest neighbour validates what it forwards: drop the link.
        if (code === REPLICA_ERROR_CODES.INVALID_ENTRY && (error as ReplicaError).reason === VALIDATION_FAILURE.tooFarInTheFuture) return;
        if (code === REPLICA_ERROR_CODES.INVALID_ENTRY) {
          throw new SyncError(SYNC_ERROR_CODES.PROTOCOL_VIOLATION, 'the neighbour pushed an invalid entry', { cause: error });
        }
        throw error;
      }
      this.#broadcast(state, op, peer);
    } else if (op.type === 'content-ready') {
      const wanted = state.wanted.get(bytesToHex(op.hash));
      if (wanted === undefined) return;
      const key = bytesToHex(peer);
      wanted.announced.set(key, (wanted.announced.get(key) ?? 0) + 1);
      wanted.providers.add(key);
      wanted.declined.delete(key);
      void this.#fetch(state, wanted);
    } else if (equalBytes(op.namespace, state.namespace)) {
      try {
        AuthorHeads.decode(op.heads);
      } catch (error) {
        throw new SyncError(SYNC_ERROR_CODES.MALFORMED_MESSAGE, 'malformed author heads in a sync report', { cause: error });
      }
      // The neighbour got entries by reconciliation, which are not pushed live. Its heads cannot tell whether
      // we miss any (live pushes of an author may have arrived ahead of that author's reconciled entries), so
      // reconcile with it: one round trip when nothing differs.
      const key = bytesToHex(peer);
      if ((await this.#knownPeers.get(key)) !== undefined) {
        void this.#syncWithNeighbor(state, key, 'sync-report');
        return;
      }
      // We cannot dial it (it dialed us and gave no address): answer with our heads so that it dials us. Only the
      // accepting side answers, so answers never bounce.
      const slot = state.links.get(key);
      if (slot !== undefined && !slot.link.dialed) {
        slot.link.sendOp({ type: 'sync-report', namespace: state.namespace, heads: await this.#ownHeads(state) }).catch(() => undefined);
      }
    }
  }

  async #ownHeads(state: DocState): Promise<Uint8Array> {
    const latest = await this.#docs.store.latestPerAuthor(state.namespace);
    return AuthorHeads.from(latest.map((head) => [head.author, head.timestamp] as const)).encode(NEWS_HEADS_LIMIT);
  }

  #broadcast(state: DocState, op: LiveOp, except?: Uint8Array): void {
    for (const { link } of state.links.values()) {
      if (except !== undefined && equalBytes(link.peer, except)) continue;
      link.sendOp(op).catch(() => undefined);
    }
  }

  // ---- content --------------------------------------------------------------------------------------------

  #want(state: DocState, hash: Uint8Array, length: bigint, provider: Uint8Array | undefined): void {
    const key = bytesToHex(hash);
    let wanted = state.wanted.get(key);
    if (wanted === undefined) {
      wanted = { hash, length, providers: new Set(), declined: new Set(), announced: new Map(), fetching: false, again: false };
      state.wanted.set(key, wanted);
    } else if (length > wanted.length) {
      wanted.length = length;
    }
    if (provider !== undefined) {
      wanted.providers.add(bytesToHex(provider));
      wanted.declined.delete(bytesToHex(provider));
    }
    void this.#fetch(state, wanted);
  }

  /**
   * Fetches wanted content from linked neighbours — those that said they have it first, then the others — until
   * one serves bytes that hash right. A neighbour that does not have it, or serves wrong or too many bytes, is
   * not asked again until it announces the content; one whose link fails stays a provider for its next link.
   * Never rejects: when the store fails (closed under it), the round ends and the content stays wanted.
   */
  async #fetch(state: DocState, wanted: WantedContent): Promise<void> {
    if (wanted.fetching) {
      wanted.again = true;
      return;
    }
    wanted.fetching = true;
    const key = bytesToHex(wanted.hash);
    try {
      do {
        wanted.again = false;
        if (await this.#docs.store.blobs.has(wanted.hash)) return this.#contentReady(state, key, wanted);
        const linked = [...state.links.keys()].filter((peer) => !wanted.declined.has(peer));
        const order = [...linked.filter((peer) => wanted.providers.has(peer)), ...linked.filter((peer) => !wanted.providers.has(peer))];
        for (const peer of order) {
          const slot = state.links.get(peer);
          if (slot === undefined || !this.#isSyncing(state)) continue;
          const announcements = wanted.announced.get(peer) ?? 0;
          try {
            if ((await slot.link.fetch(wanted.hash, wanted.length)) !== undefined) return this.#contentReady(state, key, wanted);
          } catch (error) {
            if (!isContentFault(error)) continue; // the link failed: ask again on its next link
          }
          if ((wanted.announced.get(peer) ?? 0) !== announcements) {
            wanted.again = true; // it announced the content while answering: ask again
            continue;
          }
          wanted.declined.add(peer);
          wanted.providers.delete(peer);
        }
      } while (wanted.again && this.#isSyncing(state));
    } catch {
      // The store failed: nothing to report here; the next announcement or link starts another round.
    } finally {
      wanted.fetching = false;
    }
  }

  #contentReady(state: DocState, key: string, wanted: WantedContent): void {
    if (state.wanted.get(key) !== wanted) return;
    state.wanted.delete(key);
    this.#emit({ type: 'content-ready', namespace: state.namespace, hash: wanted.hash });
    this.#broadcast(state, { type: 'content-ready', hash: wanted.hash });
    if (state.wanted.size === 0) this.#emit({ type: 'pending-content-ready', namespace: state.namespace });
  }

  // ---- plumbing -------------------------------------------------------------------------------------------

  /** Remembers a peer's addresses (see {@link KnownPeers.learn}). */
  #learn(peer: PeerAddress): void {
    if (peer.id.length !== 32) throw new RangeError('a peer id has 32 bytes');
    this.#knownPeers.learn(peer);
  }

  async #dial(peer: PeerAddress, protocol: string): Promise<ByteStream> {
    let failure: unknown = new SyncError(SYNC_ERROR_CODES.CONNECTION_FAILED, 'the peer has no address this node can dial');
    // Newest first: a peer that listens on a new port after a restart is reached without trying the old ones.
    for (const address of [...peer.addresses].reverse()) {
      try {
        const route = this.#route(address);
        return await route.transport.dial(route.target, protocol, { expectedPeer: peer.id, idleTimeout: this.#idleTimeout });
      } catch (error) {
        failure = error;
      }
    }
    throw failure;
  }

  #route(address: string): { scheme: string; transport: Transport; target: string } {
    const match = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(address);
    const scheme = match?.[1]?.toLowerCase();
    const transport = scheme === undefined ? undefined : this.#transports[scheme === 'wss' ? 'ws' : scheme];
    if (match === null || scheme === undefined || transport === undefined) {
      throw new SyncError(SYNC_ERROR_CODES.INVALID_ADDRESS, `no transport for the address ${JSON.stringify(address)}`);
    }
    return { scheme, transport, target: scheme === 'ws' || scheme === 'wss' ? address : match[2]! };
  }

  #emit(event: LiveEvent): void {
    for (const subscriber of this.#subscribers) {
      try {
        subscriber(event);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new SyncError(SYNC_ERROR_CODES.CLOSED, 'the sync engine is closed');
  }
}

/** Whether a fetch failed because of what the neighbour served (not because the link failed). */
function isContentFault(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  return code === STORE_ERROR_CODES.CONTENT_MISMATCH || code === SYNC_ERROR_CODES.CONTENT_UNAVAILABLE;
}

function now(): number {
  return performance.timeOrigin + performance.now();
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => unrefTimer(setTimeout(resolve, milliseconds)));
}
