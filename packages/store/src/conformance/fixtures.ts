import { Author, NamespaceSecret, blake3, bytesToHex } from '@docs/crypto';
import { EMPTY_HASH, RecordIdentifier, createRecord, signEntry, type SignedEntry } from '@docs/entry';

const encoder = new TextEncoder();

/** UTF-8 bytes of a text, or the bytes themselves. */
export function toBytes(value: Uint8Array | string): Uint8Array {
  return typeof value === 'string' ? encoder.encode(value) : value;
}

const namespaces = new Map<number, NamespaceSecret>();
const authors = new Map<number, Author>();

/**
 * A namespace secret derived from a fixed seed, so that runs (and the order of namespace ids) are reproducible.
 * Cached: the same index gives the same object.
 */
export function testNamespace(index: number): NamespaceSecret {
  let secret = namespaces.get(index);
  if (secret === undefined) {
    secret = NamespaceSecret.fromBytes(blake3(encoder.encode(`@docs/store conformance namespace ${index}`)));
    namespaces.set(index, secret);
  }
  return secret;
}

/** An author derived from a fixed seed (see {@link testNamespace}). Cached. */
export function testAuthor(index: number): Author {
  let author = authors.get(index);
  if (author === undefined) {
    author = Author.fromBytes(blake3(encoder.encode(`@docs/store conformance author ${index}`)));
    authors.set(index, author);
  }
  return author;
}

/** What {@link signTestEntry} signs: content (hashed with BLAKE3) or a tombstone (`empty: true`). */
export type TestEntrySpec = {
  readonly namespace: NamespaceSecret;
  readonly author: Author;
  /** Raw bytes, or a text taken as UTF-8. */
  readonly key: Uint8Array | string;
  /** Microseconds. */
  readonly timestamp: bigint | number;
} & ({ readonly content: Uint8Array | string } | { readonly empty: true });

const signedCache = new Map<string, Promise<SignedEntry>>();

/**
 * A really signed entry (namespace and author signatures) for tests. The record holds BLAKE3(content) and the
 * content length, or the empty hash and length 0 for a tombstone. Identical specs are signed once and cached.
 */
export function signTestEntry(spec: TestEntrySpec): Promise<SignedEntry> {
  const key = toBytes(spec.key);
  const content = 'content' in spec ? toBytes(spec.content) : undefined;
  const hash = content === undefined ? EMPTY_HASH : blake3(content);
  const len = content === undefined ? 0n : BigInt(content.length);
  const namespaceId = spec.namespace.id;
  const authorId = spec.author.id;
  const cacheKey = `${bytesToHex(namespaceId)}/${bytesToHex(authorId)}/${bytesToHex(key)}/${spec.timestamp}/${bytesToHex(hash)}/${len}`;
  let signed = signedCache.get(cacheKey);
  if (signed === undefined) {
    const entry = { id: RecordIdentifier.of(namespaceId, authorId, key), record: createRecord(hash, len, spec.timestamp) };
    signed = signEntry(entry, spec.namespace, spec.author);
    signedCache.set(cacheKey, signed);
  }
  return signed;
}

/** Collects an async (or sync) iterable into an array. */
export async function collect<T>(iterable: AsyncIterable<T> | Iterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** A short readable label of an entry (`key@timestamp` with the key as text when printable, else hex). */
export function describeEntry(signed: SignedEntry): string {
  const { id, record } = signed.entry;
  const key = id.key;
  const printable = key.every((byte) => byte >= 0x20 && byte < 0x7f);
  const keyText = printable ? JSON.stringify(new TextDecoder().decode(key)) : `0x${bytesToHex(key)}`;
  const empty = record.hash.every((byte, index) => byte === EMPTY_HASH[index]) ? ' (empty)' : '';
  return `${bytesToHex(id.namespace).slice(0, 6)}/${bytesToHex(id.author).slice(0, 6)}/${keyText}@${record.timestamp}${empty}`;
}
