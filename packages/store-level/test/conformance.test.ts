import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LevelStore, type LevelStoreOptions } from '@docs/store-level';
import type { DocsStore } from '@docs/store';
import { runStoreConformance } from '@docs/store/conformance';
import { MemoryLevel } from 'memory-level';
import { afterAll } from 'vitest';

const directories: string[] = [];
afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

/** A fresh directory for a classic-level database. */
function freshDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'docs-store-level-'));
  directories.push(directory);
  return directory;
}

const locations = new WeakMap<DocsStore, Parameters<typeof LevelStore.open>[0]>();

async function open(location: Parameters<typeof LevelStore.open>[0], options: LevelStoreOptions = {}) {
  const store = await LevelStore.open(location, options);
  locations.set(store, location);
  return store;
}

async function reopen(store: DocsStore, options: LevelStoreOptions = {}): Promise<DocsStore> {
  const location = locations.get(store);
  if (location === undefined) throw new TypeError('not a store of this test');
  await store.close();
  return open(location, options);
}

runStoreConformance('store-level on classic-level', {
  create: () => open(freshDirectory()),
  reopen: (store) => reopen(store),
});

runStoreConformance('store-level on memory-level', {
  create: () => open({ db: new MemoryLevel() }),
  reopen: (store) => reopen(store),
});

// Two-way nodes over six levels: every code path of the aggregates (splits, merges, deep walks) runs on the
// suite's small data sets.
const tiny = { aggregateShape: { bitsPerLevel: 1, levels: 6 } };
runStoreConformance('store-level on memory-level, tiny aggregate nodes', {
  create: () => open({ db: new MemoryLevel() }, tiny),
  reopen: (store) => reopen(store, tiny),
});

// The suite's namespaces are small enough to be held whole (see LevelStoreOptions.cachedRecords): these runs keep
// too few records for that (below 32 none is), so every range operation goes through the aggregate nodes and pages
// read on demand, and pages are dropped all the time.
const fewRecords = { cachedRecords: 16 };
runStoreConformance('store-level on memory-level, no namespace held whole', {
  create: () => open({ db: new MemoryLevel() }, fewRecords),
  reopen: (store) => reopen(store, fewRecords),
});

const tinyOneRecord = { ...tiny, cachedRecords: 1 };
runStoreConformance('store-level on memory-level, tiny aggregate nodes, one record kept', {
  create: () => open({ db: new MemoryLevel() }, tinyOneRecord),
  reopen: (store) => reopen(store, tinyOneRecord),
});
