/** Byte chunks, synchronous or asynchronous. */
export type ByteChunks = Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/** Where and how content was stored. */
export interface StoredBlob {
  readonly hash: Uint8Array;
  readonly length: bigint;
}

/**
 * Content addressed by BLAKE3 hash. Writes are verified: bytes that do not hash to the expected hash are refused
 * with `DOCS_STORE_CONTENT_MISMATCH` and nothing is stored.
 */
export interface BlobStore {
  /** Stores bytes and returns their hash. */
  put(bytes: Uint8Array): Promise<StoredBlob>;
  /**
   * Stores streamed content without holding it all in memory (backends keep chunks). With `expectedHash`, the
   * content is kept only if it hashes to it.
   */
  putStream(chunks: ByteChunks, options?: { readonly expectedHash?: Uint8Array }): Promise<StoredBlob>;
  /** The whole content, or undefined. */
  get(hash: Uint8Array): Promise<Uint8Array | undefined>;
  /** The content as chunks, or undefined. */
  getStream(hash: Uint8Array): Promise<AsyncIterable<Uint8Array> | undefined>;
  /** True if the content is stored. */
  has(hash: Uint8Array): Promise<boolean>;
  /** The content length, or undefined. */
  size(hash: Uint8Array): Promise<bigint | undefined>;
  /** Deletes content; false if it was not there. */
  delete(hash: Uint8Array): Promise<boolean>;
}
