import { blake3, bytesToHex, createBlake3, equalBytes } from '@docs/crypto';
import { STORE_ERROR_CODES, StoreError, type BlobStore, type ByteChunks, type StoredBlob } from '@docs/store';

/** Chunk size of {@link MemoryBlobStore.getStream}. */
const STREAM_CHUNK = 64 * 1024;

function requireHash(hash: Uint8Array): string {
  if (!(hash instanceof Uint8Array) || hash.length !== 32) throw new TypeError('a content hash is a 32-byte Uint8Array');
  return bytesToHex(hash);
}

/** Content by BLAKE3 hash in a Map. Content is copied in and out, so callers may reuse their buffers. */
export class MemoryBlobStore implements BlobStore {
  readonly #blobs = new Map<string, Uint8Array>();
  readonly #ensureOpen: () => void;

  /** @param ensureOpen - throws `DOCS_STORE_CLOSED` once the owning store is closed */
  constructor(ensureOpen: () => void) {
    this.#ensureOpen = ensureOpen;
  }

  async put(bytes: Uint8Array): Promise<StoredBlob> {
    this.#ensureOpen();
    if (!(bytes instanceof Uint8Array)) throw new TypeError('content must be a Uint8Array');
    const hash = blake3(bytes);
    this.#blobs.set(bytesToHex(hash), bytes.slice());
    return { hash, length: BigInt(bytes.length) };
  }

  async putStream(chunks: ByteChunks, options: { readonly expectedHash?: Uint8Array } = {}): Promise<StoredBlob> {
    this.#ensureOpen();
    if (options.expectedHash !== undefined) requireHash(options.expectedHash);
    const hasher = createBlake3();
    const parts: Uint8Array[] = [];
    let length = 0;
    for await (const chunk of chunks) {
      if (!(chunk instanceof Uint8Array)) throw new TypeError('content chunks must be Uint8Arrays');
      hasher.update(chunk);
      parts.push(chunk.slice());
      length += chunk.length;
    }
    const hash = hasher.digest();
    if (options.expectedHash !== undefined && !equalBytes(hash, options.expectedHash)) {
      throw new StoreError(
        STORE_ERROR_CODES.CONTENT_MISMATCH,
        `content hashes to ${bytesToHex(hash)}, expected ${bytesToHex(options.expectedHash)}`,
      );
    }
    this.#ensureOpen();
    const content = new Uint8Array(length);
    let offset = 0;
    for (const part of parts) {
      content.set(part, offset);
      offset += part.length;
    }
    this.#blobs.set(bytesToHex(hash), content);
    return { hash, length: BigInt(length) };
  }

  async get(hash: Uint8Array): Promise<Uint8Array | undefined> {
    this.#ensureOpen();
    return this.#blobs.get(requireHash(hash))?.slice();
  }

  async getStream(hash: Uint8Array): Promise<AsyncIterable<Uint8Array> | undefined> {
    this.#ensureOpen();
    const content = this.#blobs.get(requireHash(hash));
    if (content === undefined) return undefined;
    return (async function* () {
      for (let offset = 0; offset < content.length; offset += STREAM_CHUNK) {
        yield content.slice(offset, offset + STREAM_CHUNK);
      }
    })();
  }

  async has(hash: Uint8Array): Promise<boolean> {
    this.#ensureOpen();
    return this.#blobs.has(requireHash(hash));
  }

  async size(hash: Uint8Array): Promise<bigint | undefined> {
    this.#ensureOpen();
    const content = this.#blobs.get(requireHash(hash));
    return content === undefined ? undefined : BigInt(content.length);
  }

  async delete(hash: Uint8Array): Promise<boolean> {
    this.#ensureOpen();
    return this.#blobs.delete(requireHash(hash));
  }

  /** Drops every blob (when the store closes). */
  clear(): void {
    this.#blobs.clear();
  }
}
