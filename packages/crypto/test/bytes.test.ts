import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  base32ToBytes,
  bytesToBase32,
  bytesToHex,
  bytesToMapKey,
  compareBytes,
  concatBytes,
  CRYPTO_ERROR_CODES,
  equalBytes,
  hexToBytes,
  type DocsErrorCode,
} from '../src/index.js';
import { toHex } from './vectors.js';

const PROPERTY_SEED = 0xb17e5;
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

function codeOf(action: () => unknown): DocsErrorCode | undefined {
  try {
    action();
  } catch (error) {
    return (error as { code?: DocsErrorCode }).code;
  }
  return undefined;
}

describe('hex', () => {
  it('encodes lowercase and decodes either case', () => {
    expect(bytesToHex(Uint8Array.from([0, 1, 0xab, 0xff]))).toBe('0001abff');
    expect(toHex(hexToBytes('0001ABff'))).toBe('0001abff');
    expect(bytesToHex(new Uint8Array(0))).toBe('');
    expect(hexToBytes('')).toEqual(new Uint8Array(0));
  });

  it('round-trips any bytes (seeded)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const text = bytesToHex(bytes);
        expect(text).toBe(toHex(bytes));
        expect(hexToBytes(text)).toEqual(bytes);
      }),
      { seed: PROPERTY_SEED },
    );
  });

  it('rejects odd lengths and non-hex characters with DOCS_CRYPTO_INVALID_HEX', () => {
    for (const text of ['a', 'abc', 'zz', '0g', ' 00', '0x00', 'é0']) {
      expect(codeOf(() => hexToBytes(text))).toBe(CRYPTO_ERROR_CODES.invalidHex);
    }
    expect(() => hexToBytes(7 as unknown as string)).toThrow(TypeError);
  });
});

describe('base32', () => {
  it('matches the RFC 4648 §10 vectors, lowercase and unpadded', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'my'],
      ['fo', 'mzxq'],
      ['foo', 'mzxw6'],
      ['foob', 'mzxw6yq'],
      ['fooba', 'mzxw6ytb'],
      ['foobar', 'mzxw6ytboi'],
    ];
    for (const [plain, encoded] of vectors) {
      expect(bytesToBase32(utf8(plain))).toBe(encoded);
      expect(base32ToBytes(encoded)).toEqual(utf8(plain));
      expect(base32ToBytes(encoded.toUpperCase())).toEqual(utf8(plain));
    }
  });

  it('round-trips any bytes, and a 32-byte value takes 52 characters (seeded)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const text = bytesToBase32(bytes);
        expect(text).toMatch(/^[a-z2-7]*$/);
        expect(text).toHaveLength(Math.ceil((bytes.length * 8) / 5));
        expect(base32ToBytes(text)).toEqual(bytes);
      }),
      { seed: PROPERTY_SEED },
    );
    expect(bytesToBase32(new Uint8Array(32))).toHaveLength(52);
  });

  it('rejects impossible lengths, foreign characters, padding and non-zero trailing bits', () => {
    for (const text of ['m', 'mzx', 'mzxw6y', 'my======', 'mz', 'mzxr', 'm0', 'm1', 'm8', 'my!', 'mzxw6yq=']) {
      expect(codeOf(() => base32ToBytes(text)), text).toBe(CRYPTO_ERROR_CODES.invalidBase32);
    }
    expect(() => base32ToBytes(null as unknown as string)).toThrow(TypeError);
  });
});

describe('compareBytes / equalBytes / concatBytes', () => {
  it('orders lexicographically with a shorter prefix first', () => {
    expect(compareBytes(Uint8Array.from([1, 2]), Uint8Array.from([1, 3]))).toBe(-1);
    expect(compareBytes(Uint8Array.from([2]), Uint8Array.from([1, 3]))).toBe(1);
    expect(compareBytes(Uint8Array.from([1]), Uint8Array.from([1, 0]))).toBe(-1);
    expect(compareBytes(Uint8Array.from([1, 0]), Uint8Array.from([1]))).toBe(1);
    expect(compareBytes(new Uint8Array(0), new Uint8Array(0))).toBe(0);
    expect(compareBytes(Uint8Array.from([0xff]), Uint8Array.from([0x00]))).toBe(1);
  });

  it('agrees with comparing hex strings, and equalBytes with compare = 0 (seeded)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 6 }), fc.uint8Array({ maxLength: 6 }), (a, b) => {
        const expected = toHex(a) < toHex(b) ? -1 : toHex(a) > toHex(b) ? 1 : 0;
        expect(compareBytes(a, b)).toBe(expected);
        expect(compareBytes(b, a)).toBe(0 - expected);
        expect(equalBytes(a, b)).toBe(expected === 0);
      }),
      { seed: PROPERTY_SEED, numRuns: 1000 },
    );
  });

  it('concatenates into a new plain array', () => {
    const a = Uint8Array.from([1, 2]);
    const joined = concatBytes(a, new Uint8Array(0), Uint8Array.from([3]));
    expect(joined).toEqual(Uint8Array.from([1, 2, 3]));
    joined[0] = 9;
    expect(a[0]).toBe(1);
    expect(concatBytes()).toEqual(new Uint8Array(0));
    expect(() => concatBytes(a, [1] as unknown as Uint8Array)).toThrow(TypeError);
  });
});

describe('bytesToMapKey', () => {
  it('is equal exactly for equal bytes, one char per byte, long inputs included (seeded)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 10_000 }), fc.uint8Array({ maxLength: 10_000 }), (a, b) => {
        const same = a.length === b.length && a.every((byte, index) => b[index] === byte);
        expect(bytesToMapKey(a) === bytesToMapKey(b)).toBe(same);
        expect(bytesToMapKey(a)).toHaveLength(a.length);
      }),
      { seed: 20_241_129, numRuns: 300 },
    );
    const long = new Uint8Array(9_000).fill(7);
    const other = long.slice();
    other[8_999] = 8;
    expect(bytesToMapKey(long)).not.toBe(bytesToMapKey(other));
  });

  it('gives equal bytes equal strings and different bytes different ones, for keys of any length (seeded)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), (a, b) => {
        expect(bytesToMapKey(a) === bytesToMapKey(b)).toBe(bytesToHex(a) === bytesToHex(b));
        expect(bytesToMapKey(a)).toBe(bytesToMapKey(a.slice()));
      }),
      { seed: PROPERTY_SEED, numRuns: 500 },
    );
    // Longer than one call's arguments: split into parts, same result.
    const long = Uint8Array.from({ length: 300_000 }, (_, index) => (index * 31) & 0xff);
    const key = bytesToMapKey(long);
    expect(key).toHaveLength(long.length);
    expect([...key.slice(4090, 4100)].map((character) => character.charCodeAt(0))).toEqual([...long.subarray(4090, 4100)]);
    const changed = long.slice();
    changed[299_999]! ^= 1;
    expect(bytesToMapKey(changed)).not.toBe(key);
  });
});
