import { bytesToHex, hexToBytes } from '@docs/crypto';
import { ENTRY_ERROR_CODES, PostcardReader, PostcardWriter, U64_MAX, varintSize } from '@docs/entry';
import { describe, expect, test } from 'vitest';

const encode = (value: bigint | number) => bytesToHex(new PostcardWriter().varint(value).finish());
const decode = (hex: string) => {
  const reader = new PostcardReader(hexToBytes(hex));
  const value = reader.varint();
  reader.end();
  return value;
};
const codeOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
};

describe('LEB128 varints', () => {
  test.each([
    [0n, '00'],
    [1n, '01'],
    [127n, '7f'],
    [128n, '8001'],
    [300n, 'ac02'],
    [0x7fff_ffffn, 'ffffffff07'],
    [0x8000_0000n, '8080808008'],
    [1_700_000_000_000_000n, '8080f9c0c1c48203'],
    [U64_MAX, 'ffffffffffffffffff01'],
  ])('%s ⇔ %s', (value, hex) => {
    expect(encode(value)).toBe(hex);
    expect(decode(hex)).toBe(value);
    expect(varintSize(value)).toBe(hex.length / 2);
  });

  test.each([
    [2n ** 49n - 1n, 'ffffffffffff7f'],
    [2n ** 49n, '8080808080808001'],
    [2n ** 53n - 1n, 'ffffffffffffff0f'],
    [2n ** 53n, '8080808080808010'],
    [2n ** 53n + 1n, '8180808080808010'],
  ])('%s ⇔ %s: around the varints read as numbers (below 2^53) and as bigints', (value, hex) => {
    expect(encode(value)).toBe(hex);
    expect(decode(hex)).toBe(value);
  });

  test('random u64 values, and numbers below 2^31, round-trip and decode as a bigint-only reader would (seeded: 5)', () => {
    let state = 5;
    const random = (): number => {
      state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
      return state / 2 ** 32;
    };
    // A plain LEB128 reader: one bigint step per byte.
    const reference = (bytes: Uint8Array): bigint => bytes.reduce((value, byte, index) => value | (BigInt(byte & 0x7f) << BigInt(7 * index)), 0n);
    for (let run = 0; run < 2_000; run++) {
      const bits = BigInt(Math.floor(random() * 65));
      const value = BigInt(Math.floor(random() * 2 ** 32)) * 2n ** 32n + BigInt(Math.floor(random() * 2 ** 32));
      const u64 = bits === 64n ? value : value % 2n ** bits;
      const bytes = new PostcardWriter().varint(u64).finish();
      expect([u64, reference(bytes)]).toEqual([u64, u64]);
      expect(decode(bytesToHex(bytes))).toBe(u64);
      const small = Math.floor(random() * 2 ** 31);
      expect(bytesToHex(new PostcardWriter().varint(small).finish())).toBe(encode(BigInt(small)));
      expect(new PostcardReader(new PostcardWriter().varint(small).finish()).varintAtMost(2 ** 31, 'n')).toBe(small);
    }
  });

  test('any bytes read as a plain bigint LEB128 reader reads them: the same value and end, or the same error code (seeded: 6)', () => {
    let state = 6;
    const random = (): number => {
      state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
      return state / 2 ** 32;
    };
    const reference = (bytes: Uint8Array): { value?: bigint; end?: number; code?: string } => {
      let value = 0n;
      for (let index = 0; index < 10; index++) {
        if (index >= bytes.length) return { code: ENTRY_ERROR_CODES.TRUNCATED };
        const byte = bytes[index]!;
        value |= BigInt(byte & 0x7f) << BigInt(7 * index);
        if ((byte & 0x80) === 0) {
          if ((byte === 0 && index > 0) || value > U64_MAX) return { code: ENTRY_ERROR_CODES.INVALID_VARINT };
          return { value, end: index + 1 };
        }
      }
      return { code: ENTRY_ERROR_CODES.INVALID_VARINT };
    };
    // Bytes that end, continue, overflow and end non-minimally, at every length up to past the limit.
    const pool = [0x00, 0x01, 0x0f, 0x10, 0x7f, 0x80, 0x81, 0xff, 0x02];
    for (let run = 0; run < 20_000; run++) {
      const pick = (): number => pool[Math.floor(random() * pool.length)]!;
      // Half of them: 0 to 10 continuation bytes, then one from the pool (ending there, or not).
      const bytes =
        random() < 0.5
          ? Uint8Array.from([...Array.from({ length: Math.floor(random() * 11) }, () => 0x80 | Math.floor(random() * 128)), pick()])
          : Uint8Array.from({ length: Math.floor(random() * 13) }, () => (random() < 0.8 ? pick() : Math.floor(random() * 256)));
      const reader = new PostcardReader(bytes);
      let actual: { value?: bigint; end?: number; code?: string };
      try {
        actual = { value: reader.varint(), end: reader.offset };
      } catch (error) {
        actual = { code: String((error as { code?: string }).code) };
      }
      expect(actual, bytesToHex(bytes)).toEqual(reference(bytes));
    }
  });

  test('numbers and bigints encode alike', () => {
    expect(encode(300)).toBe(encode(300n));
  });

  test('refuses values outside u64 when writing', () => {
    expect(() => new PostcardWriter().varint(-1)).toThrow(RangeError);
    expect(() => new PostcardWriter().varint(U64_MAX + 1n)).toThrow(RangeError);
  });

  test.each([
    ['ffffffffffffffffff02', 'above 2^64 - 1'],
    ['ffffffffffffffffff7f', 'far above 2^64 - 1'],
    ['ffffffffffffffffff8001', 'eleven bytes'],
    ['8000', 'non-minimal zero'],
    ['ff00', 'non-minimal 127'],
    ['ffffffffffff00', 'non-minimal at the last byte read as a number'],
    ['ffffffffffffff00', 'non-minimal past the bytes read as a number'],
  ])('refuses %s (%s)', (hex) => {
    expect(codeOf(() => decode(hex))).toBe(ENTRY_ERROR_CODES.INVALID_VARINT);
  });

  test('refuses a truncated varint', () => {
    expect(codeOf(() => decode('80'))).toBe(ENTRY_ERROR_CODES.TRUNCATED);
    expect(codeOf(() => decode(''))).toBe(ENTRY_ERROR_CODES.TRUNCATED);
    expect(codeOf(() => decode('ffffffffffffff'))).toBe(ENTRY_ERROR_CODES.TRUNCATED);
    expect(codeOf(() => decode('ffffffffffffffff'))).toBe(ENTRY_ERROR_CODES.TRUNCATED);
  });

  test('a bounded varint or count above its limit is refused, long or short', () => {
    expect(codeOf(() => new PostcardReader(hexToBytes('8002')).varintAtMost(255, 'tag'))).toBe(ENTRY_ERROR_CODES.INVALID_LENGTH);
    expect(codeOf(() => new PostcardReader(hexToBytes('ffffffffffffffff01')).varintAtMost(2 ** 32, 'length'))).toBe(ENTRY_ERROR_CODES.INVALID_LENGTH);
    expect(codeOf(() => new PostcardReader(hexToBytes('ffffffffffffffff01')).count(1, 'items'))).toBe(ENTRY_ERROR_CODES.TRUNCATED);
    expect(new PostcardReader(hexToBytes('ff01')).varintAtMost(255, 'tag')).toBe(255);
  });
});

describe('reader bounds', () => {
  test('a byte-string length past the end is refused before anything is allocated', () => {
    const reader = new PostcardReader(hexToBytes('ffffffff0f0102'));
    expect(codeOf(() => reader.bytes())).toBe(ENTRY_ERROR_CODES.TRUNCATED);
  });

  test('a sequence count that cannot fit is refused', () => {
    const reader = new PostcardReader(hexToBytes('05' + '00'.repeat(9)));
    expect(codeOf(() => reader.count(2, 'items'))).toBe(ENTRY_ERROR_CODES.TRUNCATED);
    const fits = new PostcardReader(hexToBytes('05' + '00'.repeat(10)));
    expect(fits.count(2, 'items')).toBe(5);
  });

  test('trailing bytes are refused by end()', () => {
    const reader = new PostcardReader(hexToBytes('0100'));
    reader.u8();
    expect(codeOf(() => reader.end())).toBe(ENTRY_ERROR_CODES.TRAILING_BYTES);
  });

  test('bools are 0 or 1', () => {
    expect(new PostcardReader(hexToBytes('01')).bool()).toBe(true);
    expect(codeOf(() => new PostcardReader(hexToBytes('02')).bool())).toBe(ENTRY_ERROR_CODES.INVALID_TAG);
  });

  test('the writer grows past its initial capacity', () => {
    const writer = new PostcardWriter(1);
    const payload = new Uint8Array(1000).fill(7);
    const bytes = writer.bytes(payload).finish();
    expect(bytes.length).toBe(1002);
    expect(new PostcardReader(bytes).bytes()).toEqual(payload);
  });
});
