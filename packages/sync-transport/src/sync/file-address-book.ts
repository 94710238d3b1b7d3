import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SYNC_ERROR_CODES, SyncError } from '../errors.js';
import type { PeerAddress } from '../ticket.js';
import { MAX_ADDRESS_BOOK_JSON_LENGTH, decodeAddressBookJson, encodeAddressBookJson } from './address-book-json.js';
import type { PeerAddressBook } from './peer-address-book.js';

/**
 * A {@link PeerAddressBook} in a JSON file (Node), in the format of {@link encodeAddressBookJson}. A missing file
 * loads as an empty book. A save replaces the file atomically (a temporary file next to it, synced, then renamed
 * over it), so a crash leaves the old book or the new one, never a part; saves of one book run one after the other.
 *
 * `load` rejects with a `SyncError`: `DOCS_SYNC_ADDRESS_BOOK_INVALID` for a file that is not UTF-8 JSON of this
 * shape or larger than {@link MAX_ADDRESS_BOOK_JSON_LENGTH} (the cause says why) — an engine replaces such a book on
 * its next save; `DOCS_SYNC_ADDRESS_BOOK_UNAVAILABLE` for a file of a newer version, one that is not a regular file,
 * or one that cannot be read (the cause is the file system's error) — an engine saves nothing over it. `save` rejects
 * with `DOCS_SYNC_ADDRESS_BOOK_UNAVAILABLE` when the file cannot be written.
 */
export function fileAddressBook(path: string): PeerAddressBook {
  if (typeof path !== 'string' || path === '') throw new TypeError('path must be a non-empty string');
  let saved: Promise<unknown> = Promise.resolve();
  return {
    load: () => readAddressFile(path),
    async save(peers) {
      const text = encodeAddressBookJson(peers);
      const save = saved.then(() => writeAtomically(path, text));
      saved = save.catch(() => undefined);
      await save;
    },
  };
}

async function readAddressFile(path: string): Promise<PeerAddress[]> {
  let bytes: Uint8Array;
  try {
    bytes = await readAtMost(path, MAX_ADDRESS_BOOK_JSON_LENGTH + 1);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return [];
    throw new SyncError(SYNC_ERROR_CODES.ADDRESS_BOOK_UNAVAILABLE, `could not read the peer address book ${path}`, { cause: error });
  }
  if (bytes.length > MAX_ADDRESS_BOOK_JSON_LENGTH) {
    const cause = new RangeError(`the file is larger than ${MAX_ADDRESS_BOOK_JSON_LENGTH} bytes`);
    throw new SyncError(SYNC_ERROR_CODES.ADDRESS_BOOK_INVALID, `invalid peer address book ${path}: ${cause.message}`, { cause });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new SyncError(SYNC_ERROR_CODES.ADDRESS_BOOK_INVALID, `invalid peer address book ${path}: not UTF-8`, { cause: error });
  }
  return decodeAddressBookJson(text, path);
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
