import { isDocsError } from '@docs/crypto';
import { SYNC_ERROR_CODES } from '../errors.js';
import type { PeerAddress } from '../ticket.js';
import { unrefTimer } from '../transport/deadline.js';
import { MAX_ADDRESS_BOOK_PEERS, boundPeerAddresses, rememberPeer, touchPeer, type PeerAddressBook } from './peer-address-book.js';

/** Least time between the starts of two saves while changes keep coming. */
const SAVE_INTERVAL = 1000;

/**
 * The addresses of the peers an engine learned, bounded like a {@link PeerAddressBook} and kept in one if given:
 * loaded on first need (lookups wait for the load; a failed load is reported once and the engine goes on with
 * what it learns — and saves only if the book's content was invalid, never over a book it could not read), saved
 * after changes — one save at a time, at most about one per
 * {@link SAVE_INTERVAL} — and once more on `close`. Nothing is saved before the load settled; a
 * failed save is reported and repeated with the next change or on `close`.
 */
export class KnownPeers {
  /** By hex id, least recently learned or used first. */
  readonly #peers = new Map<string, PeerAddress>();
  readonly #book: PeerAddressBook | undefined;
  readonly #onError: (error: unknown) => void;
  #load: Promise<void> | undefined;
  #loadSettled = false;
  /** Peers used before the load settled, made most recent again after the merge. */
  readonly #usedWhileLoading: Uint8Array[] = [];
  /** False after a load failed for another reason than invalid content: the book may hold peers not read. */
  #writable = true;
  /** Changed since the last save started. */
  #dirty = false;
  #saving: Promise<void> | undefined;
  #saveTimer: ReturnType<typeof setTimeout> | undefined;
  #lastSaveStarted = -Infinity;
  #closing: Promise<void> | undefined;
  /** Settles when `close` is called: lookups stop waiting for a load that may never end. */
  readonly #closeCalled: Promise<void>;
  #onClose!: () => void;

  constructor(book: PeerAddressBook | undefined, onError: ((error: unknown) => void) | undefined) {
    this.#closeCalled = new Promise((resolve) => (this.#onClose = resolve));
    this.#book = book;
    this.#onError = onError ?? ((): void => undefined);
  }

  /** The addresses known for a peer (hex id), once the book was loaded or `close` was called (then from memory). */
  async get(key: string): Promise<PeerAddress | undefined> {
    if (!this.#closed) await Promise.race([this.#loaded(), this.#closeCalled]);
    return this.#peers.get(key);
  }

  /** Remembers a peer's addresses (see {@link rememberPeer}); it becomes the most recent peer. */
  learn(peer: PeerAddress): void {
    if (!this.#closed) void this.#loaded();
    if (rememberPeer(this.#peers, peer)) this.#changed();
  }

  /**
   * Marks a peer as just used (linked or synced): it becomes the most recent peer if known — or, while the book
   * loads, once the loaded peers are merged.
   */
  use(id: Uint8Array): void {
    if (this.#book !== undefined && !this.#loadSettled && !this.#closed) {
      // Bounded like the book: only the most recent uses can matter.
      if (this.#usedWhileLoading.length >= MAX_ADDRESS_BOOK_PEERS) this.#usedWhileLoading.shift();
      this.#usedWhileLoading.push(id.slice());
    }
    if (touchPeer(this.#peers, id)) this.#changed();
  }

  /**
   * Waits for a running save and saves what changed since, if the book was loaded; starts no load or save after.
   * A load still running is not waited for (nothing is saved over a book not read). Every call returns the same
   * promise.
   */
  close(): Promise<void> {
    // Closed from here on (`#closed`); the work starts a microtask later, so it always sees that.
    this.#closing ??= Promise.resolve().then(async () => {
      this.#onClose();
      if (this.#saveTimer !== undefined) clearTimeout(this.#saveTimer);
      this.#saveTimer = undefined;
      await this.#saving;
      if (this.#dirty && this.#loadSettled) await this.#save();
    });
    return this.#closing;
  }

  /** Whether `close` was called. */
  get #closed(): boolean {
    return this.#closing !== undefined;
  }

  /** Settles when the book was loaded or failed to; starts loading on the first call. Never rejects. */
  #loaded(): Promise<void> {
    this.#load ??= this.#readBook().finally(() => {
      this.#loadSettled = true;
      if (this.#dirty) this.#scheduleSave();
    });
    return this.#load;
  }

  /** Loaded peers go before those learned meanwhile (older first); a peer in both keeps the addresses of both. */
  async #readBook(): Promise<void> {
    if (this.#book === undefined) return;
    try {
      const loaded = boundPeerAddresses(await this.#book.load());
      const learned = [...this.#peers.values()];
      this.#peers.clear();
      for (const peer of loaded.values()) rememberPeer(this.#peers, peer);
      for (const peer of learned) rememberPeer(this.#peers, peer);
      for (const id of this.#usedWhileLoading.splice(0)) if (touchPeer(this.#peers, id)) this.#dirty = true;
    } catch (error) {
      this.#writable = isDocsError(error) && error.code === SYNC_ERROR_CODES.ADDRESS_BOOK_INVALID;
      this.#report(error);
    }
  }

  #changed(): void {
    this.#dirty = true;
    this.#scheduleSave();
  }

  #scheduleSave(): void {
    if (this.#book === undefined || !this.#loadSettled || !this.#writable || this.#closed) return;
    if (this.#saving !== undefined || this.#saveTimer !== undefined) return; // picked up when that one ends
    const wait = Math.max(0, this.#lastSaveStarted + SAVE_INTERVAL - performance.now());
    this.#saveTimer = setTimeout(() => {
      this.#saveTimer = undefined;
      void this.#save();
    }, wait);
    unrefTimer(this.#saveTimer);
  }

  #save(): Promise<void> {
    const book = this.#book;
    if (book === undefined || !this.#writable || !this.#dirty) return Promise.resolve();
    this.#dirty = false;
    this.#lastSaveStarted = performance.now();
    const peers = [...this.#peers.values()];
    this.#saving = (async () => {
      try {
        // Awaited from a microtask on, so that a save that throws at once fails like one that rejects.
        await Promise.resolve().then(() => book.save(peers));
        this.#saving = undefined;
        if (this.#dirty) this.#scheduleSave();
      } catch (error) {
        // Not retried on a timer (a book that cannot be written would fail every second): the next change or
        // `close` saves again.
        this.#saving = undefined;
        this.#dirty = true;
        this.#report(error);
      }
    })();
    return this.#saving;
  }

  #report(error: unknown): void {
    try {
      this.#onError(error);
    } catch (thrown) {
      queueMicrotask(() => {
        throw thrown;
      });
    }
  }
}
