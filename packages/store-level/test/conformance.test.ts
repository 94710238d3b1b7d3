import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LevelStore } from '@docs/store-level';
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

async function open(location: Parameters<typeof LevelStore.open>[0], shape?: { bitsPerLevel: number; levels: number }) {
  const store = await LevelStore.open(location, shape === undefined ? {} : { aggregateShape: shape });
  locations.set(store, location);
  return store;
}

async function reopen(store: DocsStore, shape?: { bitsPerLevel: number; levels: number }): Promise<DocsStore> {
  const location = locations.get(store);
  if (location === undefined) throw new TypeError('not a store of this test');
  await store.close();
  return open(location, shape);
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
runStoreConformance('store-level on memory-level, tiny aggregate nodes', {
  create: () => open({ db: new MemoryLevel() }, { bitsPerLevel: 1, levels: 6 }),
  reopen: (store) => reopen(store, { bitsPerLevel: 1, levels: 6 }),
});
