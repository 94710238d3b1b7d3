import { AuthorHeads } from '@docs/replica';
import { describe, expect, it } from 'vitest';

const author = (byte: number): Uint8Array => new Uint8Array(32).fill(byte);
/** A µs timestamp of 2023, whose varint takes 8 bytes, as in the reference test. */
const START = 1_700_000_000_000_000n;

describe('AuthorHeads', () => {
  it('author_heads_encode_decode: a 256-byte limit keeps the 6 newest of 10 heads', () => {
    const heads = new AuthorHeads();
    for (let index = 0; index < 10; index++) heads.insert(author(index), START + BigInt(index));
    const encoded = heads.encode(256);
    // 1-byte count + 6 × (8-byte varint + 32-byte id); a 7th head would make 281 bytes.
    expect(encoded.length).toBe(241);
    const decoded = AuthorHeads.decode(encoded);
    expect(decoded.size).toBe(6);
    const expected = AuthorHeads.from(
      Array.from({ length: 6 }, (_, n) => [author(9 - n), START + BigInt(9 - n)] as const),
    );
    expect(decoded.entries()).toEqual(expected.entries());
  });

  it('author_heads_compare: counts authors with newer or unknown heads', () => {
    const a = AuthorHeads.from([
      [author(0), 5n],
      [author(1), 7n],
    ]);
    const b = AuthorHeads.from([
      [author(0), 4n],
      [author(1), 6n],
      [author(2), 7n],
    ]);
    expect(a.hasNewsFor(b)).toBe(2);
    expect(b.hasNewsFor(a)).toBe(1);
    expect(a.hasNewsFor(a)).toBe(0);
  });

  it('keeps the newest timestamp per author', () => {
    const heads = new AuthorHeads();
    heads.insert(author(1), 10n);
    heads.insert(author(1), 3n);
    heads.insert(author(1), 12n);
    expect(heads.get(author(1))).toBe(12n);
    expect(heads.get(author(2))).toBeUndefined();
    expect(heads.size).toBe(1);
  });

  it('encodes newest first as postcard Vec<(u64, [u8; 32])>', () => {
    const heads = AuthorHeads.from([
      [author(1), 1n],
      [author(2), 300n],
    ]);
    const encoded = heads.encode();
    expect([...encoded]).toEqual([2, 0xac, 0x02, ...author(2), 1, ...author(1)]);
  });

  it('keeps authors with equal timestamps (the reference dropped all but one), ordered by id descending', () => {
    const heads = AuthorHeads.from([
      [author(1), 7n],
      [author(3), 7n],
      [author(2), 7n],
    ]);
    const encoded = heads.encode();
    expect(encoded.length).toBe(1 + 3 * 33);
    expect([...encoded.subarray(2, 34)]).toEqual([...author(3)]);
    expect([...encoded.subarray(35, 67)]).toEqual([...author(2)]);
    expect(AuthorHeads.decode(encoded).entries()).toEqual(heads.entries());
  });

  it('stops at the first head that does not fit, even when a smaller one would', () => {
    const heads = AuthorHeads.from([
      [author(1), START],
      [author(2), 5n],
    ]);
    // The newest head takes 1 + 8 + 32 = 41 bytes; the older one (1-byte varint) would fit in 41 + 33 = 74.
    expect(heads.encode(41).length).toBe(41);
    expect(AuthorHeads.decode(heads.encode(73)).size).toBe(1);
    expect(AuthorHeads.decode(heads.encode(74)).size).toBe(2);
    expect([...heads.encode(0)]).toEqual([0]);
  });

  it('refuses malformed input with DOCS_ENTRY_* codes', () => {
    const encoded = AuthorHeads.from([[author(1), 1n]]).encode();
    expect(() => AuthorHeads.decode(encoded.subarray(0, encoded.length - 1))).toThrow(
      expect.objectContaining({ code: 'DOCS_ENTRY_TRUNCATED' }),
    );
    expect(() => AuthorHeads.decode(Uint8Array.of(...encoded, 0))).toThrow(
      expect.objectContaining({ code: 'DOCS_ENTRY_TRAILING_BYTES' }),
    );
    expect(() => AuthorHeads.decode(Uint8Array.of(200, 1))).toThrow(
      expect.objectContaining({ code: 'DOCS_ENTRY_TRUNCATED' }),
    );
  });

  it('refuses a malformed author id or limit', () => {
    expect(() => new AuthorHeads().insert(new Uint8Array(31), 1n)).toThrow(RangeError);
    expect(() => new AuthorHeads().encode(-1)).toThrow(RangeError);
  });
});
