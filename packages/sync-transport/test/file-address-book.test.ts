import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blake3, bytesToHex } from '@docs/crypto';
import {
  MAX_ADDRESS_BOOK_JSON_LENGTH,
  MAX_ADDRESS_BOOK_PEERS,
  MAX_PEER_ADDRESS_LENGTH,
  MAX_PEER_ADDRESSES,
  SYNC_ERROR_CODES,
  type PeerAddress,
} from '@docs/sync-transport';
import { fileAddressBook } from '@docs/sync-transport/address-file';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { text } from './helpers.js';

let directory: string;
let path: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'docs-address-book-'));
  path = join(directory, 'peers.json');
});
afterEach(() => rm(directory, { recursive: true, force: true }));

/** A deterministic 32-byte peer id. */
const peerId = (index: number): Uint8Array => blake3(text(`address book peer ${index}`));
const peer = (index: number, addresses: string[] = [`tcp://127.0.0.1:${10_000 + index}`]): PeerAddress => ({ id: peerId(index), addresses });
/** Peers as comparable plain values. */
const plain = (peers: readonly PeerAddress[]) => peers.map((each) => ({ id: bytesToHex(each.id), addresses: [...each.addresses] }));
const fileOf = (peers: unknown, version: unknown = 1) => JSON.stringify({ version, peers });

async function loadError(): Promise<{ code?: string; cause?: unknown }> {
  return fileAddressBook(path).load().then(
    () => expect.fail('the load should have been rejected'),
    (error: { code?: string; cause?: unknown }) => error,
  );
}

describe('fileAddressBook', () => {
  test('saves and loads peers in order, ids as bytes, in the documented format', async () => {
    const peers = [peer(1), peer(2, ['tcp://[::1]:4000', 'ws://example.org:80/docs']), peer(3)];
    await fileAddressBook(path).save(peers);
    const loaded = await fileAddressBook(path).load();
    expect(plain(loaded)).toEqual(plain(peers));
    expect(loaded[0]!.id).toBeInstanceOf(Uint8Array);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ version: 1, peers: plain(peers) });
  });

  test('a missing file loads as an empty book; an empty book round-trips', async () => {
    expect(await fileAddressBook(path).load()).toEqual([]);
    await fileAddressBook(path).save([]);
    expect(await fileAddressBook(path).load()).toEqual([]);
  });

  test.each([
    ['malformed JSON', '{"version":1,"peers":['],
    ['not UTF-8', new Uint8Array([0x7b, 0xff, 0x7d])],
    ['a JSON array', '[]'],
    ['an older version', fileOf([], 0)],
    ['a version that is not an integer', fileOf([], 1.5)],
    ['no version', JSON.stringify({ peers: [] })],
    ['peers not a list', fileOf({})],
    ['a peer that is not an object', fileOf([7])],
    ['a bad hex id', fileOf([{ id: 'zz'.repeat(32), addresses: [] }])],
    ['an id of 31 bytes', fileOf([{ id: 'ab'.repeat(31), addresses: [] }])],
    ['an id of 33 bytes', fileOf([{ id: 'ab'.repeat(33), addresses: [] }])],
    ['an address that is not a string', fileOf([{ id: 'ab'.repeat(32), addresses: [80] }])],
    ['more than 1 MiB', fileOf([{ id: 'ab'.repeat(32), addresses: ['x'.repeat(MAX_ADDRESS_BOOK_JSON_LENGTH)] }])],
  ])('a file with %s is rejected with DOCS_SYNC_ADDRESS_BOOK_INVALID, the cause attached', async (_, contents) => {
    await writeFile(path, contents);
    const error = await loadError();
    expect(error.code).toBe(SYNC_ERROR_CODES.ADDRESS_BOOK_INVALID);
    expect(error.cause).toBeInstanceOf(Error);
  });

  test('a file that cannot be read or written is DOCS_SYNC_ADDRESS_BOOK_UNAVAILABLE', async () => {
    await mkdir(path);
    expect((await loadError()).code).toBe(SYNC_ERROR_CODES.ADDRESS_BOOK_UNAVAILABLE);
    const unwritable = fileAddressBook(join(directory, 'no such directory', 'peers.json'));
    await expect(unwritable.save([peer(1)])).rejects.toMatchObject({ code: SYNC_ERROR_CODES.ADDRESS_BOOK_UNAVAILABLE });
  });

  test('a file of a newer version, or a path that is not a regular file, is DOCS_SYNC_ADDRESS_BOOK_UNAVAILABLE', async () => {
    await writeFile(path, fileOf([], 2));
    expect((await loadError()).code).toBe(SYNC_ERROR_CODES.ADDRESS_BOOK_UNAVAILABLE);
    await rm(path);
    await mkdir(path);
    expect((await loadError()).code).toBe(SYNC_ERROR_CODES.ADDRESS_BOOK_UNAVAILABLE);
    await rm(path, { recursive: true });
    // A FIFO would block a plain open forever.
    execFileSync('mkfifo', [path]);
    expect((await loadError()).code).toBe(SYNC_ERROR_CODES.ADDRESS_BOOK_UNAVAILABLE);
  });

  test('any file contents load as a valid bounded book or fail with DOCS_SYNC_ADDRESS_BOOK_INVALID (seeded)', async () => {
    const hexId = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(bytesToHex);
    const almostPeer = fc.record(
      { id: fc.oneof(hexId, fc.string(), fc.jsonValue()), addresses: fc.oneof(fc.array(fc.string()), fc.jsonValue()) },
      { requiredKeys: [] },
    );
    const contents = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc.record({ version: fc.oneof(fc.constant(1), fc.jsonValue()), peers: fc.oneof(fc.array(almostPeer), fc.jsonValue()) }).map((value) => JSON.stringify(value)),
      fc.tuple(fc.array(fc.record({ id: hexId, addresses: fc.array(fc.string()) })), fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 4 })).map(
        ([peers, position, noise]) => {
          const valid = new TextEncoder().encode(fileOf(peers));
          const at = position % (valid.length + 1);
          return new Uint8Array([...valid.subarray(0, at), ...noise, ...valid.subarray(at)]);
        },
      ),
    );
    let valid = 0;
    await fc.assert(
      fc.asyncProperty(contents, async (bytes) => {
        await writeFile(path, bytes);
        try {
          const loaded = await fileAddressBook(path).load();
          valid++;
          expect(loaded.length).toBeLessThanOrEqual(MAX_ADDRESS_BOOK_PEERS);
          expect(new Set(loaded.map((each) => bytesToHex(each.id))).size).toBe(loaded.length);
          for (const each of loaded) {
            expect(each.id.length).toBe(32);
            expect(each.addresses.length).toBeGreaterThan(0);
            expect(each.addresses.length).toBeLessThanOrEqual(MAX_PEER_ADDRESSES);
            expect(each.addresses.every((address) => typeof address === 'string' && address.length <= MAX_PEER_ADDRESS_LENGTH)).toBe(true);
          }
        } catch (error) {
          // A newer version is left alone (UNAVAILABLE); anything else wrong is INVALID.
          const newer = /has version \d+, this one reads/.test(String(error));
          expect((error as { code?: string }).code, String(error)).toBe(
            newer ? SYNC_ERROR_CODES.ADDRESS_BOOK_UNAVAILABLE : SYNC_ERROR_CODES.ADDRESS_BOOK_INVALID,
          );
        }
      }),
      { seed: 0xadd7e55, numRuns: 400 },
    );
    expect(valid).toBeGreaterThan(0);
  });

  test('loading applies the bounds: the newest 1,024 peers, the newest 16 addresses, no long addresses, no duplicates', async () => {
    const many = Array.from({ length: MAX_ADDRESS_BOOK_PEERS + 76 }, (_, index) => plain([peer(index)])[0]!);
    const crowded = Array.from({ length: 20 }, (_, index) => `tcp://127.0.0.1:${20_000 + index}`);
    const last = many.length - 1;
    many[last] = { id: many[last]!.id, addresses: [...crowded, `ws://example.org/${'x'.repeat(MAX_PEER_ADDRESS_LENGTH)}`] };
    many.push({ id: many[100]!.id, addresses: ['tcp://127.0.0.1:1'] }); // listed again: moves to the end, addresses merged
    many.push({ id: bytesToHex(peerId(-1)), addresses: [] }); // nothing to dial: dropped
    await writeFile(path, fileOf(many));
    const loaded = plain(await fileAddressBook(path).load());
    expect(loaded).toHaveLength(MAX_ADDRESS_BOOK_PEERS);
    expect(loaded[0]!.id).toBe(many[76]!.id); // 1,100 distinct peers with addresses: the 76 least recent dropped
    expect(loaded.at(-2)).toEqual({ id: many[last]!.id, addresses: crowded.slice(-MAX_PEER_ADDRESSES) });
    expect(loaded.at(-1)).toEqual({ id: many[100]!.id, addresses: [...many[100]!.addresses, 'tcp://127.0.0.1:1'] });
  });

  test('a save larger than 1 MiB keeps the most recent peers that fit, and loads', async () => {
    const long = (index: number, slot: number) => `ws://peer-${index}-${slot}.example.org/${'p'.repeat(MAX_PEER_ADDRESS_LENGTH - 60)}`;
    const peers = Array.from({ length: MAX_ADDRESS_BOOK_PEERS }, (_, index) =>
      peer(index, Array.from({ length: MAX_PEER_ADDRESSES }, (_, slot) => long(index, slot))),
    );
    await fileAddressBook(path).save(peers);
    expect((await stat(path)).size).toBeLessThanOrEqual(MAX_ADDRESS_BOOK_JSON_LENGTH);
    const loaded = plain(await fileAddressBook(path).load());
    expect(loaded.length).toBeGreaterThan(100);
    expect(loaded.length).toBeLessThan(peers.length);
    expect(loaded).toEqual(plain(peers.slice(-loaded.length)));
  });

  test('saves are atomic and in order: a leftover temporary file is ignored, none is left behind, the last save wins', async () => {
    const book = fileAddressBook(path);
    await book.save([peer(1)]);
    await writeFile(join(directory, '.peers.json.0123456789ab.tmp'), '{"version":1,"peers":[{"id":"'); // a crash mid-save
    expect(plain(await book.load())).toEqual(plain([peer(1)]));
    const saves = Array.from({ length: 20 }, (_, index) => book.save([peer(index), peer(index + 1)]));
    await Promise.all(saves);
    expect(plain(await book.load())).toEqual(plain([peer(19), peer(20)]));
    expect((await readdir(directory)).sort()).toEqual(['.peers.json.0123456789ab.tmp', 'peers.json']);
  });

  test('programmer mistakes throw: an empty path, a peer id that is not 32 bytes', async () => {
    expect(() => fileAddressBook('')).toThrow(TypeError);
    await expect(fileAddressBook(path).save([{ id: new Uint8Array(31), addresses: ['tcp://127.0.0.1:1'] }])).rejects.toThrow(RangeError);
  });
});
