import { blake3, concatBytes, equalBytes } from '@docs/crypto';
import { STORE_ERROR_CODES } from '@docs/store';
import { collect, expectDocsError } from '@docs/store/conformance';
import { BLOB_CHUNK_SIZE, LevelStore, TABLE } from '@docs/store-level';
import { MemoryLevel } from 'memory-level';
import { describe, expect, test } from 'vitest';
import { tableBounds } from '../src/key-layout.js';
import { LevelDatabase } from '../src/level-database.js';

async function chunkRows(db: MemoryLevel): Promise<number> {
  let count = 0;
  for await (const _ of new LevelDatabase(db).keys(tableBounds(TABLE.blobChunks))) count++;
  return count;
}

function content(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let index = 0; index < length; index++) out[index] = (index * 31 + seed) & 0xff;
  return out;
}

describe('LevelBlobStore', () => {
  test('large content is kept in 256 KiB chunks, streamed back chunk by chunk, deleted with its chunks', async () => {
    const db = new MemoryLevel();
    const store = await LevelStore.open({ db });
    const large = content(2 * BLOB_CHUNK_SIZE + 1000, 1);
    const { hash, length } = await store.blobs.put(large);
    expect(length).toBe(BigInt(large.length));
    expect(await chunkRows(db)).toBe(3);
    const stream = await store.blobs.getStream(hash);
    const chunks = await collect(stream!);
    expect(chunks.map((chunk) => chunk.length)).toEqual([BLOB_CHUNK_SIZE, BLOB_CHUNK_SIZE, 1000]);
    expect(equalBytes(concatBytes(...chunks), large)).toBe(true);
    expect(await store.blobs.delete(hash)).toBe(true);
    expect(await chunkRows(db)).toBe(0);
    await store.close();
  });

  test('a stream is written as it arrives, verified, and leaves nothing behind when the hash is wrong', async () => {
    const db = new MemoryLevel();
    const store = await LevelStore.open({ db });
    const pieces = Array.from({ length: 40 }, (_, index) => content(50_000, index));
    const whole = concatBytes(...pieces);
    await expectDocsError(() => store.blobs.putStream(pieces, { expectedHash: blake3(new Uint8Array(1)) }), STORE_ERROR_CODES.CONTENT_MISMATCH);
    expect(await chunkRows(db)).toBe(0);
    const stored = await store.blobs.putStream(pieces, { expectedHash: blake3(whole) });
    expect(stored.length).toBe(BigInt(whole.length));
    expect(await chunkRows(db)).toBe(Math.ceil(whole.length / BLOB_CHUNK_SIZE));
    // The same content again keeps one copy.
    await store.blobs.putStream(pieces);
    await store.blobs.put(whole);
    expect(await chunkRows(db)).toBe(Math.ceil(whole.length / BLOB_CHUNK_SIZE));
    expect(equalBytes((await store.blobs.get(stored.hash)) ?? new Uint8Array(), whole)).toBe(true);
    expect((await store.checkIntegrity()).problems).toEqual([]);
    await store.close();
  });

  test('a failing source stream stores nothing; hashes of the wrong size are programmer errors', async () => {
    const db = new MemoryLevel();
    const store = await LevelStore.open({ db });
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield content(BLOB_CHUNK_SIZE * 2, 3);
      throw new Error('source broke');
    }
    await expect(store.blobs.putStream(failing())).rejects.toThrow('source broke');
    expect(await chunkRows(db)).toBe(0);
    await expect(store.blobs.has(new Uint8Array(31))).rejects.toBeInstanceOf(RangeError);
    await store.close();
  });
});
