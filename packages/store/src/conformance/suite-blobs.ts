import { blake3, bytesToHex, concatBytes } from '@docs/crypto';
import { EMPTY_HASH } from '@docs/entry';
import { describe, expect, test } from 'vitest';
import { STORE_ERROR_CODES } from '../errors.js';
import { expectDocsError, expectPlainBytes, expectSameBytes } from './assertions.js';
import { collect, toBytes } from './fixtures.js';
import type { StoreHarness } from './harness.js';
import { SeededRandom } from './seeded-random.js';

/** Chunks of pseudo-random sizes (0 to 1 KiB) and bytes. */
function randomChunks(random: SeededRandom, count: number): Uint8Array[] {
  return Array.from({ length: count }, () => random.bytes(random.below(1025)));
}

async function* slowly(chunks: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const [index, chunk] of chunks.entries()) {
    if (index % 64 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
    yield chunk;
  }
}

/** The blob store beside the entries: put/get/has/size/delete, streams, verification. */
export function registerBlobTests(harness: StoreHarness): void {
  describe('blobs', () => {
    test('put, get, has, size, delete', async () => {
      const { blobs } = await harness.create();
      const content = toBytes('hello world');
      const hash = blake3(content);
      expect(await blobs.has(hash)).toBe(false);
      expect(await blobs.get(hash)).toBeUndefined();
      expect(await blobs.size(hash)).toBeUndefined();
      expect(await blobs.getStream(hash)).toBeUndefined();
      const stored = await blobs.put(content);
      expectSameBytes(stored.hash, hash);
      expectPlainBytes(stored.hash, 'stored hash');
      expect(stored.length).toBe(BigInt(content.length));
      expect(await blobs.has(hash)).toBe(true);
      expect(await blobs.size(hash)).toBe(11n);
      const read = await blobs.get(hash);
      expectPlainBytes(read, 'blob content');
      expectSameBytes(read, content);
      // Putting the same content again is harmless.
      expectSameBytes((await blobs.put(content.slice())).hash, hash);
      expect(await blobs.delete(hash)).toBe(true);
      expect(await blobs.delete(hash)).toBe(false);
      expect(await blobs.has(hash)).toBe(false);
      expect(await blobs.get(hash)).toBeUndefined();
    });

    test('stored content is a copy: later changes to the caller buffer do not leak in', async () => {
      const { blobs } = await harness.create();
      const content = toBytes('immutable');
      const { hash } = await blobs.put(content);
      content.fill(0);
      expectSameBytes(await blobs.get(hash), toBytes('immutable'));
      const read = await blobs.get(hash);
      read?.fill(1);
      expectSameBytes(await blobs.get(hash), toBytes('immutable'));
    });

    test('empty content hashes to the empty hash', async () => {
      const { blobs } = await harness.create();
      const stored = await blobs.put(new Uint8Array());
      expectSameBytes(stored.hash, EMPTY_HASH);
      expect(stored.length).toBe(0n);
      expect(await blobs.has(EMPTY_HASH)).toBe(true);
      expectSameBytes(await blobs.get(EMPTY_HASH), new Uint8Array());
    });

    test('putStream with many chunks (sync and async), getStream', async () => {
      const { blobs } = await harness.create();
      const random = new SeededRandom(7);
      const chunks = randomChunks(random, 600);
      const whole = concatBytes(...chunks);
      const hash = blake3(whole);
      const fromAsync = await blobs.putStream(slowly(chunks));
      expectSameBytes(fromAsync.hash, hash);
      expect(fromAsync.length).toBe(BigInt(whole.length));
      expectSameBytes(await blobs.get(hash), whole);
      const stream = await blobs.getStream(hash);
      expect(stream).toBeDefined();
      const streamed = await collect(stream!);
      streamed.forEach((chunk, index) => expectPlainBytes(chunk, `streamed chunk ${index}`));
      expectSameBytes(concatBytes(...streamed), whole);

      const second = randomChunks(random, 300);
      const secondWhole = concatBytes(...second);
      const fromSync = await blobs.putStream(second, { expectedHash: blake3(secondWhole) });
      expectSameBytes(fromSync.hash, blake3(secondWhole));
      expect(await blobs.size(fromSync.hash)).toBe(BigInt(secondWhole.length));
      expectSameBytes(await blobs.get(fromSync.hash), secondWhole);
    });

    test('putStream with a mismatched expectedHash → DOCS_STORE_CONTENT_MISMATCH, nothing stored', async () => {
      const { blobs } = await harness.create();
      const chunks = randomChunks(new SeededRandom(8), 50);
      const whole = concatBytes(...chunks);
      const actual = blake3(whole);
      const claimed = blake3(toBytes('something else'));
      await expectDocsError(() => blobs.putStream(slowly(chunks), { expectedHash: claimed }), STORE_ERROR_CODES.CONTENT_MISMATCH);
      expect(await blobs.has(claimed)).toBe(false);
      expect(await blobs.has(actual)).toBe(false);
      expect(await blobs.get(claimed)).toBeUndefined();
      // The store still works afterwards.
      expectSameBytes((await blobs.putStream(chunks, { expectedHash: actual })).hash, actual);
      expect(bytesToHex((await blobs.get(actual)) ?? new Uint8Array())).toBe(bytesToHex(whole));
    });
  });
}
