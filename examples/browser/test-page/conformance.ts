/**
 * The test page: loads every @docs package, then runs `@docs/store`'s conformance suite against
 * `@docs/store-level` on browser-level (IndexedDB) with the in-page runner, and publishes the results as
 * `window.docsConformance` for the Node test that drives the page.
 *
 * Query parameters: `tiny=1` adds a run with tiny aggregate nodes; `slow=1` runs the suite's long randomised
 * tests; `selfcheck=1` adds the runner's own tests (three of which must fail); `exclude=<regular expression>` leaves out the tests whose full names match; `shard=<i>/<n>` runs every
 * n-th test from the i-th, so that several pages share the suite; `timeout=<ms>` sets the per-test timeout.
 */
import { defaultEd25519 } from '@docs/crypto';
import type { DocsStore } from '@docs/store';
import { runStoreConformance } from '@docs/store/conformance';
import { LevelStore, type AggregateShape } from '@docs/store-level';
import { BrowserLevel } from 'browser-level';
import { ALL_PACKAGES } from './all-packages.js';
import { registerKeyTables } from './key-tables.js';
import { registerRunnerSelfCheck } from './runner-self-check.js';
import { runDeclaredTests, type TestResult } from './vitest-shim.js';

/** What the page publishes when its run has finished. */
export interface ConformanceReport {
  /** Every @docs package and how many exports it has. */
  readonly packages: Readonly<Record<string, number>>;
  /** The Ed25519 backend @docs/crypto chose: WebCrypto (`'native'`) or @noble/ed25519. */
  readonly ed25519: 'native' | 'portable';
  readonly results: readonly TestResult[];
}

declare global {
  interface Window {
    docsConformance?: ConformanceReport;
  }
}

const parameters = new URLSearchParams(location.search);
const slow = parameters.get('slow') === '1';
const exclude = parameters.get('exclude');
const [shardIndex, shardCount] = (parameters.get('shard') ?? '0/1').split('/').map(Number);
const timeout = parameters.get('timeout');

// Database names unique to this page load, removed when the run ends.
const run = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
let opened = 0;
const opens = new WeakMap<DocsStore, { readonly name: string; readonly db: BrowserLevel }>();

async function openStore(name: string, shape: AggregateShape | undefined): Promise<DocsStore> {
  const db = new BrowserLevel(name);
  const store = await LevelStore.open({ db }, shape === undefined ? {} : { aggregateShape: shape });
  opens.set(store, { name, db });
  return store;
}

async function reopen(store: DocsStore, shape: AggregateShape | undefined): Promise<DocsStore> {
  const open = opens.get(store);
  if (open === undefined) throw new TypeError('not a store of this page');
  await store.close();
  await open.db.close(); // the store leaves a database it was given open
  return openStore(open.name, shape);
}

function registerRun(name: string, shape: AggregateShape | undefined): void {
  runStoreConformance(name, {
    create: () => openStore(`docs-conformance-${run}-${opened++}`, shape),
    reopen: (store) => reopen(store, shape),
    slow,
  });
}

if (parameters.get('selfcheck') === '1') registerRunnerSelfCheck();
registerKeyTables();
registerRun('store-level on browser-level (IndexedDB)', undefined);
// Two-way aggregate nodes over six levels, as in the Node tests: every aggregate code path on small data.
if (parameters.get('tiny') === '1') registerRun('store-level on browser-level, tiny aggregate nodes', { bitsPerLevel: 1, levels: 6 });

const list = document.querySelector('#results')!;
const summary = document.querySelector('#summary')!;
const pattern = exclude === null ? undefined : new RegExp(exclude);
const results = await runDeclaredTests({
  ...(pattern === undefined ? {} : { include: (name: string) => !pattern.test(name) }),
  shard: { index: shardIndex ?? 0, count: shardCount ?? 1 },
  ...(timeout === null ? {} : { timeout: Number(timeout) }),
  onResult(result) {
    const item = document.createElement('li');
    item.dataset['state'] = result.state;
    const failure = result.error === undefined ? '' : `: ${result.error}`;
    item.textContent = `${result.state.toUpperCase()} ${result.name} (${Math.round(result.durationMs)} ms)${failure}`;
    list.append(item);
  },
});
const count = (state: TestResult['state']): number => results.filter((result) => result.state === state).length;
summary.textContent = `${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped, ${count('excluded')} excluded`;

for (const database of await indexedDB.databases()) {
  if (database.name?.includes(run) === true) indexedDB.deleteDatabase(database.name);
}
window.docsConformance = { packages: ALL_PACKAGES, ed25519: defaultEd25519().name, results };
