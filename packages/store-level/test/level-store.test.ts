import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex, compareBytes, concatBytes } from '@docs/crypto';
import { RecordIdentifier, encodeSignedEntry, entryFingerprint, writeCapability, type SignedEntry } from '@docs/entry';
import { STORE_ERROR_CODES } from '@docs/store';
import { StoreModel, expectDocsError, testNamespace } from '@docs/store/conformance';
import { FORMAT_VERSION, LevelStore, META_KEY, TABLE } from '@docs/store-level';
import { MemoryLevel } from 'memory-level';
import { afterAll, describe, expect, test, vi } from 'vitest';
import { aggregateCount } from '../src/fingerprint-aggregates.js';
import { aggregateKey, byKeyKey, latestKey, metaKey, prefixBounds, recordKey, tableBounds, tableKey } from '../src/key-layout.js';
import type { BatchOperation } from '../src/key-value.js';
import { LevelDatabase } from '../src/level-database.js';
import { decodePageRow, encodePageRow, pageKey } from '../src/page-rows.js';
import type { RecordPages } from '../src/record-pages.js';
import { readLines, spawnFixture } from './fixtures/child-process.js';
import { recordsOf } from './fixtures/page-records.js';
import { seeded } from './fixtures/seeded.js';
import { fakeId, unsignedEntry } from './fixtures/entries.js';

const VIEW = { keyEncoding: 'view', valueEncoding: 'view' } as const;
const zero = RecordIdentifier.zero().bytes;
const whole = { x: zero, y: zero };
const directories: string[] = [];
afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

function freshDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'docs-store-level-test-'));
  directories.push(directory);
  return directory;
}

/** Raw rows of one table of a database. */
async function rows(db: MemoryLevel, table: number): Promise<[Uint8Array, Uint8Array][]> {
  const out: [Uint8Array, Uint8Array][] = [];
  for await (const row of new LevelDatabase(db).entries(tableBounds(table as (typeof TABLE)[keyof typeof TABLE]))) out.push(row);
  return out;
}

/** A database wrapper that counts the rows the store reads, and can fail the next batch. */
class InstrumentedLevel {
  rowsRead = 0;
  /** Walks started (iterators created). */
  walks = 0;
  /** Iterator steps (`nextv` calls). */
  steps = 0;
  failNextBatch = false;
  /** The iterator step (counted in {@link steps}) that fails, if any. */
  failStep = 0;
  /** Milliseconds a batch resolves after it is written (a worker thread's completion reaching the event loop late). */
  batchDelay = 0;
  readonly batchOptions: unknown[] = [];
  readonly db = new MemoryLevel();
  readonly proxy: MemoryLevel;

  constructor() {
    const counter = this;
    this.proxy = new Proxy(this.db, {
      get(target, property) {
        const value = Reflect.get(target, property, target) as unknown;
        if (typeof value !== 'function') return value;
        const method = (value as (...args: unknown[]) => unknown).bind(target);
        if (property === 'getSync') {
          return (...args: unknown[]) => {
            counter.rowsRead++;
            return method(...args);
          };
        }
        if (property === 'get' || property === 'getMany') {
          return (...args: unknown[]) => {
            counter.rowsRead += property === 'get' ? 1 : (args[0] as unknown[]).length;
            return method(...args);
          };
        }
        if (property === 'iterator' || property === 'keys' || property === 'values') {
          return (...args: unknown[]) => {
            counter.walks++;
            const iterator = method(...args) as { nextv(size: number): Promise<unknown[]>; close(): Promise<void> };
            return {
              nextv: async (size: number) => {
                counter.steps++;
                if (counter.steps === counter.failStep) {
                  throw Object.assign(new Error('injected read failure'), { code: 'LEVEL_IO_ERROR' });
                }
                const batch = await iterator.nextv(size);
                counter.rowsRead += batch.length;
                return batch;
              },
              close: () => iterator.close(),
            };
          };
        }
        if (property === 'batch') {
          return (...args: unknown[]) => {
            counter.batchOptions.push(args[1]);
            if (counter.failNextBatch) {
              counter.failNextBatch = false;
              return Promise.reject(Object.assign(new Error('injected write failure'), { code: 'LEVEL_IO_ERROR' }));
            }
            const written = method(...args) as Promise<unknown>;
            if (counter.batchDelay === 0) return written;
            return written.then((result) => new Promise((resolve) => setTimeout(() => resolve(result), counter.batchDelay)));
          };
        }
        return method;
      },
    });
  }
}

describe('format version', () => {
  test('a store written by a newer format is refused with DOCS_STORE_INCOMPATIBLE_FORMAT', async () => {
    const db = new MemoryLevel();
    await (await LevelStore.open({ db })).close();
    const version = new Uint8Array(4);
    new DataView(version.buffer).setUint32(0, FORMAT_VERSION + 1);
    await db.put(metaKey(META_KEY.format), version, VIEW);
    await expectDocsError(() => LevelStore.open({ db }), STORE_ERROR_CODES.INCOMPATIBLE_FORMAT);
    await expect(LevelStore.open({ db })).rejects.toThrow(new RegExp(`format ${FORMAT_VERSION + 1}`));
  });

  test('a format-1 store (no page rows) is upgraded on open, also after an upgrade interrupted by a crash', async () => {
    for (const interrupted of [false, true]) {
      const db = new MemoryLevel();
      const namespace = fakeId(5);
      let store = await LevelStore.open({ db }, { aggregateShape: { bitsPerLevel: 2, levels: 4 } });
      await store.putMany(Array.from({ length: 600 }, (_, index) => unsignedEntry(namespace, fakeId(index % 3), `k${(index * 7) % 600}`, 4)));
      // A second namespace, after the first: pages never span two.
      await store.putMany(Array.from({ length: 50 }, (_, index) => unsignedEntry(fakeId(6), fakeId(index % 2), `m${index}`, 4)));
      const fingerprint = bytesToHex(await store.ranges(namespace).fingerprint(whole));
      await store.close();
      // Format 1: the same rows without the pages table. An interrupted upgrade left some page rows, one of them stale.
      const pageRows = await rows(db, TABLE.pages);
      const format = new Uint8Array(4);
      new DataView(format.buffer).setUint32(0, 1);
      await db.batch(
        [
          ...pageRows.filter((_, index) => !interrupted || index % 2 === 0).map(([key]) => ({ type: 'del' as const, key })),
          ...(interrupted ? [{ type: 'put' as const, key: pageRows[1]![0], value: pageRows[3]![1] }] : []),
          { type: 'put', key: metaKey(META_KEY.format), value: format },
        ],
        VIEW,
      );
      store = await LevelStore.open({ db });
      expect(bytesToHex((await db.get(metaKey(META_KEY.format), VIEW))!)).toBe(FORMAT_VERSION.toString(16).padStart(8, '0'));
      expect((await rows(db, TABLE.pages)).map(([key, value]) => bytesToHex(key) + bytesToHex(value))).toEqual(
        pageRows.map(([key, value]) => bytesToHex(key) + bytesToHex(value)),
      );
      expect(await store.checkIntegrity()).toMatchObject({ ok: true, problems: [] });
      expect(bytesToHex(await store.ranges(namespace).fingerprint(whole))).toBe(fingerprint);
      await store.close();
    }
  });

  test('a non-empty database without a format row is refused; a damaged format is DOCS_STORE_CORRUPTED', async () => {
    const foreign = new MemoryLevel();
    await foreign.put('something', 'else');
    await expectDocsError(() => LevelStore.open({ db: foreign }), STORE_ERROR_CODES.INCOMPATIBLE_FORMAT);

    const damaged = new MemoryLevel();
    await (await LevelStore.open({ db: damaged })).close();
    await damaged.del(metaKey(META_KEY.levelSalt), { keyEncoding: 'view' });
    await expectDocsError(() => LevelStore.open({ db: damaged }), STORE_ERROR_CODES.CORRUPTED);
  });

  test('the aggregate shape is chosen when a store is created and kept afterwards', async () => {
    const db = new MemoryLevel();
    const created = await LevelStore.open({ db }, { aggregateShape: { bitsPerLevel: 2, levels: 5 } });
    expect(created.aggregateShape).toEqual({ bitsPerLevel: 2, levels: 5 });
    await created.close();
    const reopened = await LevelStore.open({ db }, { aggregateShape: { bitsPerLevel: 6, levels: 4 } });
    expect(reopened.aggregateShape).toEqual({ bitsPerLevel: 2, levels: 5 });
    await reopened.close();
    await expect(LevelStore.open({ db: new MemoryLevel() }, { aggregateShape: { bitsPerLevel: 9, levels: 4 } })).rejects.toBeInstanceOf(RangeError);
  });

  test('a location is a path or { db }', async () => {
    await expect(LevelStore.open({ db: {} } as never)).rejects.toBeInstanceOf(TypeError);
    await expect(LevelStore.open(42 as never)).rejects.toBeInstanceOf(TypeError);
  });
});

describe('databases and processes', () => {
  test('a second process opening a locked store gets DOCS_STORE_LOCKED with the LevelDB cause', async () => {
    const path = freshDirectory();
    const store = await LevelStore.open(path);
    try {
      const { lines, stderr } = await readLines(spawnFixture('open-store.ts', [path]));
      expect(lines, stderr).toEqual([STORE_ERROR_CODES.LOCKED, 'cause LEVEL_DATABASE_NOT_OPEN']);
    } finally {
      await store.close();
    }
    const { lines } = await readLines(spawnFixture('open-store.ts', [path]));
    expect(lines).toEqual(['opened']);
  }, 60_000);

  test('a database passed in is left open by close; a path database is closed and can be reopened', async () => {
    const db = new MemoryLevel();
    const store = await LevelStore.open({ db });
    await store.close();
    expect(db.status).toBe('open');
    await expectDocsError(() => store.listAuthors(), STORE_ERROR_CODES.CLOSED);

    const path = freshDirectory();
    const first = await LevelStore.open(path);
    await first.importNamespace(writeCapability(testNamespace(1)));
    await first.close();
    const second = await LevelStore.open(path);
    expect((await second.listNamespaces()).map((info) => info.kind)).toEqual(['write']);
    await second.close();
  });

  test('with sync, every batch asks the database to flush before it resolves', async () => {
    const synced = new InstrumentedLevel();
    const store = await LevelStore.open({ db: synced.proxy }, { sync: true });
    await store.put(unsignedEntry(fakeId(1), fakeId(2), 'k', 1));
    await store.blobs.put(new Uint8Array(10));
    expect(synced.batchOptions.length).toBeGreaterThanOrEqual(3);
    expect(synced.batchOptions.every((options) => (options as { sync?: boolean }).sync === true)).toBe(true);
    await store.close();
    const plain = new InstrumentedLevel();
    const unsynced = await LevelStore.open({ db: plain.proxy });
    await unsynced.put(unsignedEntry(fakeId(1), fakeId(2), 'k', 1));
    expect(plain.batchOptions.some((options) => (options as { sync?: boolean }).sync === true)).toBe(false);
    await unsynced.close();
  });

  test('a sublevel works beside other data of the same database', async () => {
    const db = new MemoryLevel();
    await db.put('other', 'data');
    const sublevel = db.sublevel<Uint8Array, Uint8Array>('docs', VIEW);
    const store = await LevelStore.open({ db: sublevel });
    const namespace = fakeId(3);
    await store.putMany(Array.from({ length: 100 }, (_, index) => unsignedEntry(namespace, fakeId(4), `k${String(index).padStart(3, '0')}`, 1)));
    expect(await store.ranges(namespace).count(whole)).toBe(100);
    expect((await store.checkIntegrity()).ok).toBe(true);
    await store.close();
    expect(await db.get('other')).toBe('data');
    const reopened = await LevelStore.open({ db: db.sublevel<Uint8Array, Uint8Array>('docs', VIEW) });
    expect(await reopened.ranges(namespace).count(whole)).toBe(100);
    await reopened.close();
  });

  test('a walk with a limit ends once it has read that many rows, without another step', async () => {
    const level = new InstrumentedLevel();
    const database = new LevelDatabase(level.proxy);
    await database.batch(Array.from({ length: 100 }, (_, index) => ({ type: 'put' as const, key: Uint8Array.of(1, index), value: Uint8Array.of(index) })));
    const walk = async (options: { limit?: number; readAhead?: number }): Promise<number[]> => {
      level.steps = 0;
      const out: number[] = [];
      for await (const [, value] of database.entries({ gte: Uint8Array.of(1), lt: Uint8Array.of(2), ...options })) out.push(value[0]!);
      return out;
    };
    expect(await walk({ limit: 40 })).toEqual(Array.from({ length: 40 }, (_, index) => index));
    expect(level.steps, 'one step of 40').toBe(1);
    expect(await walk({ limit: 40, readAhead: 10 })).toHaveLength(40);
    expect(level.steps, 'steps of 10, 20 and the last 10').toBe(3);
    // Without a limit, the end is known only from an empty step.
    expect(await walk({ readAhead: 100 })).toHaveLength(100);
    expect(level.steps).toBe(2);
  });

  test('batches go to the implementation of a database the store opened itself, and through batch() (hooks, events) otherwise', async () => {
    const { ClassicLevel } = await import('classic-level');
    const db = new ClassicLevel<Uint8Array, Uint8Array>(freshDirectory(), VIEW);
    await db.open();
    const written: number[] = [];
    db.on('write', (operations: unknown[]) => written.push(operations.length));
    const put = (byte: number): BatchOperation => ({ type: 'put', key: Uint8Array.of(9, byte), value: Uint8Array.of(byte) });

    const direct = new LevelDatabase(db, { direct: true });
    await direct.batch([put(1), put(2), { type: 'del', key: Uint8Array.of(9, 1) }]);
    expect(written, 'the direct batch skips the write event').toEqual([]);
    expect(await direct.get(Uint8Array.of(9, 2))).toEqual(Uint8Array.of(2));
    expect(await direct.get(Uint8Array.of(9, 1))).toBeUndefined();

    // A database passed in is written through its public batch(): its hooks and listeners see every write.
    await direct.batch([{ type: 'del', key: Uint8Array.of(9, 2) }]);
    const store = await LevelStore.open({ db });
    await store.put(unsignedEntry(fakeId(1), fakeId(2), 'k', 1));
    expect(written.length).toBeGreaterThan(0);
    await store.close();

    // Once closed, the direct path leaves the error to batch(), which reports it.
    await db.close();
    await expectDocsError(() => direct.batch([put(3)]), STORE_ERROR_CODES.CLOSED);

    // A store at a path writes through _batch() only, with the sync option.
    const publicBatch = vi.spyOn(ClassicLevel.prototype, 'batch');
    const implementationBatch = vi.spyOn(ClassicLevel.prototype as unknown as { _batch: () => Promise<void> }, '_batch');
    try {
      const own = await LevelStore.open(freshDirectory(), { sync: true });
      await own.put(unsignedEntry(fakeId(1), fakeId(2), 'k', 1));
      await own.close();
      expect(publicBatch).not.toHaveBeenCalled();
      expect(implementationBatch.mock.calls.length).toBeGreaterThan(0);
      expect(implementationBatch.mock.calls.every((call) => (call as unknown[])[1] instanceof Object && ((call as unknown[])[1] as { sync?: boolean }).sync === true)).toBe(true);
    } finally {
      publicBatch.mockRestore();
      implementationBatch.mockRestore();
    }
  });

  test('a database closed underneath the store gives DOCS_STORE_CLOSED', async () => {
    const db = new MemoryLevel();
    const store = await LevelStore.open({ db });
    await db.close();
    await expectDocsError(() => store.listAuthors(), STORE_ERROR_CODES.CLOSED);
    await store.close();
  });
});

describe('walks', () => {
  async function filledDatabase(level: InstrumentedLevel, rows: number): Promise<LevelDatabase> {
    const database = new LevelDatabase(level.proxy);
    await database.batch(Array.from({ length: rows }, (_, index) => ({ type: 'put', key: Uint8Array.of(1, index >> 8, index & 255), value: Uint8Array.of(index & 255) })));
    return database;
  }

  test('a walk past its first step asks for the next one before it hands out one, and reads every row once, in order', async () => {
    const level = new InstrumentedLevel();
    const database = await filledDatabase(level, 3_000);
    const steps: number[] = [];
    const keys: number[] = [];
    for await (const [key] of database.entries({ gte: Uint8Array.of(1), lt: Uint8Array.of(2) })) {
      keys.push((key[1]! << 8) | key[2]!);
      steps.push(level.steps);
    }
    expect(keys).toEqual(Array.from({ length: 3_000 }, (_, index) => index));
    // Steps of 16, 32, 64…: the first is handed out alone; from the second on, the next one is asked for first.
    expect([steps[0], steps[15], steps[16], steps[48]]).toEqual([1, 1, 3, 4]);
    expect(level.rowsRead).toBe(3_000);
  });

  test('a walk stopped early leaves its step read ahead behind without an unhandled failure, and a failed step fails the walk', async () => {
    const level = new InstrumentedLevel();
    const database = await filledDatabase(level, 100);
    const unhandled: unknown[] = [];
    const listener = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', listener);
    try {
      // Stopped within its first step: nothing more is read.
      for await (const _ of database.entries({ gte: Uint8Array.of(1), lt: Uint8Array.of(2) })) break;
      expect(level.steps).toBe(1);
      // Stopped at the second step's first row, while the third, read ahead, fails.
      level.failStep = 4;
      let rows = 0;
      for await (const _ of database.entries({ gte: Uint8Array.of(1), lt: Uint8Array.of(2) })) if (++rows > 16) break;
      expect(level.steps).toBe(4);
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', listener);
    }
    const walk = async (): Promise<number> => {
      let rows = 0;
      for await (const _ of database.entries({ gte: Uint8Array.of(1), lt: Uint8Array.of(2) })) rows++;
      return rows;
    };
    level.failStep = 6;
    await expectDocsError(walk, STORE_ERROR_CODES.IO);
    level.failStep = 0;
    expect(await walk()).toBe(100);
  });

  test('a walk with a limit reads no step past it', async () => {
    const level = new InstrumentedLevel();
    const database = await filledDatabase(level, 100);
    const rows = [];
    for await (const row of database.entries({ gte: Uint8Array.of(1), lt: Uint8Array.of(2), limit: 16 })) rows.push(row);
    expect([rows.length, level.steps]).toEqual([16, 1]);
  });
});

describe('atomic batches', () => {
  test('putMany applies the insert rule in order, in one batch, like sequential puts', async () => {
    const store = await LevelStore.open({ db: new MemoryLevel() }, { aggregateShape: { bitsPerLevel: 1, levels: 6 } });
    const model = new StoreModel();
    const namespace = fakeId(1);
    const authors = [fakeId(2), fakeId(3)];
    let state = 7;
    const next = (): number => (state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0);
    for (let batch = 0; batch < 20; batch++) {
      const entries: SignedEntry[] = [];
      for (let index = 0; index < 25; index++) {
        const key = Uint8Array.from({ length: next() % 4 }, () => [0x61, 0x62, 0x2f][next() % 3]!);
        entries.push(unsignedEntry(namespace, authors[next() % 2]!, key, 1 + (next() % 50), next() % 3));
      }
      expect(await store.putMany(entries)).toEqual(entries.map((signed) => model.put(signed)));
    }
    const stored = [];
    for await (const signed of store.query(namespace, { includeEmpty: true })) stored.push(bytesToHex(encodeSignedEntry(signed)));
    expect(stored).toEqual(model.query(namespace, { includeEmpty: true }).map((signed) => bytesToHex(encodeSignedEntry(signed))));
    expect(await store.ranges(namespace).count(whole)).toBe(stored.length);
    expect(bytesToHex(await store.ranges(namespace).fingerprint(whole))).toBe(bytesToHex(model.fingerprint(namespace, whole)));
    expect((await store.checkIntegrity()).problems).toEqual([]);
    await store.close();
  });

  test('a failed batch writes nothing, keeps the aggregates exact, and the store goes on', async () => {
    const level = new InstrumentedLevel();
    const store = await LevelStore.open({ db: level.proxy });
    const namespace = fakeId(4);
    await store.putMany(Array.from({ length: 50 }, (_, index) => unsignedEntry(namespace, fakeId(5), `a/${String(index).padStart(3, '0')}`, 10)));
    const before = bytesToHex(await store.ranges(namespace).fingerprint(whole));
    level.failNextBatch = true;
    // Prefix-deletes the 50 entries: would change every aggregate.
    await expectDocsError(() => store.putMany([unsignedEntry(namespace, fakeId(5), 'a', 20), unsignedEntry(namespace, fakeId(5), 'b', 20)]), STORE_ERROR_CODES.IO);
    expect(await store.ranges(namespace).count(whole)).toBe(50);
    expect(bytesToHex(await store.ranges(namespace).fingerprint(whole))).toBe(before);
    expect((await store.checkIntegrity()).ok).toBe(true);
    expect(await store.put(unsignedEntry(namespace, fakeId(5), 'a', 20))).toEqual({ inserted: true, removed: 50 });
    expect(await store.ranges(namespace).count(whole)).toBe(1);
    expect((await store.checkIntegrity()).ok).toBe(true);
    await store.close();
  });

  test('concurrent puts and range reads: every read sees a whole batch, the end state is exact', async () => {
    const store = await LevelStore.open({ db: new MemoryLevel() }, { aggregateShape: { bitsPerLevel: 2, levels: 4 } });
    const namespace = fakeId(6);
    const model = new StoreModel();
    const entries = Array.from({ length: 300 }, (_, index) => unsignedEntry(namespace, fakeId(index % 3), `k${index % 97}`, index));
    const reads: Promise<number>[] = [];
    const puts = entries.map((signed, index) => {
      model.put(signed);
      if (index % 10 === 0) reads.push(store.ranges(namespace).count(whole));
      return store.put(signed);
    });
    await Promise.all(puts);
    const counts = await Promise.all(reads);
    for (const count of counts) expect(count).toBeLessThanOrEqual(model.entries(namespace).length);
    expect(await store.ranges(namespace).count(whole)).toBe(model.entries(namespace).length);
    expect(bytesToHex(await store.ranges(namespace).fingerprint(whole))).toBe(bytesToHex(model.fingerprint(namespace, whole)));
    expect((await store.checkIntegrity()).ok).toBe(true);
    await store.close();
  });
});

/** A closed store with `size` entries in namespace `fakeId(seed)` under 16-way nodes, and its ids in order. */
async function filledStore(level: InstrumentedLevel, size: number, seed = 8): Promise<{ namespace: Uint8Array; ids: Uint8Array[] }> {
  const store = await LevelStore.open({ db: level.proxy }, { aggregateShape: { bitsPerLevel: 4, levels: 4 } });
  const namespace = fakeId(seed);
  await store.putMany(Array.from({ length: size }, (_, index) => unsignedEntry(namespace, fakeId(index % 2), `k${String(index).padStart(5, '0')}`, 3)));
  const ids: Uint8Array[] = [];
  for await (const signed of store.ranges(namespace).items(whole)) ids.push(signed.entry.id.bytes);
  await store.close();
  return { namespace, ids };
}

/** Options that keep a namespace of `size` entries from being held whole: range operations read pages on demand. */
function sweepsOnly(size: number): { cachedRecords: number } {
  return { cachedRecords: 2 * size - 1 };
}

describe('sublinear aggregates', () => {
  test('range count, fingerprint and keyAt read a bounded number of rows; opening reads a handful', async () => {
    const level = new InstrumentedLevel();
    // 16-way nodes, as by default.
    const shape = { bitsPerLevel: 4, levels: 4 };
    let store = await LevelStore.open({ db: level.proxy }, { aggregateShape: shape });
    const namespace = fakeId(7);
    const size = 6_000;
    for (let offset = 0; offset < size; offset += 1_000) {
      await store.putMany(Array.from({ length: 1_000 }, (_, index) => unsignedEntry(namespace, fakeId((offset + index) % 4), `file-${String(((offset + index) * 7919) % size).padStart(6, '0')}`, 5)));
    }
    await store.close();

    level.rowsRead = 0;
    store = await LevelStore.open({ db: level.proxy }, sweepsOnly(size));
    expect(level.rowsRead, 'rows read by open').toBeLessThanOrEqual(5);
    const ranges = store.ranges(namespace);
    const ids: Uint8Array[] = [];
    for await (const signed of ranges.items(whole)) ids.push(signed.entry.id.bytes);
    expect(ids).toHaveLength(size);

    // The first aggregate access loads the namespace's nodes: about one per 16 entries here.
    level.rowsRead = 0;
    expect(await ranges.count(whole)).toBe(size);
    expect(level.rowsRead, 'rows read by the first count').toBeLessThan(size / 8);

    let state = 1;
    const pick = (): Uint8Array => ids[(state = (Math.imul(state, 48_271) + 11) >>> 0) % size]!;
    let worst = 0;
    let total = 0;
    let covered = 0;
    for (let probe = 0; probe < 200; probe++) {
      const range = { x: pick(), y: pick() };
      level.rowsRead = 0;
      const count = await ranges.count(range);
      covered += count;
      await ranges.fingerprint(range);
      if (count > 0) await ranges.keyAt(range, count >> 1);
      worst = Math.max(worst, level.rowsRead);
      total += level.rowsRead;
    }
    // A scan would read each range (thousands of rows on average); the aggregates read a few level-1 and page rows.
    expect(covered / 200, 'mean entries per range').toBeGreaterThan(size / 4);
    expect(total / 200, 'mean rows per count + fingerprint + keyAt').toBeLessThan(400);
    // A probe's first touches read the page rows and level-1 rows under at most three level-2 nodes (its two bounds
    // and its pivot): the largest level-2 node bounds what one touch can read.
    let largestNode = 0;
    for await (const [, value] of new LevelDatabase(level.db).entries(prefixBounds(aggregateKey(2, namespace)))) {
      largestNode = Math.max(largestNode, aggregateCount(value));
    }
    expect(worst, 'worst rows per count + fingerprint + keyAt').toBeLessThanOrEqual(3 * largestNode + 3 * (largestNode / 4 + 16));
    await store.close();
  }, 120_000);
});

describe('record pages', () => {
  test('a sweep over neighbouring ranges reads the pages of 16 level-2 nodes in a walk or two, not one walk per node', async () => {
    const level = new InstrumentedLevel();
    const size = 4_000;
    const { namespace, ids } = await filledStore(level, size);
    let levelTwoNodes = 0;
    for await (const _ of new LevelDatabase(level.db).entries(prefixBounds(aggregateKey(2, namespace)))) levelTwoNodes++;
    const store = await LevelStore.open({ db: level.proxy }, sweepsOnly(size));
    const ranges = store.ranges(namespace);
    level.walks = 0;
    // Ranges of 5 entries, in order, as in a reconciliation message: about three per level-1 node, so a walk per
    // node would be hundreds.
    for (let start = 0; start + 5 < size; start += 5) await ranges.fingerprint({ x: ids[start]!, y: ids[start + 5]! });
    // Per 16 level-2 nodes: one walk for their level-1 rows and one for their page rows; a few more where the
    // sweep starts, for the upper levels, and where a read-ahead's level-1 rows are split by rows loaded before
    // (the node layout depends on the store's random salt). One walk per level-2 node would be twice as many as
    // there are.
    expect(level.walks).toBeLessThanOrEqual(2 * Math.ceil((levelTwoNodes + 1) / 16) + 9);
    await store.close();
  });

  test('a random short range reads the pages around its bounds and pivot, not those of the level-2 nodes after them', async () => {
    const level = new InstrumentedLevel();
    const size = 8_000;
    const { namespace, ids } = await filledStore(level, size);
    // The most level-1 nodes under one level-2 node.
    const database = new LevelDatabase(level.db);
    const levelTwo = new Set<string>();
    for await (const [key] of database.entries(prefixBounds(aggregateKey(2, namespace)))) levelTwo.add(bytesToHex(key.subarray(2)));
    let widest = 0;
    let under = 0;
    for await (const [key] of database.entries(prefixBounds(aggregateKey(1, namespace)))) {
      under = levelTwo.has(bytesToHex(key.subarray(2))) ? 1 : under + 1;
      widest = Math.max(widest, under);
    }
    let state = 7;
    const pick = (): number => (state = (Math.imul(state, 48_271) + 11) >>> 0) % size;
    let total = 0;
    for (let probe = 0; probe < 20; probe++) {
      const store = await LevelStore.open({ db: level.proxy }, sweepsOnly(size));
      const ranges = store.ranges(namespace);
      await ranges.count(whole);
      // Short ranges: bounds and pivot in the same or neighbouring level-2 nodes, as a sweep's would be.
      const from = pick() % (size - 600);
      const range = { x: ids[from]!, y: ids[from + 2 + (pick() % 500)]! };
      level.rowsRead = 0;
      const count = await ranges.count(range);
      await ranges.keyAt(range, count >> 1);
      await ranges.fingerprint(range);
      // At most the level-1 rows and page rows under the (one or two) level-2 nodes of its bounds and pivot.
      expect(level.rowsRead, `probe ${probe}`).toBeLessThanOrEqual(4 * widest + 8);
      total += level.rowsRead;
      await store.close();
    }
    // Reading ahead over the next level-2 nodes, as a sweep does, would read about four times as much.
    expect(total / 20).toBeLessThanOrEqual(2 * widest);
  });

  test('the items of a small range whose records are in memory are read by point reads, not a walk', async () => {
    const level = new InstrumentedLevel();
    const size = 2_000;
    const { namespace, ids } = await filledStore(level, size);
    let store = await LevelStore.open({ db: level.proxy }, sweepsOnly(size));
    let ranges = store.ranges(namespace);
    const keysOf = async (range: { x: Uint8Array; y: Uint8Array }): Promise<string[]> => {
      const out: string[] = [];
      for await (const signed of ranges.items(range)) out.push(bytesToHex(signed.entry.id.bytes));
      return out;
    };
    for (const [start, length] of [[100, 20], [700, 1], [1_500, 60]] as const) {
      // A store opened afresh: the pages read for the range before (a sweep reads ahead) are not held.
      await store.close();
      store = await LevelStore.open({ db: level.proxy }, sweepsOnly(size));
      ranges = store.ranges(namespace);
      const range = { x: ids[start]!, y: ids[start + length]! };
      const expected = ids.slice(start, start + length).map(bytesToHex);
      // Nothing of it in memory yet: a walk.
      level.walks = 0;
      expect(await keysOf(range)).toEqual(expected);
      expect(level.walks, 'walks before its pages are held').toBeGreaterThan(0);
      // Its count and the pages of all its records (the node layout depends on the store's random salt).
      for (let index = 0; index < length; index++) await ranges.keyAt(range, index);
      level.walks = 0;
      level.rowsRead = 0;
      expect(await keysOf(range)).toEqual(expected);
      expect(level.walks, 'walks once its pages are held').toBe(0);
      expect(level.rowsRead).toBe(length);
    }
    // Larger ranges are walked: a walk reads neighbouring rows faster than point reads do.
    const large = { x: ids[0]!, y: ids[200]! };
    for (let index = 0; index < 200; index++) await ranges.keyAt(large, index);
    level.walks = 0;
    expect(await keysOf(large)).toEqual(ids.slice(0, 200).map(bytesToHex));
    expect(level.walks).toBeGreaterThan(0);
    await store.close();
  });

  test('a page row that does not match its level-1 node is DOCS_STORE_CORRUPTED', async () => {
    // Each damage of the last record boundary's page row: its node's records can no longer be read.
    const damages: Record<string, (boundary: Uint8Array, row: Uint8Array) => BatchOperation[]> = {
      'missing': (boundary) => [{ type: 'del', key: pageKey(boundary) }],
      'first record is not the boundary': (boundary, row) => {
        const records = recordsOf(decodePageRow(boundary.subarray(0, 32), row));
        records[0] = { ...records[0]!, id: concatBytes(boundary, Uint8Array.of(0)) };
        return [{ type: 'put', key: pageKey(boundary), value: encodePageRow(records) }];
      },
      'a record short': (boundary, row) => {
        const records = recordsOf(decodePageRow(boundary.subarray(0, 32), row));
        return [{ type: 'put', key: pageKey(boundary), value: encodePageRow(records.slice(0, -1)) }];
      },
      'truncated': (boundary, row) => [{ type: 'put', key: pageKey(boundary), value: row.subarray(0, row.length - 1) }],
    };
    // Read through the aggregate nodes (the page alone), and by the walk that reads a namespace whole.
    for (const [name, damage, whole] of Object.entries(damages).flatMap(([name, damage]) => [[name, damage, false], [`${name}, read whole`, damage, true]] as const)) {
      const level = new InstrumentedLevel();
      const { namespace, ids } = await filledStore(level, 1_000);
      const database = new LevelDatabase(level.db);
      let boundary: Uint8Array | undefined;
      for await (const [key, value] of database.entries(prefixBounds(aggregateKey(1, namespace)))) {
        if (key.length > 2 + 32 && aggregateCount(value) > 1) boundary = key.slice(2);
      }
      const row = await database.get(pageKey(boundary!));
      await database.batch(damage(boundary!, row!));
      const store = await LevelStore.open({ db: level.proxy }, whole ? {} : sweepsOnly(1_000));
      const ranges = store.ranges(namespace);
      if (whole) {
        // A sweep over the first entries, far from the damaged page, until the namespace is read whole.
        const sweep = async (): Promise<void> => {
          for (let index = 0; index < 200; index += 5) await ranges.fingerprint({ x: ids[index]!, y: ids[index + 5]! });
        };
        await expectDocsError(sweep, STORE_ERROR_CODES.CORRUPTED);
      } else {
        await expectDocsError(() => ranges.count({ x: namespace, y: concatBytes(boundary!, Uint8Array.of(0, 0)) }), STORE_ERROR_CODES.CORRUPTED);
      }
      expect((await store.checkIntegrity()).ok, name).toBe(false);
      await store.close();
    }
  });

  test('page rows that overlap, each matching its node, are DOCS_STORE_CORRUPTED when the namespace is read whole', async () => {
    const level = new InstrumentedLevel();
    const { namespace, ids } = await filledStore(level, 1_000);
    const database = new LevelDatabase(level.db);
    const boundaries: Uint8Array[] = [];
    for await (const [key] of database.entries(prefixBounds(aggregateKey(1, namespace)))) boundaries.push(key.slice(2));
    // The last id of the second page becomes the third page's first: count, XOR (fingerprints are kept) and the order
    // within the page still hold.
    const [, second, third] = boundaries;
    const row = await database.get(pageKey(second!));
    const records = recordsOf(decodePageRow(namespace, row!));
    records[records.length - 1] = { ...records[records.length - 1]!, id: third! };
    await database.batch([{ type: 'put', key: pageKey(second!), value: encodePageRow(records) }]);
    const store = await LevelStore.open({ db: level.proxy });
    const ranges = store.ranges(namespace);
    await expectDocsError(async () => {
      for (let index = 0; index < 200; index += 5) await ranges.fingerprint({ x: ids[index]!, y: ids[index + 5]! });
    }, STORE_ERROR_CODES.CORRUPTED);
    await store.close();
  });
});

describe('namespaces held whole', () => {
  type Ranges = ReturnType<LevelStore['ranges']>;

  /** Range bounds over a namespace: ids, keys between ids, the namespace itself, and zero (the whole namespace). */
  function boundsOf(namespace: Uint8Array, ids: readonly Uint8Array[], random: () => number): Uint8Array[] {
    const pick = (): Uint8Array => {
      const id = ids[Math.floor(random() * ids.length)]!;
      const kind = random();
      return kind < 0.6 ? id : kind < 0.8 ? concatBytes(id, Uint8Array.of(0)) : kind < 0.9 ? namespace : zero;
    };
    return Array.from({ length: 240 }, pick);
  }

  /** Count, fingerprint and two keyAt answers of ranges between consecutive bounds (x < y, x > y and x == y). */
  async function answers(ranges: Ranges, bounds: readonly Uint8Array[]): Promise<string[]> {
    const out: string[] = [];
    for (let index = 0; index + 1 < bounds.length; index += 2) {
      const range = { x: bounds[index]!, y: index % 10 === 0 ? bounds[index]! : bounds[index + 1]! };
      const count = await ranges.count(range);
      out.push(`${count} ${bytesToHex(await ranges.fingerprint(range))}`);
      if (count > 0) out.push(bytesToHex(await ranges.keyAt(range, 0)), bytesToHex(await ranges.keyAt(range, count - 1)));
    }
    return out;
  }

  /** Fingerprints of neighbouring ranges of 10 entries, in order, as reconciliation asks for them. */
  async function sweep(ranges: Ranges, ids: readonly Uint8Array[]): Promise<void> {
    for (let index = 0; index + 10 < ids.length; index += 10) await ranges.fingerprint({ x: ids[index]!, y: ids[index + 10]! });
  }

  /** A store of `size` entries (under 16-way nodes) whose namespace a sweep had it hold whole, with its ids in order. */
  async function storeHeldWhole(size: number) {
    const level = new InstrumentedLevel();
    const { namespace, ids } = await filledStore(level, size);
    const store = await LevelStore.open({ db: level.proxy });
    const ranges = store.ranges(namespace);
    await sweep(ranges, ids);
    return { level, namespace, ids, store, ranges };
  }

  /** What the store answers when every operation goes through the aggregate nodes (a store opened afresh). */
  async function throughNodes(level: InstrumentedLevel, namespace: Uint8Array, size: number, bounds: readonly Uint8Array[]): Promise<string[]> {
    const store = await LevelStore.open({ db: level.proxy }, sweepsOnly(size));
    try {
      return await answers(store.ranges(namespace), bounds);
    } finally {
      await store.close();
    }
  }

  test('a namespace that fits is read in one walk during a sweep, not for a lookup; then count, fingerprint and keyAt read nothing', async () => {
    const level = new InstrumentedLevel();
    const size = 3_000;
    const { namespace, ids } = await filledStore(level, size);
    const bounds = boundsOf(namespace, ids, seeded(3));
    const expected = await throughNodes(level, namespace, size, bounds);

    const store = await LevelStore.open({ db: level.proxy });
    const ranges = store.ranges(namespace);
    level.rowsRead = 0;
    expect(await ranges.count({ x: ids[10]!, y: ids[20]! })).toBe(10);
    // The upper levels of the nodes (about one row per 256 entries), the level-1 rows and pages around the range.
    expect(level.rowsRead, 'rows read by a lookup after opening').toBeLessThan(size / 16);
    expect(await ranges.summaries({ x: ids[0]!, y: ids[1]! }), 'not held whole after a lookup').toBeUndefined();
    level.walks = 0;
    await sweep(ranges, ids);
    // The sweep's first reads, until they cost a quarter of reading it whole, then every page row in one walk.
    expect(level.walks, 'walks of a sweep').toBeLessThanOrEqual(8);
    level.rowsRead = 0;
    level.walks = 0;
    expect(await answers(ranges, bounds)).toEqual(expected);
    expect(level.rowsRead, 'rows read once held whole').toBe(0);
    // Items of small ranges: their records by point reads, their ids from memory.
    for await (const _ of ranges.items({ x: ids[100]!, y: ids[140]! }));
    expect(level.walks).toBe(0);
    expect(level.rowsRead).toBe(40);
    await store.close();
  });

  test('commits keep a namespace whole: new, split, merged and rewritten pages are in memory at once, and answers stay exact', async () => {
    const size = 2_000;
    const { level, namespace, store, ranges } = await storeHeldWhole(size);
    const random = seeded(4);
    // New records (some become page boundaries and split pages), newer versions of existing ones, and prefix
    // deletions that remove runs of records with their boundaries (merging pages).
    await store.putMany(Array.from({ length: 600 }, (_, index) => unsignedEntry(namespace, fakeId(index % 3), `n${Math.floor(random() * 1e6)}`, 4)));
    for (let index = 0; index < 50; index++) await store.put(unsignedEntry(namespace, fakeId(index % 2), `k${String(index * 37).padStart(5, '0')}`, 5, 1));
    await store.putMany([unsignedEntry(namespace, fakeId(0), 'k005', 6), unsignedEntry(namespace, fakeId(1), 'k01', 6)]);

    const now: Uint8Array[] = [];
    for await (const signed of ranges.items(whole)) now.push(signed.entry.id.bytes);
    // 600 new, two prefix entries that remove 50 (k005.. of one author) and 500 (k01... of the other).
    expect(now.length).toBe(size + 600 + 2 - 50 - 500);
    const bounds = boundsOf(namespace, now, seeded(5));
    level.rowsRead = 0;
    const held = await answers(ranges, bounds);
    expect(level.rowsRead, 'rows read after the commits').toBe(0);
    expect(held).toEqual(await throughNodes(level, namespace, size, bounds));
    expect((await store.checkIntegrity()).ok).toBe(true);
    await store.close();
  });

  test('summaries: the keys and fingerprints of a range from memory once held whole; item reads one entry', async () => {
    const level = new InstrumentedLevel();
    const size = 5_000;
    const { namespace, ids } = await filledStore(level, size);
    const store = await LevelStore.open({ db: level.proxy });
    const ranges = store.ranges(namespace);
    expect(await ranges.summaries({ x: ids[0]!, y: ids[10]! }), 'before it is held whole').toBeUndefined();
    await sweep(ranges, ids);
    const bounds = boundsOf(namespace, ids, seeded(7));
    level.rowsRead = 0;
    let compared = 0;
    for (let index = 0; index + 1 < bounds.length; index += 2) {
      const range = { x: bounds[index]!, y: bounds[index + 1]! };
      const summaries = await ranges.summaries(range);
      const expected: string[] = [];
      for await (const signed of ranges.items(range)) expected.push(`${bytesToHex(signed.entry.id.bytes)} ${bytesToHex(entryFingerprint(signed.entry))}`);
      // At most 4,096 at once: larger ranges are left to items.
      if (expected.length > 4_096) {
        expect(summaries).toBeUndefined();
        continue;
      }
      expect(summaries?.map(({ key, fingerprint }) => `${bytesToHex(key)} ${bytesToHex(fingerprint)}`)).toEqual(expected);
      compared++;
    }
    expect(compared).toBeGreaterThan(50);
    // A wrapping range: the last three entries, then the first two.
    const wrapped = await ranges.summaries({ x: ids[size - 3]!, y: ids[2]! });
    expect(wrapped?.map(({ key }) => bytesToHex(key))).toEqual([...ids.slice(0, 2), ...ids.slice(size - 3)].map(bytesToHex));
    // x == y: the whole namespace, more than are handed out at once.
    expect(await ranges.summaries({ x: ids[9]!, y: ids[9]! })).toBeUndefined();
    const [first] = (await ranges.summaries({ x: ids[7]!, y: ids[8]! }))!;
    expect(bytesToHex(encodeSignedEntry((await ranges.item(first!.key))!))).toBe(bytesToHex(encodeSignedEntry((await store.getExact(namespace, first!.key.subarray(32, 64), first!.key.subarray(64)))!)));
    expect(await ranges.item(concatBytes(ids[7]!, Uint8Array.of(0)))).toBeUndefined();
    expect(await ranges.item(concatBytes(fakeId(99), ids[7]!.subarray(32)))).toBeUndefined();
    expect(await ranges.item(namespace)).toBeUndefined();
    await store.close();
  });

  test('splitRange: the sub-ranges keyAt, count and fingerprint give, by rank from memory once held whole, reading nothing', async () => {
    const level = new InstrumentedLevel();
    const size = 3_000;
    const { namespace, ids } = await filledStore(level, size);
    const store = await LevelStore.open({ db: level.proxy });
    const ranges = store.ranges(namespace);
    expect(await ranges.splitRange!({ x: ids[0]!, y: ids[100]! }, 100, 4), 'before it is held whole').toBeUndefined();
    await sweep(ranges, ids);
    const bounds = boundsOf(namespace, ids, seeded(8));
    const random = seeded(9);
    let compared = 0;
    for (let index = 0; index + 1 < bounds.length; index += 2) {
      const range = { x: bounds[index]!, y: bounds[index + 1]! };
      const count = await ranges.count(range);
      if (compareBytes(range.x, range.y) >= 0 || count < 2) {
        expect(await ranges.splitRange!(range, count, 2)).toBeUndefined();
        continue;
      }
      const parts = 2 + Math.floor(random() * Math.min(count - 1, 20));
      level.rowsRead = 0;
      const split = (await ranges.splitRange!(range, count, parts))!;
      expect(level.rowsRead).toBe(0);
      const expected: string[] = [];
      let x = range.x;
      for (let part = 0; part < parts; part++) {
        const y = part === parts - 1 ? range.y : await ranges.keyAt(range, Math.floor((count * (part + 1)) / parts));
        const sub = { x, y };
        expected.push(`${bytesToHex(x)} ${bytesToHex(y)} ${await ranges.count(sub)} ${bytesToHex(await ranges.fingerprint(sub))}`);
        x = y;
      }
      expect(split.map(({ range: sub, count: subCount, fingerprint }) => `${bytesToHex(sub.x)} ${bytesToHex(sub.y)} ${subCount} ${bytesToHex(fingerprint)}`)).toEqual(expected);
      expect(await ranges.splitRange!(range, count + 1, parts), 'a count that is not the range\'s').toBeUndefined();
      compared++;
    }
    expect(compared).toBeGreaterThan(20);
    // The whole namespace and its last entries: ranks up to the end.
    const tail = { x: ids[size - 5]!, y: concatBytes(namespace, new Uint8Array(40).fill(0xff)) };
    expect((await ranges.splitRange!(tail, 5, 5))!.map((part) => part.count)).toEqual([1, 1, 1, 1, 1]);
    await store.close();
  });

  test('a namespace held whole that commits grow past half of cachedRecords is let go, and answers stay exact', async () => {
    const level = new InstrumentedLevel();
    const size = 400;
    const { namespace, ids } = await filledStore(level, size);
    const store = await LevelStore.open({ db: level.proxy }, { cachedRecords: 1_000 });
    const ranges = store.ranges(namespace);
    await sweep(ranges, ids);
    // Summaries come from a namespace held whole only.
    expect(await ranges.summaries({ x: ids[0]!, y: ids[5]! }), 'held whole').toHaveLength(5);
    // 200 more entries: 600 records, past the 500 that namespaces held whole may take.
    await store.putMany(Array.from({ length: 200 }, (_, index) => unsignedEntry(namespace, fakeId(2), `m${String(index).padStart(4, '0')}`, 4)));
    expect(await ranges.summaries({ x: ids[0]!, y: ids[5]! }), 'let go').toBeUndefined();
    const now: Uint8Array[] = [];
    for await (const signed of ranges.items(whole)) now.push(signed.entry.id.bytes);
    const bounds = boundsOf(namespace, now, seeded(9));
    expect(await answers(ranges, bounds)).toEqual(await throughNodes(level, namespace, size, bounds));
    await store.close();
  });

  test('inserts into a namespace held whole find their parents in memory and follow the insert rule as the model does (seeded: 11)', async () => {
    const size = 500;
    const { namespace, store, ranges } = await storeHeldWhole(size);
    const heldWhole = () => (store as unknown as { pages: RecordPages }).pages.holdsWhole(namespace);
    expect(heldWhole(), 'held whole').toBe(true);
    const model = new StoreModel();
    for (let index = 0; index < size; index++) model.put(unsignedEntry(namespace, fakeId(index % 2), `k${String(index).padStart(5, '0')}`, 3));
    const random = seeded(11);
    // Keys over three letters, so that parents (prefixes, the key itself and the empty key) are frequent, inside a
    // batch too; timestamps around the stored ones, so that parents both refuse and let through.
    const randomEntry = (): SignedEntry => {
      const key = Array.from({ length: Math.floor(random() * 7) }, () => 'k01'[Math.floor(random() * 3)]).join('');
      return unsignedEntry(namespace, fakeId(Math.floor(random() * 2)), key, 1 + Math.floor(random() * 6), Math.floor(random() * 4));
    };
    for (let round = 0; round < 60; round++) {
      const batch = Array.from({ length: round % 2 === 0 ? 1 : 1 + Math.floor(random() * 20) }, randomEntry);
      const outcomes = batch.length === 1 ? [await store.put(batch[0]!)] : await store.putMany(batch);
      expect(outcomes, `round ${round}`).toEqual(batch.map((signed) => model.put(signed)));
    }
    expect(heldWhole(), 'still held whole').toBe(true);
    const stored: string[] = [];
    for await (const signed of ranges.items(whole)) stored.push(`${bytesToHex(signed.entry.id.bytes)} ${signed.entry.record.timestamp}`);
    expect(stored).toEqual(model.entries(namespace).map((signed) => `${bytesToHex(signed.entry.id.bytes)} ${signed.entry.record.timestamp}`));
    expect((await store.checkIntegrity()).ok).toBe(true);
    await store.close();
  });

  test('range reads the engine announces read a namespace whole at once when they would cost a quarter of it piecemeal, if it fits', async () => {
    const level = new InstrumentedLevel();
    const size = 2_000;
    const { namespace, ids } = await filledStore(level, size);
    const heldWhole = (store: LevelStore) => (store as unknown as { pages: RecordPages }).pages.holdsWhole(namespace);
    const bounds = boundsOf(namespace, ids, seeded(12));
    const expected = await throughNodes(level, namespace, size, bounds);
    // Too large for half of cachedRecords: nothing changes.
    const small = await LevelStore.open({ db: level.proxy }, sweepsOnly(size));
    await small.ranges(namespace).expectRangeReads(1_000);
    expect(heldWhole(small)).toBe(false);
    await small.close();
    const store = await LevelStore.open({ db: level.proxy });
    const ranges = store.ranges(namespace);
    // 2 page loads of 16 records (and 128 records' worth of starting each) are less than a quarter of 2,000 records;
    // 4 are not.
    await ranges.expectRangeReads(2);
    for (const wrong of [Number.NaN, -1, 1.5]) await expect(ranges.expectRangeReads(wrong)).rejects.toThrow(RangeError);
    expect(heldWhole(store)).toBe(false);
    await ranges.expectRangeReads(4);
    expect(heldWhole(store)).toBe(true);
    level.rowsRead = 0;
    expect(await answers(ranges, bounds)).toEqual(expected);
    expect(level.rowsRead).toBe(0);
    await store.close();
  });

  test('inserts into a namespace held whole with no parent and nothing under their ids read only their author\'s latest row', async () => {
    const { level, namespace, store } = await storeHeldWhole(2_000);
    level.rowsRead = 0;
    level.walks = 0;
    // A new author: no parent, nothing under the id; its page (and, in a batch, the pages written before) in memory.
    await store.put(unsignedEntry(namespace, fakeId(7), 'k00100x', 3));
    await store.putMany(Array.from({ length: 20 }, (_, index) => unsignedEntry(namespace, fakeId(7), `k${String(index * 90).padStart(5, '0')}y`, 3)));
    // One latest row per batch: later entries of a batch find it among its pending writes.
    expect([level.rowsRead, level.walks]).toEqual([2, 0]);
    expect((await store.checkIntegrity()).ok).toBe(true);
    await store.close();
  });

  test('after a commit the index of a namespace held whole is built again only once 32 operations in a row found no change', async () => {
    const { namespace, ids, store, ranges } = await storeHeldWhole(1_000);
    const range = { x: ids[3]!, y: ids[9]! };
    // Summaries come from the index only.
    expect(await ranges.summaries(range)).toHaveLength(6);
    // A write between single operations: each answered through the nodes, no index built.
    for (let write = 0; write < 40; write++) {
      await store.put(unsignedEntry(namespace, fakeId(3), `w${String(write).padStart(3, '0')}`, 5));
      expect(await ranges.summaries(range), `after write ${write}`).toBeUndefined();
    }
    // 32 operations without a write (the first one was the last of the loop): indexed again.
    for (let use = 2; use < 32; use++) expect(await ranges.summaries(range), `use ${use}`).toBeUndefined();
    expect(await ranges.summaries(range)).toHaveLength(6);
    await store.close();
  });

  test('items of small ranges read while batches with prefix deletions commit never report a missing record', async () => {
    const { level, namespace, ids, store, ranges } = await storeHeldWhole(2_000);
    // Each batch is in the database a while before it resolves and its pages are replayed: reads meanwhile must not
    // trust the pages held for records the batch deleted.
    level.batchDelay = 5;
    // Prefix entries that each remove a run of ten records of one author, committed while small ranges are read.
    const writes = (async () => {
      for (let prefix = 0; prefix < 40; prefix++) await store.put(unsignedEntry(namespace, fakeId(prefix % 2), `k${String(prefix).padStart(4, '0')}`, 4));
    })();
    let reading = true;
    const reads = (async () => {
      while (reading) {
        for (let index = 0; index + 20 < 400; index += 20) for await (const _ of ranges.items({ x: ids[index]!, y: ids[index + 20]! }));
      }
    })();
    await writes;
    reading = false;
    await reads;
    expect((await store.checkIntegrity()).ok).toBe(true);
    await store.close();
  });

  test('namespaces held whole share half of cachedRecords; one left out reads pages, and takes the place of one unused for a second', async () => {
    const level = new InstrumentedLevel();
    const first = await filledStore(level, 400, 1);
    const second = await filledStore(level, 400, 2);
    const large = await filledStore(level, 2_000, 3);
    const store = await LevelStore.open({ db: level.proxy }, { cachedRecords: 1_000 });
    const random = seeded(6);
    /** Rows read by operations on random ranges of a namespace. */
    const probe = async ({ namespace, ids }: { namespace: Uint8Array; ids: Uint8Array[] }): Promise<number> => {
      level.rowsRead = 0;
      await answers(store.ranges(namespace), boundsOf(namespace, ids, random).slice(0, 40));
      return level.rowsRead;
    };
    /** A sweep over the large namespace, which is never held whole: its pages push out those of the others. */
    const pressure = (): Promise<void> => sweep(store.ranges(large.namespace), large.ids);

    await probe(first);
    await probe(second);
    await pressure();
    expect(await probe(first), 'the first namespace, held whole').toBe(0);
    expect(await probe(second), 'the second, which did not fit beside it').toBeGreaterThan(0);

    // Both unused for a second: the next one to ask is held whole in place of the first.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await probe(second);
    await pressure();
    expect(await probe(second), 'the second, now held whole').toBe(0);
    expect(await probe(first), 'the first, let go').toBeGreaterThan(0);
    await store.close();
  });
});

describe('recovery on open', () => {
  test('a namespace removal interrupted by a crash is finished on the next open', async () => {
    const db = new MemoryLevel();
    let store = await LevelStore.open({ db });
    const [gone, kept] = [testNamespace(40), testNamespace(41)];
    for (const secret of [gone, kept]) {
      await store.importNamespace(writeCapability(secret));
      await store.putMany(Array.from({ length: 200 }, (_, index) => unsignedEntry(secret.id, fakeId(index % 2), `k${String(index).padStart(3, '0')}`, 3)));
      await store.registerUsefulPeer(secret.id, fakeId(9));
    }
    await store.close();
    // The first batch of removeNamespace, and then nothing more: a crash.
    await db.batch(
      [
        { type: 'del', key: tableKey(TABLE.namespaces, gone.id) },
        { type: 'put', key: tableKey(TABLE.pendingRemovals, gone.id), value: new Uint8Array() },
      ],
      VIEW,
    );
    store = await LevelStore.open({ db });
    expect(await store.ranges(gone.id).count(whole)).toBe(0);
    expect(await store.getSyncPeers(gone.id)).toEqual([]);
    expect(await store.latestPerAuthor(gone.id)).toEqual([]);
    expect(await store.ranges(kept.id).count(whole)).toBe(200);
    expect(await rows(db, TABLE.pendingRemovals)).toEqual([]);
    expect((await store.checkIntegrity()).problems).toEqual([]);
    await store.close();
  });

  test('the chunks of an upload interrupted by a crash are removed on the next open', async () => {
    const db = new MemoryLevel();
    await (await LevelStore.open({ db })).close();
    const upload = new Uint8Array(16).fill(3);
    await db.batch(
      [
        { type: 'put', key: tableKey(TABLE.pendingUploads, upload), value: new Uint8Array() },
        { type: 'put', key: tableKey(TABLE.blobChunks, upload, Uint8Array.of(0, 0, 0, 0)), value: new Uint8Array(100) },
        { type: 'put', key: tableKey(TABLE.blobChunks, upload, Uint8Array.of(0, 0, 0, 1)), value: new Uint8Array(100) },
      ],
      VIEW,
    );
    const store = await LevelStore.open({ db });
    expect(await rows(db, TABLE.blobChunks)).toEqual([]);
    expect(await rows(db, TABLE.pendingUploads)).toEqual([]);
    await store.close();
  });
});

describe('integrity check', () => {
  async function populated(): Promise<{ db: MemoryLevel; store: LevelStore; namespace: Uint8Array; sample: SignedEntry }> {
    const db = new MemoryLevel();
    const store = await LevelStore.open({ db }, { aggregateShape: { bitsPerLevel: 2, levels: 4 } });
    const namespace = fakeId(8);
    const entries = Array.from({ length: 300 }, (_, index) => unsignedEntry(namespace, fakeId(index % 3), `k${String(index).padStart(3, '0')}`, 1 + index));
    await store.putMany(entries);
    expect((await store.checkIntegrity()).problems).toEqual([]);
    return { db, store, namespace, sample: entries[150]! };
  }

  test('finds a damaged aggregate node', async () => {
    const { db, store } = await populated();
    const [nodeKey, nodeValue] = (await rows(db, TABLE.aggregates))[3]!;
    const damaged = Uint8Array.from(nodeValue);
    damaged[20] = damaged[20]! ^ 1;
    await db.put(nodeKey, damaged, VIEW);
    const report = await store.checkIntegrity();
    expect(report.ok).toBe(false);
    expect(report.problems.join('\n')).toMatch(/aggregate node .* XOR differs/);
    await store.close();
  });

  test('finds a missing node, a missing index row, a wrong fingerprint and a wrong latest row', async () => {
    const { db, store, namespace, sample } = await populated();
    const { id } = sample.entry;
    const [someNode] = (await rows(db, TABLE.aggregates))[0]!;
    const value = (await db.get(recordKey(id.bytes), VIEW))!;
    const wrong = Uint8Array.from(value);
    wrong[60] = wrong[60]! ^ 1;
    await db.batch(
      [
        { type: 'del', key: someNode },
        { type: 'del', key: byKeyKey(namespace, id.key, id.author) },
        { type: 'put', key: recordKey(id.bytes), value: wrong },
        { type: 'put', key: latestKey(namespace, id.author), value: concatBytes(new Uint8Array(8), id.key) },
      ],
      VIEW,
    );
    const problems = (await store.checkIntegrity()).problems.join('\n');
    expect(problems).toMatch(/aggregate node .* is missing/);
    expect(problems).toMatch(/by-key index has 299 rows for 300 records/);
    expect(problems).toMatch(/stored fingerprint is wrong/);
    expect(problems).toMatch(/latest row .* timestamp 0/);
    await store.close();
  });
});
