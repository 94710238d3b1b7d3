import { isDocsError } from '@docs/crypto';
import { ENTRY_ERROR_CODES, EntryError, PostcardReader, PostcardWriter, putSignedEntry, takeSignedEntry, type SignedEntry } from '@docs/entry';
import { SYNC_ERROR_CODES, SyncError } from '../errors.js';

/**
 * A live update between neighbours, encoded as the reference's gossip `Op` (postcard): `Put(SignedEntry) = 0`,
 * `ContentReady(Hash) = 1`, `SyncReport { namespace, heads } = 2` (heads: encoded `AuthorHeads`).
 */
export type LiveOp =
  | { readonly type: 'put'; readonly entry: SignedEntry }
  | { readonly type: 'content-ready'; readonly hash: Uint8Array }
  | { readonly type: 'sync-report'; readonly namespace: Uint8Array; readonly heads: Uint8Array };

/** Postcard bytes of a live op. */
export function encodeLiveOp(op: LiveOp): Uint8Array {
  const writer = new PostcardWriter(op.type === 'put' ? 300 : 80);
  switch (op.type) {
    case 'put':
      return putSignedEntry(writer.varint(0), op.entry).finish();
    case 'content-ready':
      return writer.varint(1).raw(op.hash).finish();
    case 'sync-report':
      return writer.varint(2).raw(op.namespace).bytes(op.heads).finish();
  }
}

/** Decodes a live op; malformed bytes → `DOCS_SYNC_MALFORMED_MESSAGE`. */
export function decodeLiveOp(bytes: Uint8Array): LiveOp {
  try {
    const reader = new PostcardReader(bytes);
    const variant = reader.varint('op variant');
    let op: LiveOp;
    if (variant === 0n) op = { type: 'put', entry: takeSignedEntry(reader) };
    else if (variant === 1n) op = { type: 'content-ready', hash: reader.raw(32, 'hash') };
    else if (variant === 2n) op = { type: 'sync-report', namespace: reader.raw(32, 'namespace'), heads: reader.bytes('heads') };
    else throw new EntryError(ENTRY_ERROR_CODES.INVALID_TAG, `unknown op variant ${variant}`);
    reader.end('live op');
    return op;
  } catch (error) {
    if (!isDocsError(error)) throw error;
    throw new SyncError(SYNC_ERROR_CODES.MALFORMED_MESSAGE, `malformed live op: ${error.message}`, { cause: error });
  }
}
