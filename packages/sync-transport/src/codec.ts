import { isDocsError } from '@docs/crypto';
import {
  ENTRY_ERROR_CODES,
  EntryError,
  PostcardReader,
  PostcardWriter,
  putSignedEntry,
  takeSignedEntry,
  type SignedEntry,
} from '@docs/entry';
import type { MessagePart, Range } from '@docs/rbsr';
import type { ContentStatus, SyncMessage } from '@docs/replica';
import { SYNC_ERROR_CODES, SyncError } from './errors.js';

/** Why a peer aborted a sync (`AbortReason`: NotFound = 0, AlreadySyncing = 1, InternalServerError = 2). */
export type AbortReason = 'not-found' | 'already-syncing' | 'internal-server-error';

/** The protocol message inside a frame (`codec::Message`: Init = 0, Sync = 1, Abort = 2). */
export type ProtocolMessage =
  | { readonly type: 'init'; readonly namespace: Uint8Array; readonly message: SyncMessage }
  | { readonly type: 'sync'; readonly message: SyncMessage }
  | { readonly type: 'abort'; readonly reason: AbortReason };

/** Limits on what one incoming message may hold, on top of the frame limit. */
export interface MessageLimits {
  /** Most parts in one message (default 262,144). */
  readonly maxParts?: number;
  /** Most entries in one message, over all parts (default 262,144). */
  readonly maxValues?: number;
}

/** Default {@link MessageLimits}: generous enough for a reference peer's many small parts, still bounded. */
export const DEFAULT_MESSAGE_LIMITS: Required<MessageLimits> = { maxParts: 262_144, maxValues: 262_144 };

const CONTENT_STATUS_TAGS: readonly ContentStatus[] = ['complete', 'incomplete', 'missing'];
const ABORT_REASON_TAGS: readonly AbortReason[] = ['not-found', 'already-syncing', 'internal-server-error'];
const NAMESPACE_LENGTH = 32;
const FINGERPRINT_LENGTH = 32;

/** Postcard bytes of a protocol message, byte-compatible with iroh-docs. */
export function encodeProtocolMessage(message: ProtocolMessage): Uint8Array {
  const writer = new PostcardWriter(1024);
  switch (message.type) {
    case 'init':
      writer.varint(0).raw(message.namespace);
      return putSyncMessage(writer, message.message).finish();
    case 'sync':
      return putSyncMessage(writer.varint(1), message.message).finish();
    case 'abort':
      return writer.varint(2).varint(ABORT_REASON_TAGS.indexOf(message.reason)).finish();
  }
}

/**
 * Decodes a protocol message. Malformed bytes → `DOCS_SYNC_MALFORMED_MESSAGE` (the decoding error as cause);
 * more parts or entries than the limits → `DOCS_SYNC_MESSAGE_TOO_LARGE`, detected from the counts before the
 * items are decoded.
 */
export function decodeProtocolMessage(bytes: Uint8Array, limits: MessageLimits = {}): ProtocolMessage {
  const budget = { ...DEFAULT_MESSAGE_LIMITS, ...limits, values: 0 };
  try {
    const reader = new PostcardReader(bytes);
    const variant = reader.varint('message variant');
    let message: ProtocolMessage;
    if (variant === 0n) {
      const namespace = reader.raw(NAMESPACE_LENGTH, 'namespace');
      message = { type: 'init', namespace, message: takeSyncMessage(reader, budget) };
    } else if (variant === 1n) {
      message = { type: 'sync', message: takeSyncMessage(reader, budget) };
    } else if (variant === 2n) {
      message = { type: 'abort', reason: takeTag(reader, ABORT_REASON_TAGS, 'abort reason') };
    } else {
      throw new EntryError(ENTRY_ERROR_CODES.INVALID_TAG, `unknown message variant ${variant}`);
    }
    reader.end('protocol message');
    return message;
  } catch (error) {
    if (error instanceof SyncError || !isDocsError(error)) throw error;
    throw new SyncError(SYNC_ERROR_CODES.MALFORMED_MESSAGE, `malformed protocol message: ${error.message}`, {
      cause: error,
    });
  }
}

function putSyncMessage(writer: PostcardWriter, message: SyncMessage): PostcardWriter {
  writer.varint(message.parts.length);
  for (const part of message.parts) {
    if (part.kind === 'fingerprint') {
      putRange(writer.varint(0), part.range).raw(part.fingerprint);
    } else {
      putRange(writer.varint(1), part.range).varint(part.values.length);
      for (const [entry, status] of part.values) putSignedEntry(writer, entry).varint(CONTENT_STATUS_TAGS.indexOf(status));
      writer.bool(part.haveLocal);
    }
  }
  return writer;
}

function putRange(writer: PostcardWriter, range: Range): PostcardWriter {
  return writer.bytes(range.x).bytes(range.y);
}

interface Budget {
  readonly maxParts: number;
  readonly maxValues: number;
  values: number;
}

function takeSyncMessage(reader: PostcardReader, budget: Budget): SyncMessage {
  // A part takes at least 5 bytes (tag, two empty keys, an empty item list, have_local).
  const count = reader.count(5, 'part count');
  if (count > budget.maxParts) {
    throw new SyncError(SYNC_ERROR_CODES.MESSAGE_TOO_LARGE, `message has ${count} parts; the limit is ${budget.maxParts}`);
  }
  const parts: MessagePart<SignedEntry, ContentStatus>[] = [];
  for (let index = 0; index < count; index++) {
    const kind = reader.varint('part kind');
    const range = { x: reader.bytes('range x'), y: reader.bytes('range y') };
    if (kind === 0n) {
      parts.push({ kind: 'fingerprint', range, fingerprint: reader.raw(FINGERPRINT_LENGTH, 'fingerprint') });
    } else if (kind === 1n) {
      // A signed entry with its status takes at least 227 bytes.
      const valueCount = reader.count(227, 'value count');
      budget.values += valueCount;
      if (budget.values > budget.maxValues) {
        throw new SyncError(
          SYNC_ERROR_CODES.MESSAGE_TOO_LARGE,
          `message has more than ${budget.maxValues} entries`,
        );
      }
      const values: [SignedEntry, ContentStatus][] = [];
      for (let value = 0; value < valueCount; value++) {
        values.push([takeSignedEntry(reader), takeTag(reader, CONTENT_STATUS_TAGS, 'content status')]);
      }
      parts.push({ kind: 'items', range, values, haveLocal: reader.bool('have_local') });
    } else {
      throw new EntryError(ENTRY_ERROR_CODES.INVALID_TAG, `unknown message part kind ${kind}`);
    }
  }
  return { parts };
}

function takeTag<T>(reader: PostcardReader, tags: readonly T[], what: string): T {
  const tag = reader.varint(what);
  const value = tag < BigInt(tags.length) ? tags[Number(tag)] : undefined;
  if (value === undefined) throw new EntryError(ENTRY_ERROR_CODES.INVALID_TAG, `unknown ${what} ${tag}`);
  return value;
}
