import { bytesToHex, compareBytes, concatBytes } from '@docs/crypto';
import { EMPTY_HASH, RecordIdentifier, createRecord, type SignedEntry } from '@docs/entry';
import { incrementBytes } from '@docs/store';
import { MemoryLevel } from 'memory-level';
import { describe, expect, test } from 'vitest';
import { AggregateCache } from '../src/aggregate-cache.js';
import {
  AggregateRecomputation,
  FingerprintAggregates,
  checkAggregateShape,
  decodeAggregate,
  type AggregateShape,
  type NodeReader,
} from '../src/fingerprint-aggregates.js';
import { TABLE, recordKey, tableBounds } from '../src/key-layout.js';
import { successorKey } from '../src/key-value.js';
import { LevelDatabase } from '../src/level-database.js';
import { PageRowBuilder } from '../src/page-rows.js';
import { RecordPages } from '../src/record-pages.js';
import { encodeStoredRecord } from '../src/stored-record.js';
import { WriteSet } from '../src/write-set.js';
import { seeded } from './fixtures/seeded.js';

const SLOW = process.env['SLOW'] === '1';

// Records rows need a value; only the fingerprint in it matters here.
const PLACEHOLDER: SignedEntry = {
  entry: { id: RecordIdentifier.zero(), record: createRecord(EMPTY_HASH, 0n, 0n) },
  signature: { authorSignature: new Uint8Array(64), namespaceSignature: new Uint8Array(64) },
};

interface Harness {
  readonly database: LevelDatabase;
  readonly aggregates: FingerprintAggregates;
  readonly cache: AggregateCache;
  /** Record pages kept across batches, so that their invalidation is tested. */
  pages: RecordPages;
  /** Naive model: id hex → (id, fingerprint). */
  readonly model: Map<string, { id: Uint8Array; fingerprint: Uint8Array }>;
}

function xor(fingerprints: readonly Uint8Array[]): string {
  const out = new Uint8Array(32);
  for (const fingerprint of fingerprints) for (let index = 0; index < 32; index++) out[index]! ^= fingerprint[index]!;
  return bytesToHex(out);
}

function sortedIds(harness: Harness, namespace: Uint8Array): { id: Uint8Array; fingerprint: Uint8Array }[] {
  return [...harness.model.values()]
    .filter((row) => compareBytes(row.id.subarray(0, 32), namespace) === 0)
    .sort((a, b) => compareBytes(a.id, b.id));
}

/**
 * One batch of random inserts, removals and replacements, committed like the store does: inserts are counted
 * together (`insertMany`, per namespace, in id order) before a removal or replacement, now and then, and at the end.
 */
async function randomBatch(
  harness: Harness,
  random: () => number,
  namespaces: readonly Uint8Array[],
  size: number,
  { insertsOnly = false, keyLength = 4 }: { insertsOnly?: boolean; keyLength?: number } = {},
): Promise<void> {
  const { database, aggregates, model } = harness;
  const writes = new WriteSet(database);
  const target = (namespace: Uint8Array, nodes: NodeReader) => ({
    writes,
    nodes,
    // As the store does: edits start from the committed pages held, where the batch has not written them.
    heldPage: (boundary: Uint8Array) => harness.pages.heldPage(namespace, boundary),
  });
  const pending = new Map<string, { namespace: Uint8Array; records: { id: Uint8Array; fingerprint: Uint8Array }[] }>();
  const countInserts = async (): Promise<void> => {
    for (const { namespace, records } of pending.values()) {
      records.sort((a, b) => compareBytes(a.id, b.id));
      await aggregates.insertMany(target(namespace, writes.overlay(await harness.cache.nodes(namespace))), namespace, records);
    }
    pending.clear();
  };
  for (let step = 0; step < size; step++) {
    const namespace = namespaces[Math.floor(random() * namespaces.length)]!;
    const nodes = writes.overlay(await harness.cache.nodes(namespace));
    const existing = sortedIds(harness, namespace);
    const choice = insertsOnly ? 1 : random();
    const fingerprint = Uint8Array.from({ length: 32 }, () => Math.floor(random() * 256));
    // As the store does: the level-1 pages around the touched id first.
    const around = (id: Uint8Array) => harness.cache.ensureLevelOne(namespace, id, incrementBytes(id));
    if (choice < 0.25 && existing.length > 0) {
      const victim = existing[Math.floor(random() * existing.length)]!;
      await around(victim.id);
      await countInserts();
      writes.del(recordKey(victim.id));
      await aggregates.remove(target(namespace, nodes), namespace, victim.id, victim.fingerprint);
      model.delete(bytesToHex(victim.id));
    } else if (choice < 0.4 && existing.length > 0) {
      const changed = existing[Math.floor(random() * existing.length)]!;
      await around(changed.id);
      await countInserts();
      writes.put(recordKey(changed.id), encodeStoredRecord(PLACEHOLDER, fingerprint));
      await aggregates.replace(target(namespace, nodes), namespace, changed.id, changed.fingerprint, fingerprint);
      model.set(bytesToHex(changed.id), { id: changed.id, fingerprint });
    } else {
      const author = new Uint8Array(32).fill(Math.floor(random() * 3));
      const key = Uint8Array.from({ length: Math.floor(random() * keyLength) }, () => [0, 0x2f, 0x61, 0xff][Math.floor(random() * 4)]!);
      const id = concatBytes(namespace, author, key);
      if (model.has(bytesToHex(id))) continue;
      await around(id);
      writes.put(recordKey(id), encodeStoredRecord(PLACEHOLDER, fingerprint));
      const name = bytesToHex(namespace);
      if (!pending.has(name)) pending.set(name, { namespace, records: [] });
      pending.get(name)!.records.push({ id, fingerprint });
      model.set(bytesToHex(id), { id, fingerprint });
      if (random() < 0.1) await countInserts();
    }
  }
  await countInserts();
  const operations = writes.operations();
  await database.batch(operations);
  harness.cache.applyCommitted(operations);
  harness.pages.applyCommitted(operations);
}

/** Stored nodes and page rows equal a recomputation from the records, in the database and in the cache. */
async function expectNodesRecomputed(harness: Harness): Promise<void> {
  const recomputation = new AggregateRecomputation(harness.aggregates);
  const pages = new PageRowBuilder();
  const expectedPages: string[] = [];
  const keep = (row: { key: Uint8Array; value: Uint8Array } | undefined) => row && expectedPages.push(`${bytesToHex(row.key)}:${bytesToHex(row.value)}`);
  for await (const [key, value] of harness.database.entries(tableBounds(TABLE.records))) {
    recomputation.add(key.subarray(1), value.subarray(48, 80));
    keep(pages.add(key.subarray(1), value.subarray(48, 80), harness.aggregates.levelOf(key.subarray(1)) >= 1));
  }
  recomputation.finish();
  keep(pages.finish());
  const storedPages: string[] = [];
  for await (const [key, value] of harness.database.entries(tableBounds(TABLE.pages))) storedPages.push(`${bytesToHex(key)}:${bytesToHex(value)}`);
  expect(storedPages).toEqual(expectedPages);
  const expected = recomputation.nodes.map((node) => `${bytesToHex(node.key)}:${node.aggregate.count}:${bytesToHex(node.aggregate.xor)}`).sort();
  const stored: string[] = [];
  for await (const [key, value] of harness.database.entries(tableBounds(TABLE.aggregates))) {
    const aggregate = decodeAggregate(value);
    stored.push(`${bytesToHex(key)}:${aggregate.count}:${bytesToHex(aggregate.xor)}`);
  }
  expect(stored.sort()).toEqual(expected);
}

/** below and select answer as the naive model, for many bounds. */
async function expectQueriesMatch(harness: Harness, random: () => number, namespaces: readonly Uint8Array[]): Promise<void> {
  for (const namespace of namespaces) {
    const nodes = await harness.cache.nodes(namespace);
    const rows = sortedIds(harness, namespace);
    const bounds: (Uint8Array | undefined)[] = [namespace, undefined, ...rows.map((row) => row.id)];
    for (let extra = 0; extra < 10; extra++) {
      const key = Uint8Array.from({ length: Math.floor(random() * 5) }, () => Math.floor(random() * 256));
      bounds.push(concatBytes(namespace, new Uint8Array(32).fill(Math.floor(random() * 4)), key));
    }
    const below = (bound: Uint8Array | undefined) => rows.filter((row) => bound === undefined || compareBytes(row.id, bound) < 0);
    const loadPagesAround = async (bound: Uint8Array | undefined) => harness.cache.ensureLevelOne(namespace, bound, bound);
    for (const bound of bounds) {
      await loadPagesAround(bound);
      const expected = below(bound);
      const actual = await harness.aggregates.below(harness.pages, nodes, namespace, bound);
      expect([actual.count, bytesToHex(actual.xor)]).toEqual([expected.length, xor(expected.map((row) => row.fingerprint))]);
    }
    for (let rank = 0; rank <= rows.length; rank++) {
      const selected = await harness.aggregates.select(harness.pages, nodes, namespace, rank, (boundary) =>
        harness.cache.ensureLevelOne(namespace, successorKey(boundary), successorKey(boundary)),
      );
      // The record at the rank, and what is below it: the records before it.
      const expected = rows[rank] === undefined ? undefined : [bytesToHex(rows[rank]!.id), rank, xor(rows.slice(0, rank).map((row) => row.fingerprint))];
      expect(selected === undefined ? undefined : [bytesToHex(selected.id), selected.below.count, bytesToHex(selected.below.xor)]).toEqual(expected);
    }
  }
}

const SHAPES: AggregateShape[] = [
  { bitsPerLevel: 1, levels: 8 },
  { bitsPerLevel: 2, levels: 3 },
  { bitsPerLevel: 6, levels: 4 },
  // One level (no level 2: every level-1 node is loaded with the namespace) and two (level 2 is the top).
  { bitsPerLevel: 2, levels: 1 },
  { bitsPerLevel: 2, levels: 2 },
];

describe('FingerprintAggregates', () => {
  for (const shape of SHAPES) {
    for (const seed of SLOW ? [1, 2, 3, 4, 5, 6, 7, 8] : [1, 2]) {
      test(`random inserts, removals and replacements stay exact (shape ${shape.bitsPerLevel}×${shape.levels}, seed ${seed})`, async () => {
        const random = seeded(seed * 1000 + shape.bitsPerLevel);
        const database = new LevelDatabase(new MemoryLevel());
        const aggregates = new FingerprintAggregates(shape, new Uint8Array(32).fill(seed));
        // Seed 2 keeps few records in pages, so that pages are evicted and reloaded all the time.
        const cache = new AggregateCache(database, shape.levels);
        const newPages = () => (seed === 2 ? new RecordPages(database, cache, 40) : new RecordPages(database, cache));
        const harness: Harness = { database, aggregates, cache, pages: newPages(), model: new Map() };
        // Namespaces side by side, the last one all 0xff (it has no upper neighbour).
        const namespaces = [new Uint8Array(32).fill(0x10), new Uint8Array(32).fill(0x11), new Uint8Array(32).fill(0xff)];
        for (let batch = 0; batch < (SLOW ? 60 : 15); batch++) {
          await randomBatch(harness, random, namespaces, 1 + Math.floor(random() * 30));
          await expectNodesRecomputed(harness);
          // Often a cold cache (as after reopening): the next batches run with level 1 loaded in scattered pages.
          if (random() < 0.5) for (const namespace of namespaces) harness.cache.forget(namespace);
          if (random() < 0.1) harness.pages = newPages();
          if (batch % 2 === 1) await expectQueriesMatch(harness, random, namespaces);
        }
        await expectQueriesMatch(harness, random, namespaces);
      });
    }
  }

  for (const shape of [{ bitsPerLevel: 1, levels: 3 }, { bitsPerLevel: 1, levels: 8 }, { bitsPerLevel: 2, levels: 3 }]) {
    test(`large batches of inserts only, into empty and into filled namespaces, stay exact (shape ${shape.bitsPerLevel}×${shape.levels})`, async () => {
      // Groups of many new records per node, several of them boundaries of the same level: what an initial sync writes.
      const random = seeded(7 + shape.levels);
      const database = new LevelDatabase(new MemoryLevel());
      const aggregates = new FingerprintAggregates(shape, new Uint8Array(32).fill(9));
      const cache = new AggregateCache(database, shape.levels);
      const harness: Harness = { database, aggregates, cache, pages: new RecordPages(database, cache), model: new Map() };
      const namespaces = [new Uint8Array(32).fill(0x20), new Uint8Array(32).fill(0x21)];
      for (let batch = 0; batch < 4; batch++) {
        await randomBatch(harness, random, namespaces, 150, { insertsOnly: true, keyLength: 10 });
        await expectNodesRecomputed(harness);
        for (const namespace of namespaces) harness.cache.forget(namespace);
      }
      await expectQueriesMatch(harness, random, namespaces);
    });
  }

  test('heights follow the keyed hash: about 2^-bits per level, stable for an id, different with another key', () => {
    const aggregates = new FingerprintAggregates({ bitsPerLevel: 2, levels: 4 }, new Uint8Array(32).fill(1));
    const other = new FingerprintAggregates({ bitsPerLevel: 2, levels: 4 }, new Uint8Array(32).fill(2));
    const counts = [0, 0, 0, 0, 0];
    let differ = 0;
    for (let index = 0; index < 20_000; index++) {
      const id = concatBytes(new Uint8Array(64), new TextEncoder().encode(`key ${index}`));
      const height = aggregates.levelOf(id);
      expect(aggregates.levelOf(id)).toBe(height);
      counts[height]!++;
      if (other.levelOf(id) !== height) differ++;
    }
    // P(height ≥ 1) = 1/4, P(≥ 2) = 1/16, …
    expect(counts[0]! / 20_000).toBeCloseTo(0.75, 1);
    expect((counts[1]! + counts[2]! + counts[3]! + counts[4]!) / 20_000).toBeCloseTo(0.25, 1);
    expect((counts[2]! + counts[3]! + counts[4]!) / 20_000).toBeGreaterThan(0.04);
    expect(differ).toBeGreaterThan(5_000);
  });

  test('shapes are checked', () => {
    expect(() => checkAggregateShape({ bitsPerLevel: 0, levels: 4 })).toThrow(RangeError);
    expect(() => checkAggregateShape({ bitsPerLevel: 6, levels: 6 })).toThrow(RangeError);
    expect(() => checkAggregateShape({ bitsPerLevel: 1.5, levels: 4 })).toThrow(RangeError);
    expect(checkAggregateShape({ bitsPerLevel: 8, levels: 4 })).toEqual({ bitsPerLevel: 8, levels: 4 });
  });
});
