import {
  SYNC_ERROR_CODES,
  SyncError,
  decodeAddressBookJson,
  encodeAddressBookJson,
  type PeerAddress,
  type PeerAddressBook,
} from '@docs/sync-transport';

/** The part of the Web Storage API the book uses: `localStorage` in the page. */
export type AddressStorage = Pick<Storage, 'getItem' | 'setItem'>;

/**
 * A `SyncEngine`'s {@link PeerAddressBook} in Web Storage, under `key`, as the package's address book JSON
 * (`encodeAddressBookJson`: `{ "version": 1, "peers": [{ "id": "<64 hex digits>", "addresses": ["ws://…"] }] }`,
 * least recently used peer first, within the engine's bounds and 1 MiB). No item is an empty book.
 *
 * `load` rejects with a `SyncError` `DOCS_SYNC_ADDRESS_BOOK_INVALID` when the item is not such JSON: the engine
 * reports it (`onAddressBookError`), goes on as with an empty book, and replaces the item at its next save; an item
 * of a newer version is `DOCS_SYNC_ADDRESS_BOOK_UNAVAILABLE` and left alone. When the storage cannot be read or
 * written (access denied, quota exceeded), `load` or `save` rejects with `DOCS_SYNC_ADDRESS_BOOK_UNAVAILABLE`, the
 * storage's error as the cause.
 */
export function storageAddressBook(storage: AddressStorage, key: string): PeerAddressBook {
  return {
    async load(): Promise<PeerAddress[]> {
      const text = access(() => storage.getItem(key), 'read');
      return text === null ? [] : decodeAddressBookJson(text, `in storage item ${key}`);
    },
    async save(peers) {
      const text = encodeAddressBookJson(peers);
      access(() => storage.setItem(key, text), 'write');
    },
  };
}

/** Runs a storage call; what it throws becomes `DOCS_SYNC_ADDRESS_BOOK_UNAVAILABLE`. */
function access<T>(call: () => T, what: 'read' | 'write'): T {
  try {
    return call();
  } catch (error) {
    throw new SyncError(SYNC_ERROR_CODES.ADDRESS_BOOK_UNAVAILABLE, `could not ${what} the peer address book in storage`, { cause: error });
  }
}
