import { bytesToHex } from '@docs/crypto';
import { SYNC_ERROR_CODES, SyncError } from '../errors.js';
import type { PeerAddress } from '../ticket.js';

/**
 * Where a `SyncEngine` keeps the addresses of the peers it learned, so that it can redial them after a
 * restart (`fileAddressBook` from `@docs/sync-transport/address-file` in Node; any storage elsewhere). Peers are
 * listed least recently learned or used first; the engine bounds what it loads and saves
 * ({@link MAX_ADDRESS_BOOK_PEERS}, {@link MAX_PEER_ADDRESSES}, {@link MAX_PEER_ADDRESS_LENGTH}).
 */
export interface PeerAddressBook {
  /** The peers saved before; read once, when the engine first needs an address. */
  load(): Promise<readonly PeerAddress[]>;
  /** Replaces what is saved with `peers`. */
  save(peers: readonly PeerAddress[]): Promise<void>;
}

/** Most peers an address book holds: the least recently learned or used one is dropped first. */
export const MAX_ADDRESS_BOOK_PEERS = 1024;
/** Most addresses kept per peer: the newest. */
export const MAX_PEER_ADDRESSES = 16;
/** Longest address kept, in UTF-16 code units; a longer one is not remembered (it may still be dialed). */
export const MAX_PEER_ADDRESS_LENGTH = 512;

/**
 * Adds `peer` to a book held as a map from hex id to peer, least recently learned or used first: its addresses
 * after those known (an address learned again moves to the end), at most {@link MAX_PEER_ADDRESSES} (the newest);
 * it becomes the most recent peer, and the least recent are dropped beyond {@link MAX_ADDRESS_BOOK_PEERS}. A peer
 * with no address to keep is not added. Returns whether the book changed.
 */
export function rememberPeer(book: Map<string, PeerAddress>, peer: PeerAddress): boolean {
  const key = bytesToHex(peer.id);
  const known = book.get(key);
  const merged = new Set(known?.addresses);
  for (const address of peer.addresses) {
    if (address.length > MAX_PEER_ADDRESS_LENGTH) continue;
    // Learned again: it becomes the newest.
    merged.delete(address);
    merged.add(address);
  }
  const addresses = [...merged].slice(-MAX_PEER_ADDRESSES);
  if (addresses.length === 0) return false;
  const changed = known === undefined || !sameStrings(known.addresses, addresses) || lastKey(book) !== key;
  book.delete(key);
  book.set(key, { id: peer.id.slice(), addresses });
  for (const oldest of book.keys()) {
    if (book.size <= MAX_ADDRESS_BOOK_PEERS) break;
    book.delete(oldest);
  }
  return changed;
}

/** Makes a peer of the book its most recent one; returns whether the book changed (it was known and not last). */
export function touchPeer(book: Map<string, PeerAddress>, id: Uint8Array): boolean {
  const key = bytesToHex(id);
  const known = book.get(key);
  if (known === undefined || lastKey(book) === key) return false;
  book.delete(key);
  book.set(key, known);
  return true;
}

/**
 * Checks what an address book loaded and applies the bounds: the peers in their order (a peer listed twice takes
 * its later place and the addresses of both), within {@link MAX_ADDRESS_BOOK_PEERS}, {@link MAX_PEER_ADDRESSES}
 * and {@link MAX_PEER_ADDRESS_LENGTH}; peers left without an address are dropped.
 * @throws SyncError `DOCS_SYNC_ADDRESS_BOOK_INVALID` if it is not a list of peers with 32-byte ids and string
 *   addresses.
 */
export function boundPeerAddresses(peers: unknown): Map<string, PeerAddress> {
  if (!Array.isArray(peers)) throw invalidBook('the peers are not a list');
  const book = new Map<string, PeerAddress>();
  for (const [index, peer] of peers.entries()) {
    const { id, addresses } = (peer ?? {}) as { id?: unknown; addresses?: unknown };
    if (!(id instanceof Uint8Array) || id.length !== 32) throw invalidBook(`peer ${index} has no 32-byte id`);
    if (!Array.isArray(addresses) || !addresses.every((address) => typeof address === 'string')) {
      throw invalidBook(`peer ${index} has no list of string addresses`);
    }
    rememberPeer(book, { id, addresses });
  }
  return book;
}

function invalidBook(message: string): SyncError {
  return new SyncError(SYNC_ERROR_CODES.ADDRESS_BOOK_INVALID, `invalid peer address book: ${message}`);
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}

function lastKey(book: Map<string, PeerAddress>): string | undefined {
  let last: string | undefined;
  for (const key of book.keys()) last = key;
  return last;
}
