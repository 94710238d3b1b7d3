import { bytesToHex, compareBytes, concatBytes, hexToBytes } from '@docs/crypto';
import { describe, expect, test } from 'vitest';
import { decodePageRow, encodePageRow, type PageRecord } from '../src/page-rows.js';
import { WholeNamespace, type WholePage } from '../src/whole-namespace.js';
import { randomRecords } from './fixtures/page-records.js';
import { seeded } from './fixtures/seeded.js';

const namespace = new Uint8Array(32).fill(4);


/** The records cut into pages at random record boundaries; the first page is the head's (boundary: the namespace). */
function paginate(random: () => number, records: readonly PageRecord[]): WholePage[] {
  const pages: WholePage[] = [];
  let start = 0;
  for (let index = 1; index <= records.length; index++) {
    if (index < records.length && random() > 0.2) continue;
    const boundary = start === 0 && random() < 0.5 ? namespace : records[start]!.id;
    pages.push({ boundary, ...decodePageRow(namespace, encodePageRow(records.slice(start, index))) });
    start = index;
  }
  return pages;
}

/** Count and XOR of the records below `bound`, by a scan. */
function naiveBelow(records: readonly PageRecord[], bound: Uint8Array | undefined): { count: number; xor: string } {
  const xor = new Uint8Array(32);
  let count = 0;
  for (const { id, fingerprint } of records) {
    if (bound !== undefined && compareBytes(id, bound) >= 0) break;
    count++;
    for (let byte = 0; byte < 32; byte++) xor[byte]! ^= fingerprint[byte]!;
  }
  return { count, xor: bytesToHex(xor) };
}

/** What the index says is below `bound`: the rank and the XOR (into zeros), as {@link naiveBelow} gives them. */
function below(whole: WholeNamespace, bound: Uint8Array | undefined): { count: number; xor: string } {
  return { count: whole.rank(bound), xor: bytesToHex(whole.xorBelowInto(bound, new Uint8Array(32))) };
}

describe('a namespace held whole', () => {
  test('rank, xorBelowInto, idAt and summarize match a scan of the records, for ids, bounds between them, the namespace and no bound (seeded: 1)', () => {
    const random = seeded(1);
    for (let round = 0; round < 60; round++) {
      const records = randomRecords(random, namespace, 1 + Math.floor(random() * 120), { keyLength: 4, alphabet: 8 });
      const whole = new WholeNamespace(paginate(random, records));
      expect(whole.count).toBe(records.length);
      const bounds: (Uint8Array | undefined)[] = [undefined, namespace, concatBytes(namespace, new Uint8Array(32).fill(9))];
      for (const { id } of records) bounds.push(id, concatBytes(id, Uint8Array.of(0)), id.subarray(0, id.length - 1));
      for (const bound of bounds) {
        expect(below(whole, bound), bound === undefined ? 'no bound' : bytesToHex(bound)).toEqual(naiveBelow(records, bound));
      }
      for (const bound of bounds) expect(whole.rank(bound)).toBe(naiveBelow(records, bound).count);
      for (let rank = 0; rank < records.length; rank++) expect(bytesToHex(whole.idAt(rank)!)).toBe(bytesToHex(records[rank]!.id));
      expect(whole.idAt(records.length)).toBeUndefined();
      // Summaries of every span of ranks: the ids and fingerprints in order.
      for (let from = 0; from <= records.length; from += 7) {
        for (const to of [from, from + 1, from + 13, records.length]) {
          const out: { key: Uint8Array; fingerprint: Uint8Array }[] = [];
          whole.summarize(from, Math.min(to, records.length), out);
          expect(out.map(({ key, fingerprint }) => [bytesToHex(key), bytesToHex(fingerprint)])).toEqual(
            records.slice(from, Math.min(to, records.length)).map(({ id, fingerprint }) => [bytesToHex(id), bytesToHex(fingerprint)]),
          );
        }
      }
    }
  });

  test('bounds asked again, interleaved and in any order (the last few are remembered), give the same answers; changing a bound afterwards changes nothing (seeded: 2)', () => {
    const random = seeded(2);
    const records = randomRecords(random, namespace, 200, { keyLength: 4, alphabet: 8 });
    const whole = new WholeNamespace(paginate(random, records));
    // Ids and ids with their last byte changed: bounds of the same length that differ in one byte only.
    const bounds = records.flatMap(({ id }) => [id, concatBytes(id.subarray(0, id.length - 1), Uint8Array.of(id[id.length - 1]! ^ 1))]);
    for (let ask = 0; ask < 3_000; ask++) {
      const bound = bounds[Math.floor(random() * Math.min(bounds.length, 6 + (ask % 40)))]!;
      expect(below(whole, bound)).toEqual(naiveBelow(records, bound));
    }
    // The caller's bound becomes another one after the lookup: asking about that one is not answered from the first.
    const id = records[50]!.id;
    const bound = id.slice();
    expect(whole.rank(bound)).toBe(naiveBelow(records, id).count);
    const other = concatBytes(id.subarray(0, id.length - 1), Uint8Array.of((id[id.length - 1]! + 1) & 0xff));
    bound.set(other);
    expect(whole.rank(other.slice())).toBe(naiveBelow(records, other).count);
    expect(below(whole, other.slice())).toEqual(naiveBelow(records, other));
  });

  test('an empty namespace: nothing below any bound, no id at any rank', () => {
    const whole = new WholeNamespace([]);
    expect(whole.count).toBe(0);
    expect(below(whole, undefined)).toEqual({ count: 0, xor: '00'.repeat(32) });
    expect(below(whole, concatBytes(namespace, new Uint8Array(40)))).toEqual({ count: 0, xor: '00'.repeat(32) });
    expect(whole.rank(undefined)).toBe(0);
    expect(whole.idAt(0)).toBeUndefined();
  });

  test('xorBelowInto XORs into the caller\'s bytes; changing them afterwards changes nothing remembered', () => {
    const random = seeded(2);
    const records = randomRecords(random, namespace, 50, { keyLength: 4, alphabet: 8 });
    const whole = new WholeNamespace(paginate(random, records));
    for (const bound of [records[30]!.id, undefined]) {
      const expected = naiveBelow(records, bound).xor;
      const out = new Uint8Array(32).fill(0xff);
      expect(bytesToHex(whole.xorBelowInto(bound, out))).toBe(bytesToHex(hexToBytes(expected).map((byte) => byte ^ 0xff)));
      out.fill(0);
      expect(below(whole, bound).xor).toBe(expected);
    }
  });
});
