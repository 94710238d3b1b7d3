import { isDocsError } from '@docs/crypto';
import { SYNC_ERROR_CODES, type PeerAddressBook } from '@docs/sync-transport';
import { fileAddressBook } from '@docs/sync-transport/address-file';
import type { NodeMode } from './node.js';

/**
 * The node's peer address book: `peers.json` in the data directory (`fileAddressBook`), where the sync engine
 * keeps the addresses of the peers it learned.
 *
 * `docs serve` loads it, so that starting to sync its documents redials their remembered peers, and saves what it
 * learns. A one-off command (`sync`, `doc join`) loads none — it syncs with the peers it was given and no other —
 * but adds the peers it learned to the book, for the next `serve`. When it finds the book's content damaged, it
 * tells `onInvalid` and replaces the book with its own peers (as `serve` does).
 */
export function nodeAddressBook(path: string, mode: NodeMode, onInvalid: (error: unknown) => void): PeerAddressBook {
  const book = fileAddressBook(path);
  if (mode === 'serve') return book;
  return {
    load: async () => [],
    async save(peers) {
      const known = await book.load().catch((error: unknown) => {
        if (!isDocsError(error) || error.code !== SYNC_ERROR_CODES.ADDRESS_BOOK_INVALID) throw error;
        onInvalid(error);
        return [];
      });
      await book.save([...known, ...peers]);
    },
  };
}
