import { bytesToHex, idToString } from '@docs/crypto';
import { describe, expect, test } from 'vitest';
import { loadPeer, parsePeerAddress, savePeer } from '../src/peer-address.js';

const id = Uint8Array.from({ length: 32 }, (_, index) => index * 7);

describe('parsePeerAddress', () => {
  test('takes the node id in hex or base32, and a ws:// or wss:// address', () => {
    for (const text of [`${bytesToHex(id)}@ws://127.0.0.1:4920/docs`, `  ${idToString(id, 'base32')}@ws://127.0.0.1:4920/docs `]) {
      const peer = parsePeerAddress(text);
      expect(bytesToHex(peer.id)).toBe(bytesToHex(id));
      expect(peer.addresses).toEqual(['ws://127.0.0.1:4920/docs']);
    }
    expect(parsePeerAddress(`${bytesToHex(id)}@wss://example.test/docs`).addresses).toEqual(['wss://example.test/docs']);
  });

  test('refuses what a browser cannot dial or is not a peer, with a TypeError', () => {
    for (const text of ['ws://127.0.0.1:4920/docs', `${bytesToHex(id)}@tcp://127.0.0.1:4919`, `${bytesToHex(id)}@127.0.0.1:4919`, 'xyz@ws://127.0.0.1:1/docs']) {
      expect(() => parsePeerAddress(text), text).toThrow(TypeError);
    }
  });

  test('a peer survives its saved form', () => {
    const peer = parsePeerAddress(`${bytesToHex(id)}@ws://127.0.0.1:4920/docs`);
    const restored = loadPeer(JSON.parse(JSON.stringify(savePeer(peer))) as ReturnType<typeof savePeer>);
    expect(bytesToHex(restored.id)).toBe(bytesToHex(peer.id));
    expect(restored.addresses).toEqual(peer.addresses);
  });
});
