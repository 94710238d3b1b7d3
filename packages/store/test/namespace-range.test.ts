import { bytesToHex, compareBytes } from '@docs/crypto';
import { rangeContains } from '@docs/rbsr';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clampRange, incrementBytes, namespaceInterval, prefixInterval, type KeyInterval } from '../src/namespace-range.js';

const PROPERTY_SEED = 20_241_125;
const hex = (bytes: Uint8Array | undefined): string | undefined => (bytes === undefined ? undefined : bytesToHex(bytes));
const within = (interval: KeyInterval, key: Uint8Array): boolean =>
  compareBytes(interval.from, key) <= 0 && (interval.to === undefined || compareBytes(key, interval.to) < 0);

describe('incrementBytes / prefixInterval', () => {
  it('increments with carry and drops trailing 0xff; all-0xff and empty have no bound', () => {
    expect(hex(incrementBytes(new Uint8Array([1, 2])))).toBe('0103');
    expect(hex(incrementBytes(new Uint8Array([1, 0xff])))).toBe('02');
    expect(hex(incrementBytes(new Uint8Array([0, 0xff, 0xff])))).toBe('01');
    expect(incrementBytes(new Uint8Array([0xff, 0xff]))).toBeUndefined();
    expect(incrementBytes(new Uint8Array())).toBeUndefined();
    const input = new Uint8Array([5, 0xff]);
    incrementBytes(input);
    expect(hex(input)).toBe('05ff');
  });

  it('a prefix interval holds exactly the keys starting with the prefix (bounds test of fs/bounds.rs)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4 }), fc.uint8Array({ maxLength: 6 }), (prefix, key) => {
        const startsWith = key.length >= prefix.length && prefix.every((byte, index) => key[index] === byte);
        expect(within(prefixInterval(prefix), key)).toBe(startsWith);
      }),
      { seed: PROPERTY_SEED, numRuns: 2_000 },
    );
    // fs.rs test_ranges: [255,255] and [255,255,255] are found by the prefix [255].
    const interval = prefixInterval(new Uint8Array([255]));
    expect(within(interval, new Uint8Array([255, 255]))).toBe(true);
    expect(within(interval, new Uint8Array([255, 255, 255]))).toBe(true);
  });
});

describe('clampRange', () => {
  const byteArrays = fc.uint8Array({ minLength: 0, maxLength: 3 });
  // Short "namespaces" make collisions between keys, bounds and the namespace edges likely.
  const keyLike = (namespace: Uint8Array) =>
    fc.oneof(
      byteArrays,
      byteArrays.map((tail) => Uint8Array.from([...namespace, ...tail])),
      fc.constant(namespace),
      fc.constant(incrementBytes(namespace) ?? new Uint8Array([0xff, 0xff, 0xff, 0xff])),
    );

  it('reads exactly the namespace keys the range contains, in key order, with no other namespace', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 2 }).chain((namespace) =>
          fc.tuple(fc.constant(namespace), keyLike(namespace), keyLike(namespace), fc.array(keyLike(namespace), { maxLength: 20 })),
        ),
        ([namespace, x, y, keys]) => {
          const pieces = clampRange(namespace, { x, y });
          const whole = namespaceInterval(namespace);
          for (const piece of pieces) {
            expect(piece.to === undefined || compareBytes(piece.from, piece.to) < 0).toBe(true);
            expect(compareBytes(piece.from, whole.from)).toBeGreaterThanOrEqual(0);
            if (whole.to !== undefined) expect(piece.to !== undefined && compareBytes(piece.to, whole.to) <= 0).toBe(true);
          }
          for (let index = 1; index < pieces.length; index++) {
            const previous = pieces[index - 1]!;
            expect(previous.to !== undefined && compareBytes(previous.to, pieces[index]!.from) <= 0).toBe(true);
          }
          for (const key of keys) {
            const inNamespace = within(whole, key);
            expect(pieces.some((piece) => within(piece, key))).toBe(inNamespace && rangeContains({ x, y }, key));
          }
        },
      ),
      { seed: PROPERTY_SEED, numRuns: 3_000 },
    );
  });

  it('x == y is the whole namespace; a wrap gives [start, y) then [x, end)', () => {
    const namespace = new Uint8Array([7]);
    const at = (...bytes: number[]) => new Uint8Array(bytes);
    const shape = (pieces: KeyInterval[]) => pieces.map((piece) => [hex(piece.from), hex(piece.to)]);
    expect(shape(clampRange(namespace, { x: at(7, 5), y: at(7, 5) }))).toEqual([['07', '08']]);
    expect(shape(clampRange(namespace, { x: at(0), y: at(0) }))).toEqual([['07', '08']]);
    expect(shape(clampRange(namespace, { x: at(7, 9), y: at(7, 2) }))).toEqual([
      ['07', '0702'],
      ['0709', '08'],
    ]);
    expect(shape(clampRange(namespace, { x: at(9), y: at(3) }))).toEqual([]);
    expect(shape(clampRange(namespace, { x: at(3), y: at(9) }))).toEqual([['07', '08']]);
    expect(shape(clampRange(new Uint8Array([0xff]), { x: at(0xff, 1), y: at(0xff, 1) }))).toEqual([['ff', undefined]]);
  });
});
