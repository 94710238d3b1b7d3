import { bytesToHex, compareBytes } from '@docs/crypto';
import fc from 'fast-check';
import { MemoryLevel } from 'memory-level';
import { describe, expect, test } from 'vitest';
import { LevelDatabase } from '../src/level-database.js';
import { SortedByteMap } from '../src/sorted-byte-map.js';
import { WriteSet } from '../src/write-set.js';

const SEED = 0x3e75e7;
const SLOW = process.env['SLOW'] === '1';

const key = fc.uint8Array({ minLength: 1, maxLength: 3 }).map((bytes) => bytes.map((byte) => [1, 2, 3, 0xff][byte % 4]!));
const value = fc.uint8Array({ minLength: 0, maxLength: 3 });
const write = fc.oneof(
  fc.record({ kind: fc.constant('put' as const), key, value }),
  fc.record({ kind: fc.constant('del' as const), key }),
);

type Naive = Map<string, { key: Uint8Array; value: Uint8Array }>;

function apply(naive: Naive, steps: readonly { kind: 'put' | 'del'; key: Uint8Array; value?: Uint8Array }[]): void {
  for (const step of steps) {
    if (step.kind === 'put') naive.set(bytesToHex(step.key), { key: step.key, value: step.value! });
    else naive.delete(bytesToHex(step.key));
  }
}

function walk(naive: Naive, gte: Uint8Array, lt: Uint8Array, reverse: boolean, limit: number | undefined): string[] {
  const rows = [...naive.values()]
    .filter((row) => compareBytes(row.key, gte) >= 0 && compareBytes(row.key, lt) < 0)
    .sort((a, b) => compareBytes(a.key, b.key));
  if (reverse) rows.reverse();
  return rows.slice(0, limit).map((row) => `${bytesToHex(row.key)}=${bytesToHex(row.value)}`);
}

describe('WriteSet', () => {
  test('reads the committed rows through the pending writes, and commits to the same state (seeded)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(write, { maxLength: 40 }),
        fc.array(write, { maxLength: 40 }),
        fc.array(fc.tuple(key, key, fc.boolean(), fc.option(fc.nat(5), { nil: undefined })), { minLength: 1, maxLength: 8 }),
        async (committed, pending, walks) => {
          const database = new LevelDatabase(new MemoryLevel());
          const naive: Naive = new Map();
          await database.batch(committed.map((step) => (step.kind === 'put' ? { type: 'put', key: step.key, value: step.value } : { type: 'del', key: step.key })));
          apply(naive, committed);
          const writes = new WriteSet(database);
          for (const step of pending) {
            if (step.kind === 'put') writes.put(step.key, step.value);
            else writes.del(step.key);
          }
          apply(naive, pending);

          const probes = [...committed, ...pending].map((step) => step.key);
          const values = await writes.getMany(probes);
          probes.forEach((probe, index) => {
            const expected = naive.get(bytesToHex(probe))?.value;
            expect(values[index] === undefined ? undefined : bytesToHex(values[index]!)).toBe(expected === undefined ? undefined : bytesToHex(expected));
          });
          for (const [gte, lt, reverse, limit] of walks) {
            const rows: string[] = [];
            for await (const [rowKey, rowValue] of writes.entries({ gte, lt, reverse, ...(limit === undefined ? {} : { limit }) })) {
              rows.push(`${bytesToHex(rowKey)}=${bytesToHex(rowValue)}`);
            }
            expect(rows).toEqual(walk(naive, gte, lt, reverse, limit));
            // The synchronous view over an in-memory copy of the committed rows agrees.
            const copy = new SortedByteMap<Uint8Array>();
            for await (const [rowKey, rowValue] of database.entries({ gte: new Uint8Array() })) copy.set(rowKey, rowValue);
            const view = writes.overlay(copy);
            const synchronous = [...view.range(gte, lt, reverse)].slice(0, limit).map(([rowKey, rowValue]) => `${bytesToHex(rowKey)}=${bytesToHex(rowValue)}`);
            expect(synchronous).toEqual(walk(naive, gte, lt, reverse, limit));
            // The rows of the interval given its committed ones (read before): also where nothing is pending there.
            const committedRows = [...copy.range(gte, lt)];
            const over = writes.over(gte, lt, committedRows).map(([rowKey, rowValue]) => `${bytesToHex(rowKey)}=${bytesToHex(rowValue)}`);
            expect(over).toEqual(walk(naive, gte, lt, false, undefined));
            // The row just below a key, past pending deletes, as the naive map has it.
            for (const probe of [gte, lt, ...probes]) {
              const below = walk(naive, new Uint8Array(), probe, true, 1);
              const found = view.before(probe);
              expect(found === undefined ? [] : [`${bytesToHex(found[0])}=${bytesToHex(found[1])}`]).toEqual(below);
            }
          }

          await database.batch(writes.operations());
          const after: string[] = [];
          for await (const [rowKey, rowValue] of database.entries({ gte: new Uint8Array() })) after.push(`${bytesToHex(rowKey)}=${bytesToHex(rowValue)}`);
          expect(after).toEqual(walk(naive, new Uint8Array(), Uint8Array.of(0xff, 0xff, 0xff, 0xff), false, undefined));
        },
      ),
      { seed: SEED, numRuns: SLOW ? 1000 : 150 },
    );
  });

  test('a committed row is read once per write set; a pending write under its key hides it', async () => {
    const database = new LevelDatabase(new MemoryLevel());
    await database.batch([{ type: 'put', key: Uint8Array.of(1), value: Uint8Array.of(7) }]);
    const reads: string[] = [];
    const counted = { ...database, get: (key: Uint8Array) => (reads.push(bytesToHex(key)), database.get(key)) } as unknown as LevelDatabase;
    const writes = new WriteSet(counted);
    for (let time = 0; time < 3; time++) {
      expect(await writes.get(Uint8Array.of(1))).toEqual(Uint8Array.of(7));
      expect(await writes.get(Uint8Array.of(2))).toBeUndefined();
    }
    expect(reads).toEqual(['01', '02']);
    writes.put(Uint8Array.of(1), Uint8Array.of(8));
    writes.del(Uint8Array.of(2));
    expect(await writes.get(Uint8Array.of(1))).toEqual(Uint8Array.of(8));
    writes.del(Uint8Array.of(1));
    writes.put(Uint8Array.of(2), Uint8Array.of(9));
    expect(await writes.get(Uint8Array.of(1))).toBeUndefined();
    expect(await writes.get(Uint8Array.of(2))).toEqual(Uint8Array.of(9));
    expect(reads).toHaveLength(2);
  });
});
