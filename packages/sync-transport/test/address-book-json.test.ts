import { blake3, bytesToHex } from '@docs/crypto';
import {
  ADDRESS_BOOK_JSON_VERSION,
  MAX_ADDRESS_BOOK_JSON_LENGTH,
  MAX_PEER_ADDRESSES,
  SYNC_ERROR_CODES,
  SyncError,
  decodeAddressBookJson,
  encodeAddressBookJson,
  type PeerAddress,
} from '@docs/sync-transport';
import { describe, expect, test } from 'vitest';
import { text } from './helpers.js';

const peer = (index: number, addresses: string[] = [`ws://127.0.0.1:${4000 + index}/docs`]): PeerAddress => ({
  id: blake3(text(`json book peer ${index}`)),
  addresses,
});
const plain = (peers: readonly PeerAddress[]) => peers.map((each) => ({ id: bytesToHex(each.id), addresses: [...each.addresses] }));

/** The code of the `SyncError` that `run` throws. */
function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SyncError);
    return (error as SyncError).code;
  }
  return undefined;
}

describe('address book JSON', () => {
  test('peers round-trip in order, one a line, as versioned JSON with hex ids', () => {
    const peers = [peer(1), peer(2, ['tcp://[::1]:4000', 'ws://example.org/docs']), peer(3)];
    const json = encodeAddressBookJson(peers);
    expect(JSON.parse(json)).toEqual({ version: ADDRESS_BOOK_JSON_VERSION, peers: plain(peers) });
    expect(json.split('\n')).toHaveLength(peers.length + 3);
    expect(plain(decodeAddressBookJson(json))).toEqual(plain(peers));
    expect(decodeAddressBookJson(encodeAddressBookJson([]))).toEqual([]);
  });

  test('encoding keeps the engine bounds and, past 1 MiB, the most recent peers that fit', () => {
    const many = Array.from({ length: MAX_PEER_ADDRESSES + 3 }, (_, index) => `ws://127.0.0.1:${index}/docs`);
    expect(decodeAddressBookJson(encodeAddressBookJson([peer(1, many)]))[0]!.addresses).toEqual(many.slice(-MAX_PEER_ADDRESSES));
    const big = Array.from({ length: 600 }, (_, index) => peer(index, Array.from({ length: 8 }, (_, slot) => `ws://${'h'.repeat(400)}:${slot}`)));
    const json = encodeAddressBookJson(big);
    expect(new TextEncoder().encode(json).length).toBeLessThanOrEqual(MAX_ADDRESS_BOOK_JSON_LENGTH);
    const kept = decodeAddressBookJson(json);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(big.length);
    expect(plain(kept)).toEqual(plain(big.slice(-kept.length)));
    expect(() => encodeAddressBookJson([{ id: new Uint8Array(31), addresses: ['x'] }])).toThrow(RangeError);
  });

  test('a newer version is DOCS_SYNC_ADDRESS_BOOK_UNAVAILABLE; anything else wrong is DOCS_SYNC_ADDRESS_BOOK_INVALID with its cause', () => {
    expect(codeOf(() => decodeAddressBookJson(`{"version":${ADDRESS_BOOK_JSON_VERSION + 1},"peers":"anything"}`))).toBe(
      SYNC_ERROR_CODES.ADDRESS_BOOK_UNAVAILABLE,
    );
    for (const wrong of ['', '{"version":1,"peers":[', '[]', 'null', '{"version":0,"peers":[]}', '{"version":1,"peers":{}}', 'x'.repeat(MAX_ADDRESS_BOOK_JSON_LENGTH + 1)]) {
      expect(codeOf(() => decodeAddressBookJson(wrong)), wrong.slice(0, 40)).toBe(SYNC_ERROR_CODES.ADDRESS_BOOK_INVALID);
    }
    const error = (() => {
      try {
        return decodeAddressBookJson('{"version":1,"peers":[{"id":"abc","addresses":[]}]}');
      } catch (thrown) {
        return thrown;
      }
    })();
    expect((error as SyncError).cause).toBeInstanceOf(TypeError);
  });
});
