import { describe, expect, test } from 'vitest';
import { halfSipHash24 } from '../src/half-siphash.js';

// The reference `vectors_hsip32` (HalfSipHash-2-4, 32-bit output): key 00..07, message 00..(n-1), as u32 LE.
const REFERENCE = [
  0x5b9f35a9, 0xb85a4727, 0x03a662fa, 0x04e7fe8a, 0x89466e2a, 0x69b6fac5, 0x23fc6358, 0xc563cf8b, 0x8f84b8d0,
  0x79e706f8, 0x3479b094, 0x50300808, 0x2f87f057, 0xff63e677, 0x7cf8ffd6, 0x972bfe74, 0x84acb5d9, 0x5b6474c4,
  0x9b8d5b46, 0x87e3ef7b, 0x45104de3,
];

describe('halfSipHash24', () => {
  const key = Uint8Array.from({ length: 8 }, (_, index) => index);

  test.each(REFERENCE.map((expected, length) => [length, expected] as const))('reference vector, %i message bytes', (length, expected) => {
    expect(halfSipHash24(key, Uint8Array.from({ length }, (_, index) => index))).toBe(expected);
  });

  test('the key changes the output; a wrong key size is a RangeError', () => {
    const message = new Uint8Array(70).fill(7);
    expect(halfSipHash24(key, message)).not.toBe(halfSipHash24(key.map((byte) => byte ^ 1), message));
    expect(() => halfSipHash24(new Uint8Array(7), message)).toThrow(RangeError);
  });
});
