import { defaultEd25519, equalBytes, type Author, type Ed25519, type NamespaceSecret } from '@docs/crypto';
import { encodeEntryForSigning, type Entry } from './entry.js';
import { ENTRY_ERROR_CODES, EntryError } from './errors.js';
import { PostcardReader, PostcardWriter, varintSize } from './postcard.js';
import { RecordIdentifier } from './record-identifier.js';
import { HASH_LENGTH, createRecord, nowMicros } from './record.js';
import type { Capability } from './capability.js';

/** Size of one Ed25519 signature. */
export const SIGNATURE_LENGTH = 64;

/** The two signatures of an entry, both over {@link encodeEntryForSigning}. Field order as on the wire. */
export interface EntrySignature {
  readonly authorSignature: Uint8Array;
  readonly namespaceSignature: Uint8Array;
}

/** An entry with its namespace and author signatures. Ordered like its entry. */
export interface SignedEntry {
  readonly signature: EntrySignature;
  readonly entry: Entry;
}

/**
 * Signs `entry` with the namespace secret and the author. The keys must be the entry's own
 * (`DOCS_ENTRY_WRONG_KEY` otherwise).
 */
export async function signEntry(entry: Entry, namespace: NamespaceSecret, author: Author): Promise<SignedEntry> {
  if (!equalBytes(namespace.id, entry.id.namespace)) {
    throw new EntryError(ENTRY_ERROR_CODES.WRONG_KEY, 'the namespace secret does not belong to the entry namespace');
  }
  if (!equalBytes(author.id, entry.id.author)) {
    throw new EntryError(ENTRY_ERROR_CODES.WRONG_KEY, 'the author does not match the entry author');
  }
  const message = encodeEntryForSigning(entry);
  const [namespaceSignature, authorSignature] = await Promise.all([namespace.sign(message), author.sign(message)]);
  return { entry, signature: { authorSignature, namespaceSignature } };
}

/**
 * Verifies both signatures with the strict rule of `@docs/crypto`: the namespace signature first, then the
 * author signature. Returns false if either fails.
 */
export async function verifySignedEntry(signed: SignedEntry, ed25519: Ed25519 = defaultEd25519()): Promise<boolean> {
  const message = encodeEntryForSigning(signed.entry);
  const { id } = signed.entry;
  if (!(await ed25519.verify(id.namespace, message, signed.signature.namespaceSignature))) return false;
  return ed25519.verify(id.author, message, signed.signature.authorSignature);
}

/**
 * {@link verifySignedEntry} for many entries at once (answers in order): all signatures go to the backend's
 * `verifyMany`, which in Node spreads them over every core.
 */
export async function verifySignedEntries(
  entries: readonly SignedEntry[],
  ed25519: Ed25519 = defaultEd25519(),
): Promise<boolean[]> {
  const checks = entries.flatMap((signed) => {
    const message = encodeEntryForSigning(signed.entry);
    const { id } = signed.entry;
    return [
      { publicKey: id.namespace, message, signature: signed.signature.namespaceSignature },
      { publicKey: id.author, message, signature: signed.signature.authorSignature },
    ];
  });
  const verdicts = await ed25519.verifyMany(checks);
  return entries.map((_, index) => verdicts[2 * index]! && verdicts[2 * index + 1]!);
}

/**
 * Writes a SignedEntry in postcard: `authorSig (64) ‖ namespaceSig (64) ‖ varint(64 + K) ‖ id ‖ varint(len) ‖
 * hash (32) ‖ varint(timestamp)`.
 */
export function putSignedEntry(writer: PostcardWriter, signed: SignedEntry): PostcardWriter {
  const { entry, signature } = signed;
  return writer
    .raw(signature.authorSignature)
    .raw(signature.namespaceSignature)
    .bytes(entry.id.bytes)
    .varint(entry.record.len)
    .raw(entry.record.hash)
    .varint(entry.record.timestamp);
}

/** Reads a postcard SignedEntry (see {@link putSignedEntry}); malformed input → `DOCS_ENTRY_*`. */
export function takeSignedEntry(reader: PostcardReader): SignedEntry {
  const authorSignature = reader.raw(SIGNATURE_LENGTH, 'author signature');
  const namespaceSignature = reader.raw(SIGNATURE_LENGTH, 'namespace signature');
  const id = RecordIdentifier.fromBytes(reader.bytes('record identifier'));
  const len = reader.varint('record len');
  const hash = reader.raw(HASH_LENGTH, 'content hash');
  const timestamp = reader.varint('record timestamp');
  return { signature: { authorSignature, namespaceSignature }, entry: { id, record: createRecord(hash, len, timestamp) } };
}

/** Postcard bytes of a SignedEntry. */
export function encodeSignedEntry(signed: SignedEntry): Uint8Array {
  return putSignedEntry(new PostcardWriter(encodedSignedEntrySize(signed)), signed).finish();
}

/** Decodes exactly one postcard SignedEntry; trailing bytes → `DOCS_ENTRY_TRAILING_BYTES`. */
export function decodeSignedEntry(bytes: Uint8Array): SignedEntry {
  const reader = new PostcardReader(bytes);
  const signed = takeSignedEntry(reader);
  reader.end('signed entry');
  return signed;
}

/** Number of bytes {@link encodeSignedEntry} produces, without encoding. */
export function encodedSignedEntrySize(signed: SignedEntry): number {
  const { id, record } = signed.entry;
  return (
    2 * SIGNATURE_LENGTH +
    varintSize(id.bytes.length) +
    id.bytes.length +
    varintSize(record.len) +
    HASH_LENGTH +
    varintSize(record.timestamp)
  );
}

/** What a new local entry holds; the timestamp defaults to {@link nowMicros}. */
export interface NewEntry {
  readonly key: Uint8Array;
  readonly hash: Uint8Array;
  readonly len: bigint | number;
  readonly timestamp?: bigint | number;
}

/**
 * Builds and signs a new entry for the capability's namespace. A read capability cannot sign:
 * `DOCS_ENTRY_READ_ONLY`.
 */
export async function signNewEntry(capability: Capability, author: Author, fields: NewEntry): Promise<SignedEntry> {
  if (capability.kind === 'read') {
    throw new EntryError(ENTRY_ERROR_CODES.READ_ONLY, 'this replica holds a read capability and cannot write');
  }
  const record = createRecord(fields.hash, fields.len, fields.timestamp ?? nowMicros());
  const id = RecordIdentifier.of(capability.secret.id, author.id, fields.key);
  return signEntry({ id, record }, capability.secret, author);
}
