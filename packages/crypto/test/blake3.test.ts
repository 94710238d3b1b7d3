import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BLAKE3_OUTPUT_LENGTH, blake3, createBlake3 } from '../src/index.js';
import { readVectors, toHex, type Blake3Vectors } from './vectors.js';

const PROPERTY_SEED = 0xb1a4e3;
const vectors = readVectors<Blake3Vectors>('blake3.json');

/** The official test input: bytes 0, 1, …, 250 repeating. */
function testInput(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, index) => index % 251);
}

describe('blake3 (one-shot)', () => {
  it('has the vector file with every length', () => {
    expect(vectors.cases.length).toBeGreaterThanOrEqual(35);
  });

  it.each(vectors.cases.map((testCase) => [testCase.input_len, testCase.hash] as const))(
    'hashes %i bytes: default length and the full extended output',
    (inputLength, expected) => {
      const input = testInput(inputLength);
      expect(toHex(blake3(input))).toBe(expected.slice(0, 2 * BLAKE3_OUTPUT_LENGTH));
      expect(toHex(blake3(input, expected.length / 2))).toBe(expected);
    },
  );

  it('returns a plain Uint8Array of the requested length (0 allowed)', () => {
    for (const length of [0, 1, 32, 64, 1000]) {
      const output = blake3(new Uint8Array(5), length);
      expect(Object.getPrototypeOf(output)).toBe(Uint8Array.prototype);
      expect(output).toHaveLength(length);
    }
  });

  it('hashes a subarray by its own bytes, not its buffer', () => {
    const buffer = testInput(300);
    expect(toHex(blake3(buffer.subarray(10, 110)))).toBe(toHex(blake3(buffer.slice(10, 110))));
  });

  it('throws TypeError/RangeError on programmer mistakes', () => {
    expect(() => blake3('text' as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => blake3(new Uint8Array(1), -1)).toThrow(RangeError);
    expect(() => blake3(new Uint8Array(1), 1.5)).toThrow(RangeError);
    expect(() => blake3(new Uint8Array(1), 2 ** 32 + 1)).toThrow(RangeError);
  });
});

describe('createBlake3 (incremental)', () => {
  it.each(vectors.cases.map((testCase) => [testCase.input_len, testCase.hash] as const))(
    'hashes %i bytes fed in uneven pieces',
    (inputLength, expected) => {
      const input = testInput(inputLength);
      const pieceLengths = [1, 63, 64, 65, 1023, 1024, 1025, 3000];
      const hasher = createBlake3();
      for (let offset = 0, piece = 0; offset < input.length; piece++) {
        const end = Math.min(input.length, offset + pieceLengths[piece % pieceLengths.length]!);
        hasher.update(input.subarray(offset, end));
        offset = end;
      }
      expect(toHex(hasher.digest(expected.length / 2))).toBe(expected);
    },
  );

  it('equals the one-shot hash for any split of any input (seeded)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), fc.array(fc.nat(), { maxLength: 8 }), (input, cuts) => {
        const points = [...new Set(cuts.map((cut) => cut % (input.length + 1)))].sort((a, b) => a - b);
        const hasher = createBlake3();
        let start = 0;
        for (const point of [...points, input.length]) {
          hasher.update(input.subarray(start, point));
          start = point;
        }
        expect(toHex(hasher.digest())).toBe(toHex(blake3(input)));
      }),
      { seed: PROPERTY_SEED, numRuns: 200 },
    );
  });

  it('hashes large content streamed in 64 KiB chunks like the one-shot hash', () => {
    const size = process.env.SLOW === '1' ? 256 * 1024 * 1024 : 8 * 1024 * 1024;
    const chunk = testInput(64 * 1024);
    const hasher = createBlake3();
    for (let written = 0; written < size; written += chunk.length) hasher.update(chunk);
    const whole = new Uint8Array(size);
    for (let offset = 0; offset < size; offset += chunk.length) whole.set(chunk, offset);
    const streamed = hasher.digest();
    expect(Object.getPrototypeOf(streamed)).toBe(Uint8Array.prototype);
    expect(toHex(streamed)).toBe(toHex(blake3(whole)));
  });

  it('returns itself from update, and ends with digest', () => {
    const hasher = createBlake3();
    expect(hasher.update(new Uint8Array(1))).toBe(hasher);
    hasher.digest();
    expect(() => hasher.digest()).toThrow(TypeError);
    expect(() => hasher.update(new Uint8Array(1))).toThrow(TypeError);
  });

  it('throws TypeError/RangeError on programmer mistakes without ending the hasher', () => {
    const hasher = createBlake3();
    expect(() => hasher.update([1] as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => hasher.digest(-1)).toThrow(RangeError);
    expect(toHex(hasher.digest())).toBe(toHex(blake3(new Uint8Array(0))));
  });
});
