import { NamespaceSecret, bytesToHex, hexToBytes } from '@docs/crypto';
import { readCapability, writeCapability } from '@docs/entry';
import { SYNC_ERROR_CODES, decodeDocTicket, encodeDocTicket, type DocTicket } from '@docs/sync-transport';
import { describe, expect, test } from 'vitest';

/** RFC 4648 base32, lowercase, no padding — written here independently of @docs/crypto. */
function base32(bytes: Uint8Array): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

describe('document tickets', () => {
  test('the reference test vector (ticket/doc.rs test_ticket_base32, head format without addresses)', () => {
    const id = hexToBytes('ae58ff8833241ac82d6ff7611046ed67b5072d142c588d0063e942d9a75502b6');
    const ticket = encodeDocTicket({ capability: readCapability(id), nodes: [{ id, addresses: [] }] });
    const expectedBytes = hexToBytes(`0001${bytesToHex(id)}01${bytesToHex(id)}00`);
    expect(ticket).toBe(`doc${base32(expectedBytes)}`);
    const decoded = decodeDocTicket(ticket);
    expect(decoded.capability).toEqual({ kind: 'read', id });
    expect(decoded.nodes).toEqual([{ id, addresses: [] }]);
  });

  test('addresses: tcp IPv4 and IPv6 travel as socket addresses, anything else as a URL', () => {
    const secret = NamespaceSecret.fromBytes(new Uint8Array(32).fill(7));
    const node = new Uint8Array(32).fill(9);
    const addresses = ['tcp://127.0.0.1:4919', 'tcp://[::1]:80', 'ws://example.com:8080/docs', 'memory://alice'];
    const ticket: DocTicket = { capability: writeCapability(secret), nodes: [{ id: node, addresses }] };
    const encoded = encodeDocTicket(ticket);
    expect(encoded).toMatch(/^doc[a-z2-7]+$/);
    const decoded = decodeDocTicket(encoded);
    expect(decoded.capability.kind).toBe('write');
    expect(bytesToHex(decoded.nodes[0]!.id)).toBe(bytesToHex(node));
    expect([...decoded.nodes[0]!.addresses].sort()).toEqual(
      ['tcp://127.0.0.1:4919', 'tcp://[0:0:0:0:0:0:0:1]:80', 'ws://example.com:8080/docs', 'memory://alice'].sort(),
    );
    // The IPv4 address is postcard `TransportAddr::Ip(SocketAddr::V4([127,0,0,1], 4919))`: 01 00 7f000001 b726.
    const bytes = base32Decode(encoded.slice(3));
    expect(bytesToHex(bytes)).toContain('01007f000001b726');
    // Decoding and encoding again is stable.
    expect(encodeDocTicket(decodeDocTicket(encoded))).toBe(encodeDocTicket(decoded));
  });

  test('malformed tickets are refused with DOCS_SYNC_INVALID_TICKET', () => {
    const id = new Uint8Array(32).fill(1);
    const good = encodeDocTicket({ capability: readCapability(id), nodes: [{ id, addresses: [] }] });
    const noNodes = `doc${base32(hexToBytes(`0001${bytesToHex(id)}00`))}`;
    for (const bad of ['', 'doc', 'xyz' + good.slice(3), good.slice(0, -4), good + 'aa', `doc${base32(Uint8Array.of(1))}`, noNodes, 'docABC!']) {
      expect(() => decodeDocTicket(bad), bad).toThrow(expect.objectContaining({ code: SYNC_ERROR_CODES.INVALID_TICKET }));
    }
    expect(() => encodeDocTicket({ capability: readCapability(id), nodes: [] })).toThrow(TypeError);
  });
});

function base32Decode(text: string): Uint8Array {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of text) {
    value = (value << 5) | alphabet.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}
