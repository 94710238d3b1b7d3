import { bytesToHex } from '@docs/crypto';
import { describe, expect, test } from 'vitest';
import { IdHashes } from '../src/id-hashes.js';
import { decodePageRow, encodePageRow, type PageRecord, type PageRecords } from '../src/page-rows.js';
import { randomRecords } from './fixtures/page-records.js';
import { seeded } from './fixtures/seeded.js';

const namespace = new Uint8Array(32).fill(9);
/** Where a key starts in an id: candidate lengths are asked from here (the empty key) on. */
const KEY_START = 64;

const pageOf = (records: readonly PageRecord[]): PageRecords => decodePageRow(namespace, encodePageRow(records));

/** The lengths ≥ KEY_START at which a prefix of `id` is one of `ids`, ascending. */
function trueLengths(id: Uint8Array, ids: ReadonlySet<string>): number[] {
  const lengths: number[] = [];
  for (let length = KEY_START; length <= id.length; length++) if (ids.has(bytesToHex(id.subarray(0, length)))) lengths.push(length);
  return lengths;
}

describe('id hashes', () => {
  test('candidate lengths include every prefix length that is an id counted, and hardly any other (seeded: 31)', () => {
    const random = seeded(31);
    // Keys of up to 5 bytes over 3 values: most short prefixes of one id are ids too.
    const records = randomRecords(random, namespace, 300, { keyLength: 6, alphabet: 3 });
    const hashes = new IdHashes();
    for (let start = 0; start < records.length; start += 16) hashes.replacePage(undefined, pageOf(records.slice(start, start + 16)));
    const ids = new Set(records.map(({ id }) => bytesToHex(id)));
    let found = 0;
    let extra = 0;
    for (const query of randomRecords(random, namespace, 400, { keyLength: 9, alphabet: 3 })) {
      const expected = trueLengths(query.id, ids);
      const candidates = hashes.candidateLengths(query.id, KEY_START);
      expect(candidates.filter((length) => expected.includes(length)), bytesToHex(query.id)).toEqual(expected);
      found += expected.length;
      extra += candidates.length - expected.length;
    }
    expect(found).toBeGreaterThan(400);
    expect(extra).toBeLessThanOrEqual(2);
  });

  test('pages counted together count what they count one by one (seeded: 33)', () => {
    const random = seeded(33);
    const records = randomRecords(random, namespace, 500, { keyLength: 6, alphabet: 3 });
    const pages = Array.from({ length: Math.ceil(records.length / 16) }, (_, index) => pageOf(records.slice(16 * index, 16 * index + 16)));
    const together = new IdHashes(records.length);
    together.addPages(pages);
    const oneByOne = new IdHashes();
    for (const page of pages) oneByOne.replacePage(undefined, page);
    for (const query of randomRecords(random, namespace, 400, { keyLength: 9, alphabet: 3 })) {
      expect(together.candidateLengths(query.id, KEY_START), bytesToHex(query.id)).toEqual(oneByOne.candidateLengths(query.id, KEY_START));
    }
    // And they are removed as pages counted one by one are.
    for (const page of pages) together.removePage(page);
    expect(records.filter(({ id }) => together.candidateLengths(id, id.length).length > 0)).toEqual([]);
  });

  test('pages replaced, rewritten and removed leave the counts of the ids held then (seeded: 32)', () => {
    const random = seeded(32);
    const hashes = new IdHashes();
    // Eight pages of ids, each edited at random as a commit rewrites pages: a record inserted, one removed, or the
    // page dropped and later read again.
    const pages: Array<PageRecords | undefined> = Array.from({ length: 8 }, () => undefined);
    const contents: PageRecord[][] = Array.from({ length: 8 }, () => []);
    const everyId = randomRecords(random, namespace, 400, { keyLength: 5, alphabet: 4 });
    for (let step = 0; step < 400; step++) {
      const slot = Math.floor(random() * 8);
      const held = pages[slot];
      const records = contents[slot]!;
      const choice = random();
      if (held !== undefined && choice < 0.1) {
        hashes.removePage(held);
        pages[slot] = undefined;
        continue;
      }
      let next = records;
      if (choice < 0.6) {
        // Slot s owns the ids i ≡ s (mod 8): pages never share an id.
        const candidates = everyId.filter((_, index) => index % 8 === slot && !records.includes(everyId[index]!));
        if (candidates.length > 0) next = [...records, candidates[Math.floor(random() * candidates.length)]!];
      } else if (records.length > 0) {
        next = records.filter((_, index) => index !== Math.floor(random() * records.length));
      }
      next = everyId.filter((record) => next.includes(record));
      const page = pageOf(next);
      hashes.replacePage(held, page);
      pages[slot] = page;
      contents[slot] = next;
    }
    const counted = new Set(contents.flatMap((records, slot) => (pages[slot] === undefined ? [] : records)).map(({ id }) => bytesToHex(id)));
    for (const { id } of everyId) {
      expect(hashes.candidateLengths(id, id.length).length, bytesToHex(id)).toBe(counted.has(bytesToHex(id)) ? 1 : 0);
    }
  });

  test('an id counted by two pages at once (a page split or merged, replayed one row at a time) stays counted until both let it go', () => {
    const records = randomRecords(seeded(33), namespace, 6);
    const whole = pageOf(records);
    const left = pageOf(records.slice(0, 3));
    const right = pageOf(records.slice(3));
    const hashes = new IdHashes();
    hashes.addPages([whole]);
    // The split's new page first: its ids are counted twice for a moment.
    hashes.addPages([right]);
    hashes.replacePage(whole, left);
    for (const { id } of records) expect(hashes.candidateLengths(id, id.length), bytesToHex(id)).toEqual([id.length]);
    hashes.removePage(right);
    expect(records.map(({ id }) => hashes.candidateLengths(id, id.length).length)).toEqual([1, 1, 1, 0, 0, 0]);
  });

  test('candidate lengths start at `from`: none past the id, the whole id at its own length', () => {
    const records = randomRecords(seeded(34), namespace, 1, { keyLength: 1 });
    const { id } = records[0]!;
    const hashes = new IdHashes();
    hashes.addPages([pageOf(records)]);
    expect(hashes.candidateLengths(id, id.length)).toEqual([id.length]);
    expect(hashes.candidateLengths(id, id.length + 1)).toEqual([]);
    expect(hashes.candidateLengths(id.subarray(0, 32), 32).every((length) => length === 32)).toBe(true);
  });

  test('ids counted one by one (those a batch put) are found as prefixes like the ids of pages', () => {
    const records = randomRecords(seeded(35), namespace, 40, { keyLength: 5, alphabet: 2 });
    const fromIds = new IdHashes();
    for (const { id } of records) fromIds.addId(id);
    const fromPage = new IdHashes();
    fromPage.addPages([pageOf(records)]);
    const ids = new Set(records.map(({ id }) => bytesToHex(id)));
    for (const query of randomRecords(seeded(36), namespace, 50, { keyLength: 7, alphabet: 2 })) {
      const candidates = fromIds.candidateLengths(query.id, KEY_START);
      expect(candidates, bytesToHex(query.id)).toEqual(fromPage.candidateLengths(query.id, KEY_START));
      expect(candidates.filter((length) => ids.has(bytesToHex(query.id.subarray(0, length))))).toEqual(trueLengths(query.id, ids));
    }
  });
});

