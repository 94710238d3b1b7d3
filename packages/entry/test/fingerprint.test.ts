import { blake3, concatBytes, hexToBytes } from '@docs/crypto';
import {
  EMPTY_FINGERPRINT,
  RecordIdentifier,
  createRecord,
  entryFingerprint,
  rangeFingerprint,
  xorFingerprintInto,
} from '@docs/entry';
import { describe, expect, test } from 'vitest';

const id = (fill: number) => new Uint8Array(32).fill(fill);
const entryOf = (key: string, timestamp: bigint, hashByte: number) => ({
  id: RecordIdentifier.of(id(1), id(2), new TextEncoder().encode(key)),
  record: createRecord(new Uint8Array(32).fill(hashByte), 10, timestamp),
});

describe('fingerprints', () => {
  test('the empty fingerprint is BLAKE3(""), not zeros', () => {
    expect(EMPTY_FINGERPRINT).toEqual(hexToBytes('af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262'));
    expect(rangeFingerprint([])).toEqual(EMPTY_FINGERPRINT);
  });

  test('an entry fingerprint is BLAKE3(ns ‖ author ‖ key ‖ timestamp BE ‖ hash), without len', () => {
    const entry = entryOf('k', 0x0102030405060708n, 7);
    const expected = blake3(
      concatBytes(id(1), id(2), new TextEncoder().encode('k'), hexToBytes('0102030405060708'), new Uint8Array(32).fill(7)),
    );
    expect(entryFingerprint(entry)).toEqual(expected);
    const otherLen = { ...entry, record: createRecord(entry.record.hash, 999, entry.record.timestamp) };
    expect(entryFingerprint(otherLen)).toEqual(expected);
  });

  test('a range fingerprint is the empty fingerprint XOR every entry, in any order', () => {
    const a = entryOf('a', 1n, 1);
    const b = entryOf('b', 2n, 2);
    const expected = xorFingerprintInto(xorFingerprintInto(EMPTY_FINGERPRINT.slice(), entryFingerprint(a)), entryFingerprint(b));
    expect(rangeFingerprint([a, b])).toEqual(expected);
    expect(rangeFingerprint([b, a])).toEqual(expected);
    expect(rangeFingerprint([a, b, a])).toEqual(rangeFingerprint([b]));
  });
});
