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
  ])('refuses %s (%s)', (hex) => {
    expect(codeOf(() => decode(hex))).toBe(ENTRY_ERROR_CODES.INVALID_VARINT);
  });

  test('refuses a truncated varint', () => {
    expect(codeOf(() => decode('80'))).toBe(ENTRY_ERROR_CODES.TRUNCATED);
    expect(codeOf(() => decode(''))).toBe(ENTRY_ERROR_CODES.TRUNCATED);
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
