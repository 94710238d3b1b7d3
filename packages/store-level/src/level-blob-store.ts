import { blake3, createBlake3, equalBytes } from '@docs/crypto';
import { STORE_ERROR_CODES, StoreError, type BlobStore, type ByteChunks, type StoredBlob } from '@docs/store';
import { TABLE, prefixBounds, tableKey } from './key-layout.js';
import type { BatchOperation } from './key-value.js';
import type { LevelDatabase } from './level-database.js';

/** Content is kept in chunks of this size (the last one shorter). */
export const BLOB_CHUNK_SIZE = 256 * 1024;

/** Chunks written per batch while streaming. */
const CHUNKS_PER_BATCH = 4;

const UPLOAD_ID_LENGTH = 16;
const HASH_LENGTH = 32;

/** What the blobs table holds per hash. */
export interface BlobInfo {
  readonly length: bigint;
  readonly uploadId: Uint8Array;
  readonly chunkCount: number;
}

/** Hooks the blob store needs from its store: the closed check and the store's write serialisation. */
export interface BlobStoreHost {
  /** Throws `DOCS_STORE_CLOSED` once the store is closed. */
  ensureOpen(): void;
  /** Runs a step that must not interleave with other writes of the store. */
  serialise<T>(task: () => Promise<T>): Promise<T>;
}

/**
 * Content by BLAKE3 hash in the store's database. Content is written in 256 KiB chunks under a random upload id
 * (so a stream never has to be held in memory) and becomes visible only when the hash row is written, in a batch
 * after the hash was checked. An upload interrupted by a crash is listed in `pendingUploads` and its chunks are
 * removed on the next open.
 */
export class LevelBlobStore implements BlobStore {
  constructor(
    private readonly database: LevelDatabase,
    private readonly host: BlobStoreHost,
  ) {}

  /** Stores bytes (copied) and returns their hash. */
  async put(bytes: Uint8Array): Promise<StoredBlob> {
    this.host.ensureOpen();
    const copy = bytes.slice();
    return this.store(copy, blake3(copy));
  }

  /** Stores streamed content chunk by chunk; with `expectedHash`, keeps it only if it hashes to it. */
  async putStream(chunks: ByteChunks, options: { readonly expectedHash?: Uint8Array } = {}): Promise<StoredBlob> {
    this.host.ensureOpen();
    const { expectedHash } = options;
    if (expectedHash !== undefined) checkHash(expectedHash);
    const uploadId = crypto.getRandomValues(new Uint8Array(UPLOAD_ID_LENGTH));
    await this.database.batch([{ type: 'put', key: pendingUploadKey(uploadId), value: new Uint8Array() }]);
    const hasher = createBlake3();
    let length = 0n;
    let chunkCount = 0;
    let buffer = new Uint8Array(BLOB_CHUNK_SIZE);
    let filled = 0;
    let queued: BatchOperation[] = [];
    const flushChunk = async (): Promise<void> => {
      queued.push({ type: 'put', key: chunkKey(uploadId, chunkCount++), value: buffer.slice(0, filled) });
      filled = 0;
      if (queued.length >= CHUNKS_PER_BATCH) await this.flush(queued.splice(0));
    };
    try {
      for await (const piece of chunks) {
        if (!(piece instanceof Uint8Array)) throw new TypeError('content chunks must be Uint8Arrays');
        hasher.update(piece);
        length += BigInt(piece.length);
        let offset = 0;
        while (offset < piece.length) {
          const taken = Math.min(piece.length - offset, BLOB_CHUNK_SIZE - filled);
          buffer.set(piece.subarray(offset, offset + taken), filled);
          filled += taken;
          offset += taken;
          if (filled === BLOB_CHUNK_SIZE) await flushChunk();
        }
      }
      if (filled > 0) await flushChunk();
      await this.flush(queued);
      queued = [];
      buffer = new Uint8Array();
      const hash = hasher.digest();
      if (expectedHash !== undefined && !equalBytes(hash, expectedHash)) {
        throw new StoreError(STORE_ERROR_CODES.CONTENT_MISMATCH, 'the streamed content does not hash to the expected hash');
      }
      return await this.commit(hash, { length, uploadId, chunkCount });
    } catch (error) {
      await this.discardUpload(uploadId, chunkCount).catch(() => undefined);
      throw error;
    }
  }

  /** The whole content (a fresh copy), or undefined. */
  async get(hash: Uint8Array): Promise<Uint8Array | undefined> {
    const info = await this.info(hash);
    if (info === undefined) return undefined;
    const out = new Uint8Array(Number(info.length));
    let offset = 0;
    for await (const chunk of this.chunks(info)) {
      if (offset + chunk.length > out.length) throw corruptedBlob();
      out.set(chunk, offset);
      offset += chunk.length;
    }
    if (offset !== out.length) throw corruptedBlob();
    return out;
  }

  /** The content as chunks of up to 256 KiB, read lazily, or undefined. */
  async getStream(hash: Uint8Array): Promise<AsyncIterable<Uint8Array> | undefined> {
    const info = await this.info(hash);
    if (info === undefined) return undefined;
    return { [Symbol.asyncIterator]: () => this.chunks(info) };
  }

  /** True if the content is stored. */
  async has(hash: Uint8Array): Promise<boolean> {
    return (await this.info(hash)) !== undefined;
  }

  /** The content length, or undefined. */
  async size(hash: Uint8Array): Promise<bigint | undefined> {
    return (await this.info(hash))?.length;
  }

  /** Deletes the content; false if it was not there. */
  async delete(hash: Uint8Array): Promise<boolean> {
    this.host.ensureOpen();
    checkHash(hash);
    return this.host.serialise(async () => {
      const info = await this.info(hash);
      if (info === undefined) return false;
      await this.database.batch([{ type: 'del', key: blobKey(hash) }, ...chunkDeletes(info.uploadId, info.chunkCount)]);
      return true;
    });
  }

  /** Removes the chunks of uploads that a crash interrupted (called on open). */
  async removeInterruptedUploads(): Promise<void> {
    const bounds = prefixBounds(Uint8Array.of(TABLE.pendingUploads));
    for await (const key of this.database.keys(bounds)) {
      const uploadId = key.slice(1);
      const chunks = prefixBounds(tableKey(TABLE.blobChunks, uploadId));
      await this.database.clear(chunks.gte, chunks.lt);
      await this.database.batch([{ type: 'del', key }]);
    }
  }

  private async *chunks(info: BlobInfo): AsyncGenerator<Uint8Array> {
    for (let index = 0; index < info.chunkCount; index++) {
      this.host.ensureOpen();
      const chunk = await this.database.get(chunkKey(info.uploadId, index));
      if (chunk === undefined) {
        throw new StoreError(STORE_ERROR_CODES.IO, 'the content was deleted while it was being read');
      }
      yield chunk.slice();
    }
  }

  private async info(hash: Uint8Array): Promise<BlobInfo | undefined> {
    this.host.ensureOpen();
    checkHash(hash);
    const value = await this.database.get(blobKey(hash));
    return value === undefined ? undefined : decodeBlobInfo(value);
  }

  /** Writes content held in memory: chunks, hash row and all, in one batch. */
  private async store(content: Uint8Array, hash: Uint8Array): Promise<StoredBlob> {
    const uploadId = crypto.getRandomValues(new Uint8Array(UPLOAD_ID_LENGTH));
    const length = BigInt(content.length);
    const operations: BatchOperation[] = [];
    for (let offset = 0; offset < content.length; offset += BLOB_CHUNK_SIZE) {
      operations.push({
        type: 'put',
        key: chunkKey(uploadId, operations.length),
        value: content.subarray(offset, offset + BLOB_CHUNK_SIZE),
      });
    }
    return this.host.serialise(async () => {
      if ((await this.info(hash)) === undefined) {
        const info = { length, uploadId, chunkCount: operations.length };
        await this.database.batch([...operations, { type: 'put', key: blobKey(hash), value: encodeBlobInfo(info) }]);
      }
      return { hash: hash.slice(), length };
    });
  }

  /** Makes a streamed upload visible under its hash (or drops it if the content is already stored). */
  private async commit(hash: Uint8Array, info: BlobInfo): Promise<StoredBlob> {
    return this.host.serialise(async () => {
      const existing = await this.info(hash);
      if (existing === undefined) {
        await this.database.batch([
          { type: 'del', key: pendingUploadKey(info.uploadId) },
          { type: 'put', key: blobKey(hash), value: encodeBlobInfo(info) },
        ]);
      } else {
        await this.discardUpload(info.uploadId, info.chunkCount);
      }
      return { hash: hash.slice(), length: info.length };
    });
  }

  private async discardUpload(uploadId: Uint8Array, chunkCount: number): Promise<void> {
    await this.database.batch([...chunkDeletes(uploadId, chunkCount), { type: 'del', key: pendingUploadKey(uploadId) }]);
  }

  private async flush(operations: BatchOperation[]): Promise<void> {
    this.host.ensureOpen();
    await this.database.batch(operations);
  }
}

function checkHash(hash: Uint8Array): void {
  if (!(hash instanceof Uint8Array) || hash.length !== HASH_LENGTH) {
    throw new RangeError(`a content hash is a ${HASH_LENGTH}-byte Uint8Array`);
  }
}

function corruptedBlob(): StoreError {
  return new StoreError(STORE_ERROR_CODES.CORRUPTED, 'the stored chunks do not add up to the stored content length');
}

function blobKey(hash: Uint8Array): Uint8Array {
  return tableKey(TABLE.blobs, hash);
}

/** The row of chunk `index` of an upload. */
export function chunkKey(uploadId: Uint8Array, index: number): Uint8Array {
  const suffix = new Uint8Array(4);
  new DataView(suffix.buffer).setUint32(0, index);
  return tableKey(TABLE.blobChunks, uploadId, suffix);
}

function pendingUploadKey(uploadId: Uint8Array): Uint8Array {
  return tableKey(TABLE.pendingUploads, uploadId);
}

function chunkDeletes(uploadId: Uint8Array, chunkCount: number): BatchOperation[] {
  return Array.from({ length: chunkCount }, (_, index) => ({ type: 'del', key: chunkKey(uploadId, index) }) as const);
}

function encodeBlobInfo(info: BlobInfo): Uint8Array {
  const out = new Uint8Array(8 + UPLOAD_ID_LENGTH + 4);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, info.length);
  out.set(info.uploadId, 8);
  view.setUint32(8 + UPLOAD_ID_LENGTH, info.chunkCount);
  return out;
}

/** Decodes a blobs-table row; malformed → `DOCS_STORE_CORRUPTED`. */
export function decodeBlobInfo(value: Uint8Array): BlobInfo {
  if (value.length !== 8 + UPLOAD_ID_LENGTH + 4) {
    throw new StoreError(STORE_ERROR_CODES.CORRUPTED, 'a blob row has the wrong size');
  }
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  return {
    length: view.getBigUint64(0),
    uploadId: value.slice(8, 8 + UPLOAD_ID_LENGTH),
    chunkCount: view.getUint32(8 + UPLOAD_ID_LENGTH),
  };
}
