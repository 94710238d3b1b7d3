import { blake3 } from '@docs/crypto';
import {
  EMPTY_HASH,
  U64_MAX,
  compareRecords,
  createRecord,
  emptyRecord,
  hasConsistentEmptiness,
  isEmptyRecord,
  nowMicros,
} from '@docs/entry';
import { describe, expect, test } from 'vitest';

const hash = (byte: number) => new Uint8Array(32).fill(byte);

describe('Record', () => {
  test('EMPTY_HASH is BLAKE3 of the empty string', () => {
    expect(EMPTY_HASH).toEqual(blake3(new Uint8Array(0)));
  });

  test('orders by timestamp, then hash; the length is ignored', () => {
    expect(compareRecords(createRecord(hash(9), 1, 1), createRecord(hash(1), 1, 2))).toBe(-1);
    expect(compareRecords(createRecord(hash(2), 1, 5), createRecord(hash(1), 1, 5))).toBe(1);
    expect(compareRecords(createRecord(hash(1), 1, 5), createRecord(hash(1), 99, 5))).toBe(0);
  });

  test('u64 values are exact over the whole range', () => {
    const big = createRecord(hash(1), U64_MAX, U64_MAX);
    expect(big.len).toBe(18446744073709551615n);
    expect(compareRecords(createRecord(hash(1), 0, U64_MAX - 1n), big)).toBe(-1);
    expect(() => createRecord(hash(1), U64_MAX + 1n, 0)).toThrow(RangeError);
    expect(() => createRecord(hash(1), -1, 0)).toThrow(RangeError);
    expect(() => createRecord(hash(1), 2 ** 53, 0)).toThrow(RangeError);
    expect(() => createRecord(new Uint8Array(31), 0, 0)).toThrow(RangeError);
  });

  test('empty records are tombstones, detected by hash only', () => {
    expect(isEmptyRecord(emptyRecord(5))).toBe(true);
    expect(isEmptyRecord(createRecord(EMPTY_HASH, 3, 5))).toBe(true);
    expect(isEmptyRecord(createRecord(hash(1), 0, 5))).toBe(false);
    expect(hasConsistentEmptiness(emptyRecord(5))).toBe(true);
    expect(hasConsistentEmptiness(createRecord(EMPTY_HASH, 3, 5))).toBe(false);
    expect(hasConsistentEmptiness(createRecord(hash(1), 0, 5))).toBe(false);
    expect(hasConsistentEmptiness(createRecord(hash(1), 4, 5))).toBe(true);
  });

  test('nowMicros is microseconds since the epoch', () => {
    const micros = nowMicros();
    expect(Number(micros / 1000n)).toBeGreaterThanOrEqual(Date.now() - 1000);
    expect(Number(micros / 1000n)).toBeLessThanOrEqual(Date.now() + 1000);
  });
});
