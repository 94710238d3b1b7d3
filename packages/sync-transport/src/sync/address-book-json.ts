import { bytesToHex, hexToBytes } from '@docs/crypto';
import { SYNC_ERROR_CODES, SyncError } from '../errors.js';
import type { PeerAddress } from '../ticket.js';
import { boundPeerAddresses, rememberPeer } from './peer-address-book.js';

/** The version of the address book JSON that {@link encodeAddressBookJson} writes. */
export const ADDRESS_BOOK_JSON_VERSION = 1;
/** Largest address book JSON, in UTF-8 bytes: 1 MiB. */
export const MAX_ADDRESS_BOOK_JSON_LENGTH = 1024 * 1024;

const START = `{"version":${ADDRESS_BOOK_JSON_VERSION},"peers":[\n`;
const END = '\n]}\n';
const SEPARATOR = ',\n';

/**
 * A peer address book as JSON text, for any storage (a file, Web Storage…): `{ "version": 1, "peers": [{ "id":
 * "<64 hex digits>", "addresses": ["tcp://…"] }] }`, one peer a line, least recently used first. The peers are bounded
 * as in a `SyncEngine`'s book (`MAX_ADDRESS_BOOK_PEERS`, `MAX_PEER_ADDRESSES`, `MAX_PEER_ADDRESS_LENGTH`); if the
 * text would exceed {@link MAX_ADDRESS_BOOK_JSON_LENGTH} bytes, it holds the most recent peers that fit.
 * @throws RangeError for a peer id that is not 32 bytes
 */
export function encodeAddressBookJson(peers: readonly PeerAddress[]): string {
  const book = new Map<string, PeerAddress>();
  for (const peer of peers) {
    if (!(peer.id instanceof Uint8Array) || peer.id.length !== 32) throw new RangeError('a peer id has 32 bytes');
    rememberPeer(book, peer);
  }
  const encoder = new TextEncoder();
  const lines: string[] = [];
  let length = encoder.encode(START + END).length;
  for (const peer of [...book.values()].reverse()) {
    const line = JSON.stringify({ id: bytesToHex(peer.id), addresses: peer.addresses });
    length += encoder.encode(line).length + (lines.length === 0 ? 0 : SEPARATOR.length);
    if (length > MAX_ADDRESS_BOOK_JSON_LENGTH) break;
    lines.push(line);
  }
  return START + lines.reverse().join(SEPARATOR) + END;
}

/**
 * The peers of an address book's JSON text (see {@link encodeAddressBookJson}), bounded as in a `SyncEngine`'s book.
 * `source` names where the text came from in error messages (e.g. a file's path).
 * @throws SyncError `DOCS_SYNC_ADDRESS_BOOK_UNAVAILABLE` for a book of a newer version (written by a newer version of
 *   this package: an engine saves nothing over it); `DOCS_SYNC_ADDRESS_BOOK_INVALID` for anything else that is not
 *   such JSON, or more than {@link MAX_ADDRESS_BOOK_JSON_LENGTH} bytes (the cause says why; an engine replaces such a
 *   book on its next save)
 */
export function decodeAddressBookJson(text: string, source?: string): PeerAddress[] {
  const book = source === undefined ? 'peer address book' : `peer address book ${source}`;
  let document: unknown;
  try {
    if (new TextEncoder().encode(text).length > MAX_ADDRESS_BOOK_JSON_LENGTH) {
      throw new RangeError(`the text is larger than ${MAX_ADDRESS_BOOK_JSON_LENGTH} bytes`);
    }
    document = JSON.parse(text);
    if (typeof document !== 'object' || document === null || Array.isArray(document)) throw new TypeError('not a JSON object');
  } catch (error) {
    throw invalid(book, error);
  }
  const { version, peers } = document as { version?: unknown; peers?: unknown };
  if (Number.isSafeInteger(version) && (version as number) > ADDRESS_BOOK_JSON_VERSION) {
    throw new SyncError(
      SYNC_ERROR_CODES.ADDRESS_BOOK_UNAVAILABLE,
      `the ${book} has version ${version as number}, this one reads ${ADDRESS_BOOK_JSON_VERSION}`,
    );
  }
  let decoded: PeerAddress[];
  try {
    if (version !== ADDRESS_BOOK_JSON_VERSION) throw new TypeError(`not a version ${ADDRESS_BOOK_JSON_VERSION} address book`);
    if (!Array.isArray(peers)) throw new TypeError('"peers" is not a list');
    decoded = peers.map((peer: unknown, index): PeerAddress => {
      const { id, addresses } = (typeof peer === 'object' && peer !== null ? peer : {}) as { id?: unknown; addresses?: unknown };
      if (typeof id !== 'string' || !/^[0-9a-fA-F]{64}$/.test(id)) throw new TypeError(`peer ${index}: the id is not 64 hex digits`);
      if (!Array.isArray(addresses) || !addresses.every((address) => typeof address === 'string')) {
        throw new TypeError(`peer ${index}: "addresses" is not a list of strings`);
      }
      return { id: hexToBytes(id), addresses };
    });
  } catch (error) {
    throw invalid(book, error);
  }
  return [...boundPeerAddresses(decoded).values()];
}

function invalid(book: string, cause: unknown): SyncError {
  return new SyncError(SYNC_ERROR_CODES.ADDRESS_BOOK_INVALID, `invalid ${book}: ${(cause as Error).message}`, { cause });
}
