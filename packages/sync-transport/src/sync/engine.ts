import { bytesToHex, equalBytes, type NamespaceId } from '@docs/crypto';
import { capabilityNamespace, readCapability, type SignedEntry } from '@docs/entry';
import { AuthorHeads, REPLICA_ERROR_CODES, type ContentStatus, type Docs, type Replica, type ReplicaEvent } from '@docs/replica';
import { SYNC_ERROR_CODES, SyncError } from '../errors.js';
import { LIVE_PROTOCOL, NeighborLink } from '../live/link.js';
import type { LiveOp } from '../live/ops.js';
import { decodeDocTicket, encodeDocTicket, type PeerAddress } from '../ticket.js';
import type { ByteStream } from '../transport/byte-stream.js';
import type { Listener, Transport } from '../transport/transport.js';
import { syncAsAcceptor, syncAsDialer, type SessionOptions, type SyncProgress, type SyncStats } from './session.js';
import { SyncStates, type SyncOrigin, type SyncReason } from './sync-state.js';

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
  | { readonly type: 'sync-progress'; readonly namespace: NamespaceId; readonly peer: Uint8Array; readonly progress: SyncProgress }
  | SyncFinishedEvent;

/** A sync session ended. */
export interface SyncFinishedEvent {
  readonly type: 'sync-finished';
  readonly namespace: NamespaceId;
  readonly peer: Uint8Array;
  readonly origin: SyncOrigin;
  /** `performance.timeOrigin`-based milliseconds. */
  readonly started: number;
  readonly finished: number;
  readonly result: { readonly ok: true; readonly stats: SyncStats } | { readonly ok: false; readonly error: unknown };
}

/** How a {@link SyncEngine} behaves. */
export interface SyncEngineOptions {
  /** The node's documents. */
  readonly docs: Docs;
  /**
   * Transports by address scheme, all built on the same node identity: `tcp` (addresses `tcp://host:port`), `ws`
   * (`ws://host:port/path`), `memory` (`memory://name`).
   */
  readonly transports: Readonly<Record<string, Transport>>;
  /** Options of every sync session (frame and message limits, total timeout). */
  readonly session?: SessionOptions;
  /** Idle timeout of sync sessions, in milliseconds (default 30 s). */
  readonly idleTimeout?: number;
  /** First delay before redialing a lost neighbour, doubled up to 30 s (default 250 ms). */
  readonly reconnectDelay?: number;
}

interface DocState {
  readonly namespace: NamespaceId;
  readonly replica: Replica;
  unsubscribe: () => void;
  /** Peers this node keeps a live link with (it dials them). */
  readonly peers: Map<string, PeerAddress>;
  readonly links: Map<string, NeighborLink>;
  /** Content wanted, by hash: who is known to have it. */
  readonly wanted: Map<string, { readonly hash: Uint8Array; readonly providers: Set<string>; fetching: boolean }>;
  readonly dialers: Set<string>;
}

const NEWS_HEADS_LIMIT = 4096;

/**
 * Keeps a node's documents in sync with peers: accepts and dials reconciliation sessions (`/iroh-sync/1`, the
 * reference's protocol and accept rules), keeps a live link with each neighbour of a document (`/docs-live/1`:
 * new entries pushed as they are written, validated like any remote entry, content fetched and verified by
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
  /** Addresses of peers, learned from `startSync`, tickets and live-link hellos. */
  readonly #addressBook = new Map<string, PeerAddress>();
  readonly #listeners: Listener[] = [];
  readonly #subscribers = new Set<(event: LiveEvent) => void>();
  #closed = false;
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
    this.#idleTimeout = options.idleTimeout ?? 30_000;
    this.#reconnectDelay = options.reconnectDelay ?? 250;
    this.#states = new SyncStates(this.localPeer);
  }

  /** The addresses this node listens on, as peers should dial them. */
  get addresses(): string[] {
    return this.#listeners.map((listener) => listener.address);
  }

  /** Subscribes to events; returns the function that unsubscribes. */
  on(listener: (event: LiveEvent) => void): () => void {
    this.#subscribers.add(listener);
    return () => this.#subscribers.delete(listener);
  }

  /** Listens on an address (`tcp://127.0.0.1:0`, `ws://127.0.0.1:0/docs`, `memory://name`); returns the actual one. */
  async listen(address: string): Promise<string> {
    this.#assertOpen();
    const { scheme, transport, target } = this.#route(address);
    const handlers = new Map([
      [SYNC_PROTOCOL, (stream: ByteStream) => this.#acceptSync(stream)],
      [LIVE_PROTOCOL, (stream: ByteStream) => this.#acceptLink(stream)],
    ]);
    const listener = await transport.listen(target, handlers, { idleTimeout: this.#idleTimeout, onError: () => undefined });
    const actual = scheme === 'ws' || scheme === 'wss' ? listener.address : `${scheme}://${listener.address}`;
    this.#listeners.push({ address: actual, close: () => listener.close() });
    return actual;
  }

  /**
   * Starts syncing a document: opens it, keeps live links with `peers` (and remembered useful peers whose
   * addresses are known), reconciles with each on connect and reconnect, and accepts their sessions.
   */
  async startSync(namespace: NamespaceId, peers: readonly PeerAddress[] = []): Promise<void> {
    this.#assertOpen();
    const state = await this.#openDoc(namespace);
    for (const peer of peers) this.#learn(peer);
    const remembered = await this.#docs.store.getSyncPeers(namespace).catch(() => [] as Uint8Array[]);
    const candidates = [...peers.map((peer) => peer.id), ...remembered];
    for (const id of candidates) {
      const address = this.#addressBook.get(bytesToHex(id));
      if (address === undefined || equalBytes(id, this.localPeer)) continue;
      state.peers.set(bytesToHex(id), address);
      this.#keepLinked(state, address);
    }
  }

  /** Stops syncing a document: closes its links and the replica handle the engine held. */
  async leave(namespace: NamespaceId): Promise<void> {
    const key = bytesToHex(namespace);
    const state = this.#syncing.get(key);
    if (state === undefined) return;
    this.#syncing.delete(key);
    this.#states.forget(namespace);
    state.unsubscribe();
    await Promise.all([...state.links.values()].map((link) => link.close()));
    this.#docs.close(namespace);
  }

  /**
   * Reconciles a document once with a peer and returns the session's event. The document need not be syncing
   * (the peer accepts only documents it syncs).
   */
  async syncWith(namespace: NamespaceId, peer: PeerAddress): Promise<SyncFinishedEvent> {
    this.#assertOpen();
    this.#learn(peer);
    const state = this.#syncing.get(bytesToHex(namespace));
    const replica = state?.replica ?? (await this.#docs.open(namespace));
    try {
      return await this.#dialSync(namespace, replica, peer, 'manual');
    } finally {
      if (state === undefined) this.#docs.close(namespace);
    }
  }

  /** A `doc…` ticket for a document: its read or write capability and this node's addresses. Starts syncing it. */
  async share(namespace: NamespaceId, mode: 'read' | 'write'): Promise<string> {
    const capability = mode === 'write' ? await this.#docs.exportCapability(namespace) : readCapability(namespace);
    if (mode === 'write' && capability.kind !== 'write') {
      throw new SyncError(SYNC_ERROR_CODES.NOT_SYNCING, 'this node holds only a read capability for the document');
    }
    await this.startSync(namespace);
    return encodeDocTicket({ capability, nodes: [{ id: this.localPeer, addresses: this.addresses }] });
  }

  /** Imports a ticket's capability and starts syncing with its peers; returns the document's replica. */
  async importTicket(ticket: string): Promise<Replica> {
    const { capability, nodes } = decodeDocTicket(ticket);
    const namespace = capabilityNamespace(capability);
    await this.#docs.importNamespace(capability);
    await this.startSync(namespace, nodes);
    return this.#syncing.get(bytesToHex(namespace))!.replica;
  }

  /** Stops listening, leaves every document and closes every link. The docs and store stay open. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#listeners.splice(0).map((listener) => listener.close()));
    await Promise.all([...this.#syncing.values()].map((state) => this.leave(state.namespace)));
  }

  // ---- documents ------------------------------------------------------------------------------------------

  async #openDoc(namespace: NamespaceId): Promise<DocState> {
    const key = bytesToHex(namespace);
    const existing = this.#syncing.get(key);
    if (existing !== undefined) return existing;
    const replica = await this.#docs.open(namespace);
    const raced = this.#syncing.get(key);
    if (raced !== undefined) {
      this.#docs.close(namespace);
      return raced;
    }
    const state: DocState = {
      namespace: replica.namespace,
      replica,
      unsubscribe: () => undefined,
      peers: new Map(),
      links: new Map(),
      wanted: new Map(),
      dialers: new Set(),
    };
    state.unsubscribe = replica.on((event) => void this.#onReplicaEvent(state, event).catch(() => undefined));
    this.#syncing.set(key, state);
    return state;
  }

  async #onReplicaEvent(state: DocState, event: ReplicaEvent): Promise<void> {
    if (event.type === 'local-insert') {
      this.#emit({ type: 'insert-local', namespace: state.namespace, entry: event.entry });
      this.#broadcast(state, { type: 'put', entry: event.entry });
      return;
    }
    const hash = event.entry.entry.record.hash;
    const has = await this.#docs.store.blobs.has(hash);
    this.#emit({
      type: 'insert-remote',
      namespace: state.namespace,
      from: event.from,
      entry: event.entry,
      contentStatus: has ? 'complete' : 'missing',
    });
    if (!has && event.shouldDownload && event.entry.entry.record.len > 0n) {
      this.#want(state, hash, event.contentStatus === 'complete' ? event.from : undefined);
    }
  }

  // ---- sync sessions --------------------------------------------------------------------------------------

  async #acceptSync(stream: ByteStream): Promise<void> {
    const started = now();
    let namespace: Uint8Array | undefined;
    try {
      const result = await syncAsAcceptor(
        stream,
        (ns, peer) => {
          namespace = ns;
          const state = this.#syncing.get(bytesToHex(ns));
          if (state === undefined) return { reject: 'not-found' };
          const refusal = this.#states.accept(ns, peer);
          return refusal === undefined ? { replica: state.replica } : { reject: refusal };
        },
        { ...this.#session, onProgress: (progress) => this.#progress(namespace, stream.remotePeer, progress) },
      );
      this.#finished(result.namespace, stream.remotePeer, { kind: 'accept' }, started, { ok: true, stats: result.stats });
      await this.#afterSync(result.namespace, stream.remotePeer, result.outcome.headsReceived, result.stats);
    } catch (error) {
      if (namespace === undefined || (error instanceof SyncError && error.code === SYNC_ERROR_CODES.REJECTED)) return;
      this.#finished(namespace, stream.remotePeer, { kind: 'accept' }, started, { ok: false, error });
    }
  }

  async #dialSync(namespace: NamespaceId, replica: Replica, peer: PeerAddress, reason: SyncReason): Promise<SyncFinishedEvent> {
    const started = now();
    const origin: SyncOrigin = { kind: 'connect', reason };
    try {
      const stream = await this.#dial(peer, SYNC_PROTOCOL);
      const result = await syncAsDialer(stream, replica, {
        ...this.#session,
        onProgress: (progress) => this.#progress(namespace, peer.id, progress),
      });
      const event = this.#finished(namespace, peer.id, origin, started, { ok: true, stats: result.stats });
      await this.#afterSync(namespace, peer.id, result.outcome.headsReceived, result.stats);
      return event;
    } catch (error) {
      return this.#finished(namespace, peer.id, origin, started, { ok: false, error });
    }
  }

  /** Dials a sync with a neighbour unless one is running for the pair; runs again if a resync was asked meanwhile. */
  async #syncWithNeighbor(state: DocState, peer: PeerAddress, reason: SyncReason): Promise<void> {
    let current = reason;
    while (this.#syncing.get(bytesToHex(state.namespace)) === state && this.#states.tryConnect(state.namespace, peer.id, current)) {
      await this.#dialSync(state.namespace, state.replica, peer, current);
      const again = this.#states.finish(state.namespace, peer.id, { kind: 'connect', reason: current });
      if (!again) return;
      current = 'resync';
    }
  }

  async #afterSync(namespace: Uint8Array, peer: Uint8Array, heads: AuthorHeads, stats: SyncStats): Promise<void> {
    const state = this.#syncing.get(bytesToHex(namespace));
    await this.#docs.store.registerUsefulPeer(namespace, peer).catch(() => undefined);
    if (state === undefined || stats.entriesReceived === 0) return;
    this.#broadcast(state, { type: 'sync-report', namespace, heads: heads.encode(NEWS_HEADS_LIMIT) }, peer);
  }

  #finished(
    namespace: Uint8Array,
    peer: Uint8Array,
    origin: SyncOrigin,
    started: number,
    result: SyncFinishedEvent['result'],
  ): SyncFinishedEvent {
    if (origin.kind === 'accept') this.#states.finish(namespace, peer, origin);
    const event: SyncFinishedEvent = { type: 'sync-finished', namespace, peer, origin, started, finished: now(), result };
    this.#emit(event);
    return event;
  }

  #progress(namespace: Uint8Array | undefined, peer: Uint8Array, progress: SyncProgress): void {
    if (namespace !== undefined) this.#emit({ type: 'sync-progress', namespace, peer, progress });
  }

  // ---- live links -----------------------------------------------------------------------------------------

  /** Keeps a live link with a peer while the document syncs: dial, reconcile, read, and redial with backoff. */
  #keepLinked(state: DocState, peer: PeerAddress): void {
    const key = bytesToHex(peer.id);
    if (state.dialers.has(key)) return;
    state.dialers.add(key);
    void (async () => {
      let delay = this.#reconnectDelay;
      let reason: SyncReason = 'direct-join';
      while (!this.#closed && this.#syncing.get(bytesToHex(state.namespace)) === state && state.peers.has(key)) {
        try {
          const stream = await this.#dial(peer, LIVE_PROTOCOL);
          const link = await NeighborLink.dial(stream, { namespace: state.namespace, addresses: this.addresses }, this.#linkHandlers(state, peer.id));
          delay = this.#reconnectDelay;
          await this.#runLink(state, link, () => void this.#syncWithNeighbor(state, peer, reason));
          reason = 'reconnect';
        } catch {
          // Unreachable or refused: try again after the backoff.
        }
        await sleep(delay);
        delay = Math.min(delay * 2, 30_000);
      }
      state.dialers.delete(key);
    })();
  }

  async #acceptLink(stream: ByteStream): Promise<void> {
    const hello = await NeighborLink.readHello(stream);
    const state = this.#syncing.get(bytesToHex(hello.namespace));
    if (state === undefined) {
      stream.abort(new SyncError(SYNC_ERROR_CODES.NOT_SYNCING, 'this node does not sync that document'));
      return;
    }
    if (hello.addresses.length > 0) this.#learn({ id: stream.remotePeer, addresses: hello.addresses });
    const link = new NeighborLink(stream, state.namespace, this.#linkHandlers(state, stream.remotePeer));
    await this.#runLink(state, link, () => undefined).catch(() => undefined);
  }

  async #runLink(state: DocState, link: NeighborLink, onUp: () => void): Promise<void> {
    const key = bytesToHex(link.peer);
    state.links.get(key)?.abort();
    state.links.set(key, link);
    this.#emit({ type: 'neighbor-up', namespace: state.namespace, peer: link.peer });
    onUp();
    for (const wanted of state.wanted.values()) if (wanted.providers.has(key)) void this.#fetch(state, wanted.hash);
    try {
      await link.run();
    } finally {
      if (state.links.get(key) === link) state.links.delete(key);
      this.#emit({ type: 'neighbor-down', namespace: state.namespace, peer: link.peer });
    }
  }

  #linkHandlers(state: DocState, peer: Uint8Array) {
    return { blobs: this.#docs.store.blobs, onOp: (op: LiveOp) => this.#onOp(state, peer, op) };
  }

  async #onOp(state: DocState, peer: Uint8Array, op: LiveOp): Promise<void> {
    if (op.type === 'put') {
      try {
        await state.replica.insertRemote(op.entry, peer, 'complete');
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === REPLICA_ERROR_CODES.NEWER_ENTRY_EXISTS || code === REPLICA_ERROR_CODES.INVALID_ENTRY) return;
        throw error;
      }
      this.#broadcast(state, op, peer);
    } else if (op.type === 'content-ready') {
      const wanted = state.wanted.get(bytesToHex(op.hash));
      if (wanted === undefined) return;
      wanted.providers.add(bytesToHex(peer));
      void this.#fetch(state, op.hash);
    } else if (equalBytes(op.namespace, state.namespace)) {
      const theirs = AuthorHeads.decode(op.heads);
      const ours = AuthorHeads.from(
        (await this.#docs.store.latestPerAuthor(state.namespace)).map((latest) => [latest.author, latest.timestamp] as const),
      );
      const address = this.#addressBook.get(bytesToHex(peer));
      if (theirs.hasNewsFor(ours) > 0 && address !== undefined) void this.#syncWithNeighbor(state, address, 'sync-report');
    }
  }

  #broadcast(state: DocState, op: LiveOp, except?: Uint8Array): void {
    for (const link of state.links.values()) {
      if (except !== undefined && equalBytes(link.peer, except)) continue;
      link.sendOp(op).catch(() => undefined);
    }
  }

  // ---- content --------------------------------------------------------------------------------------------

  #want(state: DocState, hash: Uint8Array, provider: Uint8Array | undefined): void {
    const key = bytesToHex(hash);
    let wanted = state.wanted.get(key);
    if (wanted === undefined) {
      wanted = { hash, providers: new Set(), fetching: false };
      state.wanted.set(key, wanted);
    }
    if (provider !== undefined) wanted.providers.add(bytesToHex(provider));
    void this.#fetch(state, hash);
  }

  /** Fetches wanted content from the linked providers, one after the other, until one serves the right bytes. */
  async #fetch(state: DocState, hash: Uint8Array): Promise<void> {
    const key = bytesToHex(hash);
    const wanted = state.wanted.get(key);
    if (wanted === undefined || wanted.fetching) return;
    wanted.fetching = true;
    try {
      for (const provider of [...wanted.providers]) {
        const link = state.links.get(provider);
        if (link === undefined) continue;
        try {
          if ((await link.fetch(hash)) !== undefined) {
            state.wanted.delete(key);
            this.#emit({ type: 'content-ready', namespace: state.namespace, hash });
            this.#broadcast(state, { type: 'content-ready', hash });
            if (state.wanted.size === 0) this.#emit({ type: 'pending-content-ready', namespace: state.namespace });
            return;
          }
        } catch {
          // Wrong bytes (never stored) or a lost link: try the next provider.
        }
        wanted.providers.delete(provider);
      }
    } finally {
      wanted.fetching = false;
    }
  }

  // ---- plumbing -------------------------------------------------------------------------------------------

  #learn(peer: PeerAddress): void {
    if (peer.addresses.length > 0) this.#addressBook.set(bytesToHex(peer.id), peer);
  }

  async #dial(peer: PeerAddress, protocol: string): Promise<ByteStream> {
    let failure: unknown = new SyncError(SYNC_ERROR_CODES.CONNECTION_FAILED, 'the peer has no address this node can dial');
    for (const address of peer.addresses) {
      let route;
      try {
        route = this.#route(address);
      } catch (error) {
        failure = error;
        continue;
      }
      try {
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
    for (const subscriber of this.#subscribers) subscriber(event);
  }

  #assertOpen(): void {
    if (this.#closed) throw new SyncError(SYNC_ERROR_CODES.CLOSED, 'the sync engine is closed');
  }
}

function now(): number {
  return performance.timeOrigin + performance.now();
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, milliseconds);
    (timer as { unref?: () => void }).unref?.();
  });
}
