import { bytesToHex, equalBytes, hexToBytes, idToString, type Author } from '@docs/crypto';
import type { SignedEntry } from '@docs/entry';
import { Docs, type Replica } from '@docs/replica';
import { LevelStore } from '@docs/store-level';
import {
  NodeSecret,
  SyncEngine,
  decodeDocTicket,
  webSocketTransport,
  type LiveEvent,
  type PeerAddress,
} from '@docs/sync-transport';
import { BrowserLevel } from 'browser-level';
import { loadPeer, parsePeerAddress, savePeer, type SavedPeer } from './peer-address.js';
import { storageAddressBook } from './storage-address-book.js';

/** One entry of the open document, as the page shows it. */
export interface Note {
  /** The entry key as text (keys are bytes; anything not UTF-8 shows with replacement characters). */
  readonly key: string;
  /** The key bytes as hex: stable, and what `remove` takes. */
  readonly keyHex: string;
  /** The content as text, or undefined while it is still being fetched from a peer. */
  readonly text: string | undefined;
  /** The author's id (hex). */
  readonly author: string;
  /** True if this page's author wrote it. */
  readonly mine: boolean;
  /** Microseconds since the Unix epoch. */
  readonly timestamp: bigint;
}

/** What the page shows about the document and its peers. */
export interface NotesStatus {
  /** The open document's id (hex), if any. */
  readonly document: string | undefined;
  /** Whether this page can write to it. */
  readonly writable: boolean;
  /** Peers (node ids, hex) with a live link right now. */
  readonly connected: readonly string[];
  /** The peers this page dials for the document. */
  readonly peers: readonly PeerAddress[];
}

/** What the page remembers between loads (in `localStorage`): the open document and the peers to dial. */
interface SavedState {
  readonly document: string;
  readonly peers: readonly SavedPeer[];
}

/** Keys written by the page: `notes/<time>-<random>`, so that notes sort by creation. */
const NOTE_PREFIX = 'notes/';
/** The most entries the page lists. */
const MAX_NOTES = 500;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The shared-notes node of a page: a @docs store on IndexedDB (store-level on browser-level), one open document,
 * and a sync engine that dials Node peers over WebSocket. Documents come from Node peers, by ticket: a browser
 * cannot be dialled, so a document created here could never reach a peer. Entries and content persist in
 * IndexedDB; the open document, its peers and the engine's peer address book in `localStorage`, so that a reload
 * resumes where the page was.
 */
export class SharedNotes {
  readonly #store: LevelStore;
  readonly #docs: Docs;
  readonly #engine: SyncEngine;
  readonly #author: Author;
  readonly #stateKey: string;
  readonly #listeners = new Set<() => void>();
  readonly #connected = new Set<string>();
  #replica: Replica | undefined;
  #peers: PeerAddress[] = [];

  private constructor(store: LevelStore, docs: Docs, engine: SyncEngine, author: Author, stateKey: string) {
    this.#store = store;
    this.#docs = docs;
    this.#engine = engine;
    this.#author = author;
    this.#stateKey = stateKey;
    engine.on((event) => this.#onEvent(event));
  }

  /**
   * Opens the page's node on the IndexedDB database `name` and reopens the document it had open, if any. The
   * author is the store's first (created on first use), so it stays the same across reloads; the node id is new
   * on every load (a browser cannot be dialled, so peers never need to find it again). The engine keeps the
   * addresses of the peers it learns in `localStorage` (see {@link storageAddressBook}), so that a reload redials
   * the document's remembered peers too; a book it cannot read or save is a warning on the console.
   */
  static async open(name: string): Promise<SharedNotes> {
    const store = await LevelStore.open({ db: new BrowserLevel(name) });
    const docs = new Docs(store);
    const author = await docs.defaultAuthor();
    const engine = new SyncEngine({
      docs,
      transports: { ws: webSocketTransport(NodeSecret.generate()) },
      addressBook: storageAddressBook(localStorage, `${name}:peer-addresses`),
      onAddressBookError: (error) => console.warn('shared notes: peer address book:', error),
    });
    const notes = new SharedNotes(store, docs, engine, author, `${name}:open-document`);
    await notes.#resume();
    return notes;
  }

  /** This page's author id (hex). */
  get author(): string {
    return bytesToHex(this.#author.id);
  }

  /** This page's node id (base32, as peers print node ids). */
  get nodeId(): string {
    return idToString(this.#engine.localPeer, 'base32');
  }

  /** The open document, its peers and which of them are linked. */
  get status(): NotesStatus {
    return {
      document: this.#replica === undefined ? undefined : bytesToHex(this.#replica.namespace),
      writable: this.#replica?.capability.kind === 'write',
      connected: [...this.#connected],
      peers: [...this.#peers],
    };
  }

  /** Calls `listener` whenever the notes or the status may have changed; returns the function that unsubscribes. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Joins a document from a `doc…` ticket (as `docs doc share` prints it) and syncs with the peers it names. */
  async join(ticket: string): Promise<void> {
    const text = ticket.trim();
    // Peers without an address (another browser, say) cannot be dialled; the rest are kept for the next load.
    const peers = decodeDocTicket(text).nodes.filter((peer) => peer.addresses.length > 0);
    const { namespace } = await this.#engine.importTicket(text);
    await this.#switchTo(await this.#docs.open(namespace), peers);
  }

  /**
   * Adds a Node peer (`<node-id>@ws://host:port/docs`) to sync the open document with: another node that holds
   * the document too (it accepts syncs only for documents it has).
   */
  async connect(peerText: string): Promise<void> {
    const replica = this.#requireReplica();
    const peer = parsePeerAddress(peerText);
    this.#peers = [...this.#peers.filter((known) => !equalBytes(known.id, peer.id)), peer];
    await this.#engine.startSync(replica.namespace, [peer]);
    this.#save();
    this.#changed();
  }

  /** Adds a note; its content goes into the store's blobs and syncs to peers with the entry. */
  async add(text: string): Promise<void> {
    if (text.trim() === '') throw new TypeError('a note needs some text');
    const key = `${NOTE_PREFIX}${Date.now().toString(36).padStart(9, '0')}-${Math.random().toString(36).slice(2, 8)}`;
    await this.#requireReplica().setBytes(encoder.encode(key), this.#author, encoder.encode(text));
  }

  /**
   * Deletes an entry (by its key in hex) for everyone: writes this author's tombstone at the key, which is newer
   * than every value there, so the key's latest entry is empty and it disappears from every replica's listing.
   */
  async remove(keyHex: string): Promise<void> {
    await this.#requireReplica().deletePrefix(hexToBytes(keyHex), this.#author);
  }

  /** The open document's entries: per key the latest (tombstones hidden), in key order, with their content. */
  async list(): Promise<Note[]> {
    const replica = this.#replica;
    if (replica === undefined) return [];
    const notes: Note[] = [];
    for await (const signed of replica.query({ kind: 'single-latest-per-key', limit: MAX_NOTES })) {
      notes.push(await this.#noteOf(signed));
    }
    return notes;
  }

  /** Stops syncing and closes the store. */
  async close(): Promise<void> {
    await this.#engine.close();
    this.#docs.closeAll();
    await this.#store.close();
  }

  async #noteOf(signed: SignedEntry): Promise<Note> {
    const { id, record } = signed.entry;
    const content = await this.#store.blobs.get(record.hash);
    return {
      key: decoder.decode(id.key),
      keyHex: bytesToHex(id.key),
      text: content === undefined ? undefined : decoder.decode(content),
      author: bytesToHex(id.author),
      mine: equalBytes(id.author, this.#author.id),
      timestamp: record.timestamp,
    };
  }

  async #resume(): Promise<void> {
    const saved = this.#load();
    if (saved === undefined) return;
    const namespace = hexToBytes(saved.document);
    const known = await this.#store.getCapability(namespace);
    if (known === undefined) return;
    const peers = saved.peers.map(loadPeer);
    await this.#engine.startSync(namespace, peers);
    this.#replica = await this.#docs.open(namespace);
    this.#peers = peers;
  }

  /**
   * Makes `replica` the open document and remembers the choice. The page holds one `Docs` handle of the open
   * document and the engine another; switching leaves the previous document (both handles).
   */
  async #switchTo(replica: Replica, peers: readonly PeerAddress[]): Promise<void> {
    const previous = this.#replica;
    if (previous !== undefined && equalBytes(previous.namespace, replica.namespace)) {
      this.#docs.close(replica.namespace); // the same document again: give back the extra handle
    } else if (previous !== undefined) {
      await this.#engine.leave(previous.namespace);
      this.#docs.close(previous.namespace);
      this.#connected.clear();
    }
    this.#replica = replica;
    this.#peers = [...peers];
    this.#save();
    this.#changed();
  }

  #onEvent(event: LiveEvent): void {
    if (this.#replica === undefined || !equalBytes(event.namespace, this.#replica.namespace)) return;
    if (event.type === 'neighbor-up') this.#connected.add(bytesToHex(event.peer));
    else if (event.type === 'neighbor-down') this.#connected.delete(bytesToHex(event.peer));
    else if (event.type === 'sync-progress') return;
    this.#changed();
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }

  #requireReplica(): Replica {
    if (this.#replica === undefined) throw new TypeError('join a document first, with a ticket from `docs doc share`');
    return this.#replica;
  }

  #save(): void {
    if (this.#replica === undefined) return;
    const state: SavedState = { document: bytesToHex(this.#replica.namespace), peers: this.#peers.map(savePeer) };
    localStorage.setItem(this.#stateKey, JSON.stringify(state));
  }

  #load(): SavedState | undefined {
    const text = localStorage.getItem(this.#stateKey);
    if (text === null) return undefined;
    try {
      const state = JSON.parse(text) as SavedState;
      return typeof state.document === 'string' && Array.isArray(state.peers) ? state : undefined;
    } catch {
      return undefined;
    }
  }
}
