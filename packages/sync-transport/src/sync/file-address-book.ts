import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { bytesToHex, hexToBytes } from '@docs/crypto';
import { SYNC_ERROR_CODES, SyncError } from '../errors.js';
import type { PeerAddress } from '../ticket.js';
import { boundPeerAddresses, rememberPeer, type PeerAddressBook } from './peer-address-book.js';

/** Largest address book file read or written: 1 MiB. A save that would be larger keeps the most recent peers that fit. */
export const MAX_ADDRESS_FILE_LENGTH = 1024 * 1024;
/** The version of the address book file format. */
export const ADDRESS_FILE_VERSION = 1;

const FILE_START = `{"version":${ADDRESS_FILE_VERSION},"peers":[\n`;
const FILE_END = '\n]}\n';
const SEPARATOR = ',\n';

/**
 * A {@link PeerAddressBook} in a JSON file (Node): `{ "version": 1, "peers": [{ "id": "<64 hex digits>",
 * "addresses": ["tcp://…"] }] }`, peers least recently used first. A missing file loads as an empty book. A save
 * replaces the file atomically (a temporary file next to it, synced, then renamed over it), so a crash leaves the
 * old book or the new one, never a part; saves of one book run one after the other.
 *
 * `load` rejects with a `SyncError`: `DOCS_SYNC_ADDRESS_BOOK_INVALID` for a file that is not UTF-8 JSON of this
 * shape or larger than {@link MAX_ADDRESS_FILE_LENGTH} (the cause says why) — an engine replaces such a book on its
 * next save; `DOCS_SYNC_ADDRESS_BOOK_UNAVAILABLE` for a file of a newer version, one that is not a regular file, or
 * one that cannot be read (the cause is the file system's error) — an engine saves nothing over it. `save` rejects
 * with `DOCS_SYNC_ADDRESS_BOOK_UNAVAILABLE` when the file cannot be written.
 */
export function fileAddressBook(path: string): PeerAddressBook {
  if (typeof path !== 'string' || path === '') throw new TypeError('path must be a non-empty string');
  let saved: Promise<unknown> = Promise.resolve();
  return {
    load: () => readAddressFile(path),
    async save(peers) {
      const text = encodeAddressFile(peers);
      const save = saved.then(() => writeAtomically(path, text));
      saved = save.catch(() => undefined);
      await save;
    },
  };
}

/**
 * The file's text: the peers within the bounds, one a line; if that would exceed {@link MAX_ADDRESS_FILE_LENGTH},
 * the most recent peers that fit.
 */
function encodeAddressFile(peers: readonly PeerAddress[]): string {
  const book = new Map<string, PeerAddress>();
  for (const peer of peers) {
    if (!(peer.id instanceof Uint8Array) || peer.id.length !== 32) throw new RangeError('a peer id has 32 bytes');
    rememberPeer(book, peer);
  }
  const encoder = new TextEncoder();
  const lines: string[] = [];
  let length = encoder.encode(FILE_START + FILE_END).length;
  for (const peer of [...book.values()].reverse()) {
    const line = JSON.stringify({ id: bytesToHex(peer.id), addresses: peer.addresses });
    length += encoder.encode(line).length + (lines.length === 0 ? 0 : SEPARATOR.length);
    if (length > MAX_ADDRESS_FILE_LENGTH) break;
    lines.push(line);
  }
  return FILE_START + lines.reverse().join(SEPARATOR) + FILE_END;
}

async function readAddressFile(path: string): Promise<PeerAddress[]> {
  let bytes: Uint8Array;
  try {
    bytes = await readAtMost(path, MAX_ADDRESS_FILE_LENGTH + 1);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return [];
    throw new SyncError(SYNC_ERROR_CODES.ADDRESS_BOOK_UNAVAILABLE, `could not read the peer address book ${path}`, { cause: error });
  }
  const version = fileVersion(bytes);
  if (version !== undefined && version > ADDRESS_FILE_VERSION) {
    // Written by a newer version of this package: kept as it is (an engine saves nothing over a book it cannot read).
    throw new SyncError(SYNC_ERROR_CODES.ADDRESS_BOOK_UNAVAILABLE, `the peer address book ${path} has version ${version}, this one reads ${ADDRESS_FILE_VERSION}`);
  }
  try {
    return decodeAddressFile(bytes);
  } catch (error) {
    throw new SyncError(SYNC_ERROR_CODES.ADDRESS_BOOK_INVALID, `invalid peer address book ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** The `version` of a file that is a JSON object with an integer one, else undefined. */
function fileVersion(bytes: Uint8Array): number | undefined {
  try {
    const { version } = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as { version?: unknown };
    return Number.isSafeInteger(version) ? (version as number) : undefined;
  } catch {
    return undefined;
  }
}

/** The file's first `limit` bytes (all of it, if it is shorter); anything but a regular file is refused. */
async function readAtMost(path: string, limit: number): Promise<Uint8Array> {
  // Non-blocking, so that a FIFO at the path cannot hold the open (and the engine's load) forever.
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!(await handle.stat()).isFile()) throw Object.assign(new Error(`${path} is not a regular file`), { code: 'EINVAL' });
    const buffer = new Uint8Array(limit);
    let length = 0;
    while (length < limit) {
      const { bytesRead } = await handle.read(buffer, length, limit - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

/** Parses a file's bytes; anything wrong throws a `TypeError`, `RangeError` or the parser's `SyntaxError`. */
function decodeAddressFile(bytes: Uint8Array): PeerAddress[] {
  if (bytes.length > MAX_ADDRESS_FILE_LENGTH) throw new RangeError(`the file is larger than ${MAX_ADDRESS_FILE_LENGTH} bytes`);
  const document: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  if (typeof document !== 'object' || document === null || Array.isArray(document)) throw new TypeError('not a JSON object');
  const { version, peers } = document as { version?: unknown; peers?: unknown };
  if (version !== ADDRESS_FILE_VERSION) throw new TypeError(`not a version ${ADDRESS_FILE_VERSION} address book`);
  if (!Array.isArray(peers)) throw new TypeError('"peers" is not a list');
  const decoded = peers.map((peer: unknown, index): PeerAddress => {
    const { id, addresses } = (typeof peer === 'object' && peer !== null ? peer : {}) as { id?: unknown; addresses?: unknown };
    if (typeof id !== 'string' || !/^[0-9a-fA-F]{64}$/.test(id)) throw new TypeError(`peer ${index}: the id is not 64 hex digits`);
    if (!Array.isArray(addresses) || !addresses.every((address) => typeof address === 'string')) {
      throw new TypeError(`peer ${index}: "addresses" is not a list of strings`);
    }
    return { id: hexToBytes(id), addresses };
  });
  return [...boundPeerAddresses(decoded).values()];
}

/** Writes a temporary file next to `path`, syncs it, renames it over `path`, then syncs the directory. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const directory = dirname(path);
  const temporary = join(directory, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temporary, 'wx');
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw new SyncError(SYNC_ERROR_CODES.ADDRESS_BOOK_UNAVAILABLE, `could not save the peer address book ${path}`, { cause: error });
  }
  await syncDirectory(directory);
}

/** Makes a rename in the directory durable where the platform can sync a directory (not on Windows). */
async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort: the file itself is complete either way.
  }
}
