import { bytesToHex, compareBytes, concatBytes } from '@docs/crypto';
import { STORE_ERROR_CODES, StoreError } from '@docs/store';
import { describe, expect, test } from 'vitest';
import { TABLE } from '../src/key-layout.js';
import {
  PageRowBuilder,
  compareIds,
  composePage,
  decodePageRow,
  encodePageRow,
  fingerprintOf,
  idOf,
  lowerBoundIn,
  pageKey,
  xorFingerprints,
  type PageRecord,
  type PagePiece,
} from '../src/page-rows.js';
import { randomRecords, recordsOf } from './fixtures/page-records.js';
import { seeded } from './fixtures/seeded.js';

const namespace = new Uint8Array(32).fill(9);


const hexes = (records: readonly PageRecord[]): string[][] => records.map(({ id, fingerprint }) => [bytesToHex(id), bytesToHex(fingerprint)]);

describe('page rows', () => {
  test('the row layout: u32 length, the id without its namespace, the fingerprint', () => {
    const id = concatBytes(namespace, new Uint8Array(32).fill(1), Uint8Array.of(0x61));
    const row = encodePageRow([{ id, fingerprint: new Uint8Array(32).fill(2) }]);
    expect(bytesToHex(row)).toBe(`00000021${'01'.repeat(32)}61${'02'.repeat(32)}`);
    expect(bytesToHex(pageKey(id))).toBe(`${TABLE.pages.toString(16).padStart(2, '0')}${bytesToHex(id)}`);
  });

  test('encode and decode round-trip (seeded: 1)', () => {
    const random = seeded(1);
    for (let round = 0; round < 200; round++) {
      const records = randomRecords(random, namespace, Math.floor(random() * 40));
      const page = decodePageRow(namespace, encodePageRow(records));
      expect(page.count).toBe(records.length);
      expect(hexes(recordsOf(page))).toEqual(hexes(records));
      if (records.length > 0) expect(bytesToHex(idOf(page, records.length - 1))).toBe(bytesToHex(records.at(-1)!.id));
    }
  });

  test('ids compare, search and XOR as their bytes do, for keys of any length and shared prefix (seeded: 4)', () => {
    const random = seeded(4);
    const sign = (value: number): number => Math.sign(value);
    for (let round = 0; round < 200; round++) {
      const records = randomRecords(random, namespace, 1 + Math.floor(random() * 20), { keyLength: 4, alphabet: 3 });
      const page = decodePageRow(namespace, encodePageRow(records));
      // Probes: the ids themselves, their prefixes and extensions (shorter than a namespace too), other namespaces.
      const probes: Uint8Array[] = [];
      for (let probe = 0; probe < 30; probe++) {
        const base = records[Math.floor(random() * records.length)]!.id;
        const cut = Math.floor(random() * (base.length + 2));
        const key = concatBytes(base.subarray(0, cut), Uint8Array.from({ length: cut > base.length ? 1 : 0 }, () => Math.floor(random() * 3)));
        if (random() < 0.2 && key.length > 0) key[Math.floor(random() * Math.min(key.length, 32))] = Math.floor(random() * 256);
        probes.push(key);
      }
      for (const key of probes) {
        // `shared` may skip the namespace only when the key starts with it.
        const startsWithNamespace = key.length >= 32 && compareBytes(key.subarray(0, 32), namespace) === 0;
        for (const shared of startsWithNamespace ? [0, 32] : [0]) {
          for (let index = 0; index < page.count; index++) {
            expect(sign(compareIds(page, index, key, shared))).toBe(sign(compareBytes(records[index]!.id, key)));
          }
          const lowerBound = records.findIndex((record) => compareBytes(record.id, key) >= 0);
          expect(lowerBoundIn(page, key, shared)).toBe(lowerBound === -1 ? records.length : lowerBound);
        }
      }
      const from = Math.floor(random() * (page.count + 1));
      const to = from + Math.floor(random() * (page.count - from + 1));
      const xor = new Uint8Array(32);
      xorFingerprints(page, from, to, xor);
      const expected = new Uint8Array(32);
      for (const { fingerprint } of records.slice(from, to)) for (let byte = 0; byte < 32; byte++) expected[byte]! ^= fingerprint[byte]!;
      expect(bytesToHex(xor)).toBe(bytesToHex(expected));
      for (let index = 0; index < page.count; index++) expect(bytesToHex(fingerprintOf(page, index))).toBe(bytesToHex(records[index]!.fingerprint));
    }
  });

  test('a page composed of slices of pages and single records is the row its records encode to (seeded: 5)', () => {
    const random = seeded(5);
    for (let round = 0; round < 200; round++) {
      // Records in id order, cut into pieces: runs taken from pages (with records before and after them that the
      // piece leaves out) and single records.
      const records = randomRecords(random, namespace, Math.floor(random() * 30));
      const pieces: PagePiece[] = [];
      for (let index = 0; index < records.length; ) {
        const run = 1 + Math.floor(random() * 5);
        if (random() < 0.3) {
          pieces.push(records[index]!);
          index += 1;
          continue;
        }
        const before = Math.floor(random() * 3);
        const from = Math.max(0, index - before);
        const to = Math.min(records.length, index + run + Math.floor(random() * 3));
        const source = decodePageRow(namespace, encodePageRow(records.slice(from, to)));
        pieces.push({ page: source, from: index - from, to: Math.min(index + run, records.length) - from });
        index = Math.min(index + run, records.length);
      }
      if (random() < 0.2) pieces.push({ page: decodePageRow(namespace, encodePageRow(records.slice(0, 3))), from: 1, to: 1 });
      const page = composePage(namespace, pieces);
      expect(bytesToHex(page.row)).toBe(bytesToHex(encodePageRow(records)));
      expect([...page.starts]).toEqual([...decodePageRow(namespace, page.row).starts]);
      expect(page.count).toBe(records.length);
    }
  });

  test('a composed row decodes to the page composed for its namespace; another namespace decodes it afresh; nothing composes to an empty page', () => {
    const records = randomRecords(seeded(6), namespace, 5);
    const source = decodePageRow(namespace, encodePageRow(records));
    const page = composePage(namespace, [{ page: source, from: 0, to: 2 }, records[3]!]);
    expect(decodePageRow(namespace, page.row)).toBe(page);
    const other = new Uint8Array(32).fill(4);
    const again = decodePageRow(other, page.row);
    expect(again).not.toBe(page);
    expect(bytesToHex(idOf(again, 0))).toBe(bytesToHex(concatBytes(other, records[0]!.id.subarray(32))));
    for (const empty of [composePage(namespace, []), composePage(namespace, [{ page: decodePageRow(namespace, new Uint8Array()), from: 0, to: 0 }])]) {
      expect([empty.count, empty.row.length, [...empty.starts]]).toEqual([0, 0, [0]]);
    }
  });

  test('a damaged row decodes to a valid page or fails with DOCS_STORE_CORRUPTED, never anything else (seeded: 2)', () => {
    const random = seeded(2);
    let refused = 0;
    for (let round = 0; round < 3_000; round++) {
      const row = encodePageRow(randomRecords(random, namespace, 1 + Math.floor(random() * 8)));
      const damaged = row.slice(0, random() < 0.3 ? Math.floor(random() * row.length) : row.length);
      for (let flips = Math.floor(random() * 3); flips > 0 && damaged.length > 0; flips--) {
        damaged[Math.floor(random() * damaged.length)] = Math.floor(random() * 256);
      }
      try {
        const page = decodePageRow(namespace, damaged);
        // Whatever decodes is a well-formed page: ids in strictly increasing order, each holding an author.
        for (let index = 0; index < page.count; index++) {
          expect(idOf(page, index).length).toBeGreaterThanOrEqual(64);
          if (index > 0) expect(compareBytes(idOf(page, index - 1), idOf(page, index))).toBeLessThan(0);
        }
      } catch (error) {
        expect(error).toBeInstanceOf(StoreError);
        expect((error as StoreError).code).toBe(STORE_ERROR_CODES.CORRUPTED);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(100);
  });

  test('ids out of order and lengths past the end are refused', () => {
    const [a, b] = randomRecords(seeded(3), namespace, 2) as [PageRecord, PageRecord];
    expect(() => decodePageRow(namespace, encodePageRow([b, a]))).toThrow(/not in order/);
    expect(() => decodePageRow(namespace, encodePageRow([a, a]))).toThrow(/not in order/);
    const row = encodePageRow([a]);
    new DataView(row.buffer).setUint32(0, 0xffff_ffff);
    expect(() => decodePageRow(namespace, row)).toThrow(/truncated/);
    new DataView(row.buffer).setUint32(0, 31);
    expect(() => decodePageRow(namespace, row)).toThrow(/shorter than namespace and author/);
  });

  test('the builder starts a page at each namespace head and at each boundary record', () => {
    const other = new Uint8Array(32).fill(10);
    const id = (space: Uint8Array, key: number) => concatBytes(space, new Uint8Array(32), Uint8Array.of(key));
    const fingerprint = new Uint8Array(32);
    const builder = new PageRowBuilder();
    const rows = [
      builder.add(id(namespace, 1), fingerprint, false),
      builder.add(id(namespace, 2), fingerprint, true),
      builder.add(id(namespace, 3), fingerprint, false),
      builder.add(id(other, 1), fingerprint, true),
      builder.add(id(other, 2), fingerprint, false),
      builder.finish(),
      builder.finish(),
    ];
    const summary = rows.map((row) => row && [bytesToHex(row.key.subarray(1)), decodePageRow(row.key.subarray(1, 33), row.value).count]);
    expect(summary).toEqual([
      undefined,
      [bytesToHex(namespace), 1],
      undefined,
      [bytesToHex(id(namespace, 2)), 2],
      undefined,
      [bytesToHex(id(other, 1)), 2],
      undefined,
    ]);
  });
});
